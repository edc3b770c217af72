"""A compact string → code map for the millions of order and customer ids of a big export.

A Python dict of 4,000,000 order ids costs about 500 MB (the key objects, their int values
and the table). :class:`StringCodes` keeps each distinct string once as UTF-8 bytes in one
buffer (8–30 bytes for a typical id) plus its 64-bit hash and code in sorted numpy runs, and
only the ids of the current and the previous chunk of rows as a dict, so that looking up
the lines of an order that spans a chunk boundary costs a dict lookup. Equal hashes are
checked against the stored bytes, so two different ids never share a code.

Usage, per chunk of rows: :meth:`StringCodes.prefetch` the chunk's distinct strings (one
vectorised search), then :meth:`get` / :meth:`add` per row, then :meth:`end_chunk`.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable

import numpy as np

__all__ = ["StringCodes"]

_MISSING = -1


class StringCodes:
    """Distinct strings numbered 0, 1, 2... in the order they were added."""

    def __init__(self, *, lookup: bool = True) -> None:
        # lookup=False: a plain table of strings by code (no get/find), e.g. customer names.
        self._lookup = lookup
        self._blob = bytearray()
        self._offsets = array("q", [0])
        self._recent: dict[str, int] = {}
        self._previous: dict[str, int] = {}
        # Sorted runs of (hash, code); merged when a run is no bigger than the next, so
        # there are at most log2(n) runs to search.
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []
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
            self._new_hashes.append(hash(s))
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
        hashes = np.fromiter((hash(s) for s in wanted), dtype=np.int64, count=len(wanted))
        for keys, codes in self._runs:
            lo = np.searchsorted(keys, hashes, side="left")
            hi = np.searchsorted(keys, hashes, side="right")
            for i in np.flatnonzero(hi > lo).tolist():
                s = wanted[i]
                for pos in range(int(lo[i]), int(hi[i])):
                    code = int(codes[pos])
                    if self.text(code) == s:
                        self._recent[s] = code
                        break

    def end_chunk(self) -> None:
        """Move this chunk's new strings into the searchable runs."""
        if self._new_hashes:
            keys = np.array(self._new_hashes, dtype=np.int64)
            codes = np.array(self._new_codes, dtype=np.int32)
            order = np.argsort(keys, kind="stable")
            run = (keys[order], codes[order])
            self._new_hashes.clear()
            self._new_codes.clear()
            while self._runs and self._runs[-1][0].size <= run[0].size:
                last = self._runs.pop()
                keys = np.concatenate([last[0], run[0]])
                codes = np.concatenate([last[1], run[1]])
                order = np.argsort(keys, kind="stable")
                run = (keys[order], codes[order])
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
        h = hash(s)
        for keys, codes in self._runs:
            lo = int(np.searchsorted(keys, h, side="left"))
            hi = int(np.searchsorted(keys, h, side="right"))
            for pos in range(lo, hi):
                if self.text(int(codes[pos])) == s:
                    return int(codes[pos])
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
