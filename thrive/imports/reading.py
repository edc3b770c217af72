"""Streaming the rows of a CSV or Excel file, whatever its encoding and delimiter.

Memory stays flat whatever the file's size: CSV is read line by line through the csv
module, ``.xlsx`` with openpyxl's read-only mode. Row numbers are the ones a spreadsheet
shows: the header is row 1, and a record whose quoted text spans several lines is still one
row.

Encodings: a byte-order mark names UTF-8, UTF-16 or UTF-32; otherwise the whole file is
checked as UTF-8 in 1 MiB chunks before anything is read; then UTF-16 without a mark is
recognised by its zero bytes, and charset-normalizer's guess is taken when it is a
multi-byte encoding (Shift-JIS, GB18030, Big5, EUC-KR…) that decodes the whole file; a
file that is none of these is read as Windows-1252 when every byte is defined there, else
as Latin-1, which can read any byte. The owner can choose another encoding on the mapping
page. Delimiters ``,`` ``;`` tab and ``|`` are sniffed from the first 64 KiB.

Limits (settings, see docs/import.md): at most ``THRIVE_IMPORT_MAX_COLUMNS`` columns and
``THRIVE_IMPORT_MAX_ROWS`` rows (Excel: ``THRIVE_IMPORT_MAX_XLSX_ROWS``); an Excel file's
parts may inflate to at most ``THRIVE_IMPORT_MAX_XLSX_BYTES`` and at most
``THRIVE_IMPORT_MAX_XLSX_RATIO`` times the file's size, checked before openpyxl opens it.
A quote that never closes (the csv module would silently read the rest of the file into
one cell) fails the file with the row and line where it opened.
"""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from django.conf import settings

from thrive.insights.orders_csv import complete_lines, consistent_delimiter

_CHUNK = 1024 * 1024
_SNIFF_CHARS = 64 * 1024
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm"})
# The csv module refuses fields over 128 KiB by default; a notes column can be longer, but
# not without limit: a broken quote would otherwise swallow the whole file into one cell.
csv.field_size_limit(16 * 1024 * 1024)

# Defaults of the limits (each a setting of the same name without DEFAULT_).
DEFAULT_MAX_COLUMNS = 500
DEFAULT_MAX_ROWS = 10_000_000  # bench/IMPORTS.md imports 5,000,000 order lines
DEFAULT_MAX_XLSX_ROWS = 1_048_576  # Excel's own limit for one sheet
DEFAULT_MAX_XLSX_BYTES = 1024 * 1024 * 1024
DEFAULT_MAX_XLSX_RATIO = 100  # real workbooks compress 5-30 times; a zip bomb far more

# Fed to the csv module after the file's last line: it becomes a record of its own, unless
# a quote is still open, in which case it lands inside the open cell and gives it away.
_END = "\ue000thrive-end-of-file\ue000"

# Encodings the owner may choose on the mapping page, with what they are for.
ENCODINGS: dict[str, str] = {
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16 (with a byte-order mark)",
    "utf-16-le": "UTF-16 little-endian (Windows, no mark)",
    "utf-16-be": "UTF-16 big-endian (no mark)",
    "cp1252": "Windows-1252 (Western Europe)",
    "latin-1": "Latin-1 (ISO-8859-1)",
    "iso-8859-15": "Latin-9 (ISO-8859-15)",
    "cp1250": "Windows-1250 (Central Europe)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "koi8-r": "KOI8-R (Russian)",
    "cp1253": "Windows-1253 (Greek)",
    "cp1254": "Windows-1254 (Turkish)",
    "cp1255": "Windows-1255 (Hebrew)",
    "cp1256": "Windows-1256 (Arabic)",
    "cp874": "Windows-874 (Thai)",
    "mac-roman": "Mac Roman",
    "shift_jis": "Shift-JIS (Japanese)",
    "cp932": "Windows-932 (Japanese, Shift-JIS with Microsoft additions)",
    "euc-jp": "EUC-JP (Japanese)",
    "gb18030": "GB18030 (Simplified Chinese)",
    "big5": "Big5 (Traditional Chinese)",
    "euc-kr": "EUC-KR (Korean)",
}
# charset-normalizer's guesses taken as they are; for single-byte text its guess on a sample
# is often a near relative (cp775 for cp1252), so those keep the Windows-1252 rule.
_MULTIBYTE = {
    "shift_jis": "shift_jis", "cp932": "cp932", "euc_jp": "euc-jp", "gb18030": "gb18030",
    "gb2312": "gb18030", "gbk": "gb18030", "big5": "big5", "big5hkscs": "big5",
    "euc_kr": "euc-kr", "cp949": "euc-kr", "utf_16_le": "utf-16-le", "utf_16_be": "utf-16-be",
}  # fmt: skip
_EAST_ASIAN = re.compile("[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")


