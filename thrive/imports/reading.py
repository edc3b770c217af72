"""Streaming the rows of a CSV or Excel file, whatever its encoding and delimiter.

Memory stays flat whatever the file's size: CSV is read line by line through the csv
module, ``.xlsx`` with openpyxl's read-only mode. Row numbers are the ones a spreadsheet
shows: the header is row 1, and a record whose quoted text spans several lines is still one
row.

Encodings: the whole file is checked as UTF-8 (with or without a byte-order mark) in 1 MiB
chunks before anything is read; a file that is not valid UTF-8 is read as Windows-1252
when every byte is defined there, else as Latin-1, which can read any byte. Delimiters
``,`` ``;`` tab and ``|`` are sniffed from the first 64 KiB.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from thrive.insights.orders_csv import complete_lines, consistent_delimiter

_CHUNK = 1024 * 1024
_SNIFF_CHARS = 64 * 1024
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm"})
# The csv module refuses fields over 128 KiB by default; a notes column can be longer, but
# not without limit: a broken quote would otherwise swallow the whole file into one cell.
csv.field_size_limit(16 * 1024 * 1024)


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message says why in one sentence."""


@dataclass(frozen=True)
class FileShape:
    encoding: str
    delimiter: str
    headers: list[str]
    sample: list[list[str]]


def detect_encoding(path: Path) -> str:
    """Return "utf-8-sig", "cp1252" or "latin-1": the first that decodes every byte."""
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the sample's lines into the most consistent columns
    (a comma when none does: a one-column file)."""
    return consistent_delimiter(complete_lines(sample)) or ","


def _cell_text(value: Any) -> str:
    """An Excel cell as the text a CSV export of it would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class RowSource:
    """The header and numbered rows of one file; ``position()`` says how far reading got.

    Iterate it once: yields ``(row_number, cells)``, cells padded or cut to the header's
    width is left to the caller (it reports a row with too many cells).
    """

    def __init__(self, path: Path, *, encoding: str | None = None, delimiter: str | None = None):
        self.path = Path(path)
        if not self.path.is_file():
            raise ImportFileError(f"{self.path.name}: no such file.")
        self.size = self.path.stat().st_size
        if self.size == 0:
            raise ImportFileError(f"{self.path.name} is empty.")
        self.excel = self.path.suffix.lower() in EXCEL_SUFFIXES
        self.encoding = "" if self.excel else (encoding or detect_encoding(self.path))
        self.delimiter = ""
        self._position: Callable[[], float] = lambda: 0.0
        self._rows: Iterator[list[str]]
        self._handle: Any = None
        if self.excel:
            self._open_excel()
        else:
            self._open_csv(delimiter)
        try:
            first = next(self._rows)
        except StopIteration:
            raise ImportFileError(f"{self.path.name} has no header row.") from None
        except csv.Error as exc:
            raise ImportFileError(f"{self.path.name}: row 1 cannot be read ({exc}).") from None
        self.headers = [h.strip() for h in first]
        while self.headers and not self.headers[-1]:
            self.headers.pop()
        if not any(self.headers):
            raise ImportFileError(f"{self.path.name}: the first row has no column names.")
        self.row_number = 1

    def _open_csv(self, delimiter: str | None) -> None:
        handle = self.path.open(encoding=self.encoding, newline="")
        self._handle = handle
        sample = handle.read(_SNIFF_CHARS)
        if not sample.strip():
            handle.close()
            raise ImportFileError(f"{self.path.name} is empty.")
        self.delimiter = delimiter or sniff_delimiter(sample)
        handle.seek(0)
        consumed = [0]

        def lines() -> Iterator[str]:
            # Characters handed to the csv module: close enough to bytes for a progress
            # bar, and unlike the file's position not ahead by a whole read buffer.
            for line in handle:
                consumed[0] += len(line)
                yield line

        self._position = lambda: consumed[0] / self.size
        self._rows = csv.reader(lines(), delimiter=self.delimiter)

    def _open_excel(self) -> None:
        from openpyxl import load_workbook

        try:
            book = load_workbook(self.path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise ImportFileError(
                f"{self.path.name} is not a readable Excel file ({exc})."
            ) from None
        self._handle = book
        sheet = book.worksheets[0]
        total = max(int(sheet.max_row or 0), 1)
        done = [0]

        def rows() -> Iterator[list[str]]:
            for values in sheet.iter_rows(values_only=True):
                done[0] += 1
                yield [_cell_text(v) for v in values]

        self._position = lambda: done[0] / total
        self._rows = rows()

    def position(self) -> float:
        """How much of the file has been read, from 0 to 1."""
        return min(max(self._position(), 0.0), 1.0)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        try:
            for cells in self._rows:
                self.row_number += 1
                if not cells or not "".join(cells).strip():
                    continue  # blank lines are not rows anyone means to import
                yield self.row_number, cells
        except csv.Error as exc:
            raise ImportFileError(
                f"{self.path.name}: row {self.row_number + 1} cannot be read ({exc})."
            ) from None
        finally:
            self.close()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
            self._position = lambda: 1.0

    def shape(self, sample_rows: int = 5) -> FileShape:
        """Encoding, delimiter, headers and the first rows (consumes the first rows)."""
        sample: list[list[str]] = []
        for _, cells in self:
            sample.append(cells[: len(self.headers)])
            if len(sample) >= sample_rows:
                break
        self.close()
        return FileShape(self.encoding, self.delimiter, self.headers, sample)
