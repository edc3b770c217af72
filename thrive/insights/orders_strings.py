"""A compact string → code map for the millions of order and customer ids of a big export.

A Python dict of 4,000,000 order ids costs about 500 MB (the key objects, their int values
and the table). :class:`StringCodes` keeps each distinct string once as UTF-8 bytes in one
buffer (8–30 bytes for a typical id) plus its 32-bit hash and code in one sorted uint64, and
only the ids of the current and the previous chunk of rows as a dict, so that looking up
the lines of an order that spans a chunk boundary costs a dict lookup. Equal hashes are
checked against the stored bytes, so two different ids never share a code.

Usage, per chunk of rows: :meth:`StringCodes.prefetch` the chunk's distinct strings (one
vectorised search), then :meth:`get` / :meth:`add` per row, then :meth:`end_chunk`.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = ["ReleasedStrings", "StringCodes", "StringTable"]

_MISSING = -1
_CODE_MASK = 0xFFFFFFFF


def _key(s: str) -> int:
    """The string's 32-bit hash in the high half of a uint64 (its code goes in the low)."""
    return (hash(s) & _CODE_MASK) << 32


class StringCodes:
    """Distinct strings numbered 0, 1, 2... in the order they were added."""

    def __init__(self, *, lookup: bool = True) -> None:
        # lookup=False: a plain table of strings by code (no get/find), e.g. customer names.
        self._lookup = lookup
        self._blob = bytearray()
        self._offsets = array("q", [0])
        self._recent: dict[str, int] = {}
        self._previous: dict[str, int] = {}
        # Sorted runs of uint64 (32-bit hash << 32 | code); merged when a run is no bigger
        # than the next, so there are at most log2(n) runs to search.
        self._runs: list[np.ndarray] = []
        self._new_hashes: list[int] = []
        self._new_codes: list[int] = []

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def text(self, code: int) -> str:
        return self._blob[self._offsets[code] : self._offsets[code + 1]].decode(
            "utf-8", "surrogatepass"
        )

    def get(self, s: str) -> int:
        """The code of ``s``, or -1. Exact only for strings prefetched in this chunk."""
        code = self._recent.get(s, _MISSING)
        if code == _MISSING:
            code = self._previous.get(s, _MISSING)
            if code != _MISSING:
                self._recent[s] = code
        return code

    def add(self, s: str) -> int:
        """Number ``s`` (which must not be known yet) and return its code."""
        code = len(self)
        self._blob += s.encode("utf-8", "surrogatepass")
        self._offsets.append(len(self._blob))
        if self._lookup:
            self._recent[s] = code
            self._new_hashes.append(_key(s))
            self._new_codes.append(code)
        return code

    def code(self, s: str) -> int:
        code = self.get(s)
        return self.add(s) if code == _MISSING else code

    def prefetch(self, strings: Iterable[str]) -> None:
        """Make :meth:`get` exact for ``strings`` in this chunk."""
        wanted = [s for s in set(strings) if s not in self._recent and s not in self._previous]
        if not wanted or not self._runs:
            return
        low = np.fromiter((_key(s) for s in wanted), dtype=np.uint64, count=len(wanted))
        high = low | np.uint64(_CODE_MASK)
        for run in self._runs:
            lo = np.searchsorted(run, low, side="left")
            hi = np.searchsorted(run, high, side="right")
            for i in np.flatnonzero(hi > lo).tolist():
                s = wanted[i]
                for pos in range(int(lo[i]), int(hi[i])):
                    code = int(run[pos]) & _CODE_MASK
                    if self.text(code) == s:  # equal 32-bit hashes: compare the strings
                        self._recent[s] = code
                        break

    def end_chunk(self) -> None:
        """Move this chunk's new strings into the searchable runs."""
        if self._new_hashes:
            run = np.array(self._new_hashes, dtype=np.uint64)
            run |= np.array(self._new_codes, dtype=np.uint64)
            run.sort()
            self._new_hashes.clear()
            self._new_codes.clear()
            while self._runs and self._runs[-1].size <= run.size:
                run = np.concatenate([self._runs.pop(), run])
                run.sort()
            self._runs.append(run)
        self._previous = self._recent
        self._recent = {}

    def strings(self) -> np.ndarray:
        """Every string, by code, as an object array."""
        blob = bytes(self._blob)
        offsets = self._offsets
        out = np.empty(len(self), dtype=object)
        out[:] = [
            blob[offsets[i] : offsets[i + 1]].decode("utf-8", "surrogatepass")
            for i in range(len(self))
        ]
        return out

    def find(self, s: str) -> int:
        """The code of ``s`` or -1, searching every string (slower than :meth:`get`)."""
        code = self.get(s)
        if code != _MISSING:
            return code
        low = _key(s)
        for run in self._runs:
            lo = int(np.searchsorted(run, np.uint64(low), side="left"))
            hi = int(np.searchsorted(run, np.uint64(low | _CODE_MASK), side="right"))
            for pos in range(lo, hi):
                code = int(run[pos]) & _CODE_MASK
                if self.text(code) == s:
                    return code
        return _MISSING

    def close(self, *, searchable: bool = True) -> None:
        """Drop the per-chunk dicts once every string is added; :meth:`find` still works
        unless ``searchable`` is False (then only :meth:`text` and :meth:`take` do)."""
        self.end_chunk()
        self._recent = {}
        self._previous = {}
        if not searchable:
            self._runs = []

    def take(self, codes: np.ndarray) -> np.ndarray:
        """The strings of ``codes`` as an object array (each distinct string decoded once)."""
        distinct, inverse = np.unique(np.asarray(codes), return_inverse=True)
        table = np.empty(distinct.size, dtype=object)
        table[:] = [self.text(int(c)) for c in distinct.tolist()]
        return table[inverse.reshape(-1)]


class StringTable:
    """A table of strings (e.g. the sorted customer ids of a report) kept as codes into a
    :class:`StringCodes` buffer: indexing decodes only the entries asked for, so a table
    of 1,250,000 ids costs 5 MB of codes instead of ~100 MB of Python strings."""

    __slots__ = ("_strings", "codes")

    def __init__(self, codes: np.ndarray, strings: StringCodes) -> None:
        self.codes = codes
        self._strings = strings

    @property
    def size(self) -> int:
        return int(self.codes.size)

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: Any) -> Any:
        picked = self.codes[index]
        if np.ndim(picked) == 0:
            return self._strings.text(int(picked))
        return self._strings.take(picked)

    def tolist(self) -> list[str]:
        return self._strings.take(self.codes).tolist() if self.size else []

    def __array__(self, dtype: Any = None, copy: object = None) -> np.ndarray:
        values = self._strings.take(self.codes) if self.size else np.zeros(0, dtype=object)
        return values if dtype is None else values.astype(dtype)


class ReleasedStrings(StringCodes):
    """A table whose strings were dropped: it still counts them (codes stay valid for
    grouping), but any string asked for is an error."""

    def __init__(self, count: int) -> None:
        super().__init__(lookup=False)
        self._count = count

    def __len__(self) -> int:
        return self._count

    def text(self, code: int) -> str:
        raise ValueError("the strings of this table were released")

    def take(self, codes: np.ndarray) -> np.ndarray:
        raise ValueError("the strings of this table were released")