def limit(name: str) -> int:
    """The import limit ``name`` (e.g. ``MAX_COLUMNS``): the setting, else its default."""
    return int(getattr(settings, f"THRIVE_IMPORT_{name}", None) or globals()[f"DEFAULT_{name}"])


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message says why in one sentence."""


@dataclass(frozen=True)
class FileShape:
    encoding: str
    delimiter: str
    headers: list[str]
    sample: list[list[str]]


def detect_encoding(path: Path) -> str:
    """The encoding that reads the file: a byte-order mark's, else UTF-8 if every byte
    decodes as such, else UTF-16 without a mark, a multi-byte encoding charset-normalizer
    recognises, "cp1252" or "latin-1" (see the module's docstring)."""
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_CHARS)
    for mark, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(mark):
            return encoding
    if decodes(path, "utf-8-sig"):
        return "utf-8-sig"
    if wide := _utf16_without_mark(head):
        if decodes(path, wide):
            return wide
    guess = _guess_multibyte(head)
    if guess and decodes(path, guess):
        return guess
    return "cp1252" if decodes(path, "cp1252") else "latin-1"


def decodes(path: Path, encoding: str) -> bool:
    """Whether every byte of the file decodes in ``encoding`` (read in 1 MiB chunks)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _utf16_without_mark(head: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" when most characters of ``head`` have a zero byte on
    one side, as text mostly in Latin letters does in UTF-16."""
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even, odd = head[0 : pairs * 2 : 2].count(0), head[1 : pairs * 2 : 2].count(0)
    if odd > 0.6 * pairs and even < 0.1 * pairs:
        return "utf-16-le"
    if even > 0.6 * pairs and odd < 0.1 * pairs:
        return "utf-16-be"
    return None


def _guess_multibyte(head: bytes) -> str | None:
    """charset-normalizer's guess when it is a multi-byte encoding and the text it gives is
    mostly kana, Chinese characters or Hangul (a guess on a few stray bytes of a Western
    file gives odd punctuation instead)."""
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    encoding = _MULTIBYTE.get(best.encoding) if best is not None else None
    if encoding is None or encoding.startswith("utf-16"):
        return encoding
    foreign = [c for c in str(best) if ord(c) > 0x7F]
    letters = sum(1 for c in foreign if _EAST_ASIAN.match(c))
    return encoding if letters >= 2 and letters >= 0.8 * len(foreign) else None


def _undecodable_line(path: Path, encoding: str) -> int:
    """The number of the first line holding bytes ``encoding`` cannot decode (the file is
    decoded in large chunks, so where reading stopped is only near it)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            state = decoder.getstate()
            try:
                line += decoder.decode(block).count("\n")
                continue
            except UnicodeDecodeError:
                decoder.setstate(state)
            for byte in range(len(block)):  # the bad block again, a byte at a time
                try:
                    line += decoder.decode(block[byte : byte + 1]).count("\n")
                except UnicodeDecodeError:
                    return line
    return line


def check_xlsx_size(path: Path) -> None:
    """Refuse a workbook whose parts inflate beyond the limits, before anything reads them
    (openpyxl keeps a sheet's shared strings in memory)."""
    try:
        with zipfile.ZipFile(path) as zf:
            inflated = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFileError(f"{path.name} is not a readable Excel file ({exc}).") from None
    most, ratio = limit("MAX_XLSX_BYTES"), limit("MAX_XLSX_RATIO")
    size = max(path.stat().st_size, 1)
    if inflated > most:
        raise ImportFileError(
            f"{path.name} unpacks to {inflated / 1e6:,.0f} MB, more than the "
            f"{most / 1e6:,.0f} MB an Excel import may hold; save it as CSV instead, "
            "or split it. Nothing was imported."
        )
    if inflated > 10 * _CHUNK and inflated / size > ratio:
        raise ImportFileError(
            f"{path.name} unpacks to {inflated / size:,.0f} times its size "
            f"({inflated / 1e6:,.0f} MB from {size / 1e6:,.1f} MB; at most {ratio} times "
            "is accepted), which a real workbook does not do; save it as CSV instead. "
            "Nothing was imported."
        )


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
        self._lines = 0  # CSV lines handed to the csv module so far
        self.row_number = 0
        self.max_rows = limit("MAX_XLSX_ROWS" if self.excel else "MAX_ROWS")
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
        except UnicodeDecodeError as exc:
            self.close()
            raise self._not_in_encoding(exc) from None
        self.headers = [h.strip() for h in first]
        while self.headers and not self.headers[-1]:
            self.headers.pop()
        if not any(self.headers):
            raise ImportFileError(f"{self.path.name}: the first row has no column names.")
        most = limit("MAX_COLUMNS")
        if len(self.headers) > most:
            self.close()
            raise ImportFileError(
                f"{self.path.name} has {len(self.headers):,} columns; an import reads at most "
                f"{most:,}. Remove the columns you do not need (or save only those) and "
                "upload it again."
            )
        self.row_number = 1

    def _not_in_encoding(self, exc: UnicodeDecodeError) -> ImportFileError:
        return ImportFileError(
            f"{self.path.name}: line {_undecodable_line(self.path, self.encoding)} of the file "
            f"cannot be read as {ENCODINGS.get(self.encoding, self.encoding)} ({exc.reason}); "
            "choose another encoding on the mapping page."
        )

    def _open_csv(self, delimiter: str | None) -> None:
        handle = self.path.open(encoding=self.encoding, newline="")
        self._handle = handle
        try:
            sample = handle.read(_SNIFF_CHARS)
        except UnicodeDecodeError as exc:
            handle.close()
            raise self._not_in_encoding(exc) from None
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
                self._lines += 1
                yield line
            yield _END

        self._position = lambda: consumed[0] / self.size
        reader = csv.reader(lines(), delimiter=self.delimiter)

        def records() -> Iterator[list[str]]:
            for cells in reader:
                if cells and _END in cells[-1]:
                    if cells == [_END]:
                        return  # the file ended between records, as it should
                    raise self._unclosed_quote(cells[-1])
                yield cells

        self._rows = records()

    def _unclosed_quote(self, cell: str) -> ImportFileError:
        """The error for a record the csv module read to the end of the file: its last
        cell is everything after the quote that opened it, up to the end."""
        body = cell[: cell.index(_END)]
        breaks = len(re.findall(r"\r\n|\r|\n", body))
        lines = breaks if body.endswith(("\n", "\r")) else breaks + 1
        opened = self._lines - lines + 1
        return ImportFileError(
            f"{self.path.name}: row {self.row_number + 1} opens a quote that never closes "
            f"(line {opened} of the file); nothing was imported. Close or remove that quote "
            "and upload the file again."
        )

    def _open_excel(self) -> None:
        from openpyxl import load_workbook

        check_xlsx_size(self.path)
        try:
            book = load_workbook(self.path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise ImportFileError(
                f"{self.path.name} is not a readable Excel file ({exc})."
            ) from None
        self._handle = book
        sheet = book.worksheets[0]
        declared = int(sheet.max_row or 0)
        if declared > self.max_rows:
            book.close()
            raise self._too_many_rows()
        total = max(declared, 1)
        done = [0]

        def rows() -> Iterator[list[str]]:
            for values in sheet.iter_rows(values_only=True):
                done[0] += 1
                yield [_cell_text(v) for v in values]

        self._position = lambda: done[0] / total
        self._rows = rows()

    def _too_many_rows(self) -> ImportFileError:
        setting = "THRIVE_IMPORT_MAX_XLSX_ROWS" if self.excel else "THRIVE_IMPORT_MAX_ROWS"
        return ImportFileError(
            f"{self.path.name} has more than {self.max_rows:,} rows, the most an import reads "
            f"(the setting {setting}); split it into smaller files. Nothing was imported."
        )

    def position(self) -> float:
        """How much of the file has been read, from 0 to 1."""
        return min(max(self._position(), 0.0), 1.0)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        most = self.max_rows
        try:
            for cells in self._rows:
                self.row_number += 1
                if self.row_number > most:
                    raise self._too_many_rows()
                if not cells or not "".join(cells).strip():
                    continue  # blank lines are not rows anyone means to import
                yield self.row_number, cells
        except csv.Error as exc:
            hint = ": most often a quote that never closes" if "field limit" in str(exc) else ""
            raise ImportFileError(
                f"{self.path.name}: row {self.row_number + 1} cannot be read ({exc}){hint}."
            ) from None
        except UnicodeDecodeError as exc:
            raise self._not_in_encoding(exc) from None
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
