"""Read an order export (CSV or whitespace-separated text) into numpy arrays.

:func:`read_order_rows` streams the file once with the :mod:`csv` module and returns an
:class:`OrderRows`: one entry per accepted row, plus every skipped row's number, column and
reason. Nothing is dropped silently: each skipped row is counted, and the first
``max_listed`` are kept with their reasons.

Decisions worth knowing (they are also shown to people in the report):

* **Row numbers** are counted the way a spreadsheet shows them: the header is row 1 and a
  record whose quoted text spans several lines is still one row.
* **Encodings**: UTF-8 (with or without a byte-order mark), then Windows-1252, then
  Latin-1, which can read any byte.
* **Delimiters**: ``,`` ``;`` tab and ``|`` are sniffed from the first 64 KiB; a file in
  which none of them splits the lines but runs of spaces do (``CDNOW_master.txt``) is read
  as whitespace-separated, without quoting.
* **Refunds**: with an order column, a negative amount is a refund line and is kept, so it
  can be netted into its order (see :mod:`thrive.insights.orders_aggregate`). Without an
  order column there is nothing to net it against, so the row is skipped with that reason.
* **Line-item exports** that print order-level fields only on an order's first line: with an
  order column, an empty customer or date is taken from an earlier row of the same order,
  and an empty amount on such a row counts as 0.
* **Statuses**: rows whose status column says voided, cancelled, failed, declined or
  refunded, or whose cancelled-at column has a date, are skipped (they are not sales) and
  counted; so are the later lines of the same order.
* **Only recognised columns are read**: every other column (notes, gift messages, tags) is
  listed in ``ignored_columns`` and nothing is taken from it.
* **Shop line-item exports** (``Lineitem price`` beside an order ``Total``): the order-level
  amount is taken once per order, from its first line that has one; a ``Refunded Amount``
  column is taken off the order once. Without an order-level amount, revenue is the sum of
  line price × quantity. ``revenue_basis`` says which, in words.
* **Currencies**: every row keeps its currency (``row_currencies``); ``currency`` is the
  main one (most rows). ``currency_filter`` keeps one currency and skips the other rows.
* **Dates** keep only the calendar day as written; the time and time zone are ignored.
"""

from __future__ import annotations

import csv
import heapq
import io
import itertools
import os
import sys
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Protocol

import numpy as np

from thrive.insights.orders_columns import (
    SUBTOTAL_NAMES,
    ColumnError,
    ColumnMap,
    looks_like_header,
    normalise_header,
    resolve_columns,
)
from thrive.insights.orders_strings import ReleasedStrings, StringCodes
from thrive.insights.orders_values import (
    DateFormat,
    detect_date_format,
    parse_amount,
    strptime_format,
)

__all__ = [
    "OrderRows",
    "OrdersFileError",
    "SkippedRow",
    "read_order_rows",
    "select_rows",
]

ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
WHITESPACE = "whitespace"
_SNIFF_CHARS = 64 * 1024
_BAR_STEP = 1 << 20
_EXCLUDED_STATUSES = frozenset(
    {"void", "voided", "cancelled", "canceled", "failed", "declined", "refunded", "expired"}
)
_DOLLAR_CODES = frozenset({"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "TWD"})
_EPOCH = date(1970, 1, 1).toordinal()


class OrdersFileError(ValueError):
    """The file as a whole cannot be used; the message says why in one line."""


@dataclass(frozen=True)
class SkippedRow:
    """A row left out of the analysis: its spreadsheet row number, column and reason."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f'row {self.row}, column "{self.column}"' if self.column else f"row {self.row}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class OrderRows:
    """The accepted rows of an order export, one array entry per row.

    Text columns are kept as codes into tables of distinct values (a 10,000,000-row export
    holds far fewer distinct customers, orders, products and channels than rows); the
    ``customer_ids``, ``order_ids``, ``products``, ``channels`` and ``row_currencies``
    properties give them back as object arrays of str, one entry per row.

    ``amounts`` can be negative only when ``order_codes`` is not None (refund lines).
    Optional columns that the file does not have are None. ``columns`` maps each role used
    to the header (or ``"column N"``) it was read from.
    """

    customer_codes: np.ndarray  # int32 into customer_table
    customer_table: np.ndarray  # object array of str
    days: np.ndarray  # int32, days since 1970-01-01
    amounts: np.ndarray  # float64
    row_numbers: np.ndarray  # int32, spreadsheet row of each entry
    order_codes: np.ndarray | None  # int32 into order_table
    order_table: StringCodes | None
    channel_codes: np.ndarray | None  # int32 into channel_table
    channel_table: np.ndarray | None
    product_codes: np.ndarray | None  # int32 into product_table
    product_table: np.ndarray | None
    currency: str | None
    columns: Mapping[str, str]
    skipped: tuple[SkippedRow, ...]
    rows_read: int
    rows_skipped: int
    skipped_by_reason: Mapping[str, int]
    blank_lines: int
    encoding: str
    delimiter: str
    has_header: bool
    date_format: str
    notes: tuple[str, ...] = field(default=())
    ignored_columns: tuple[str, ...] = ()
    # Each row's currency as a code into currency_table (rows without one are in the main
    # currency); both None when the file has fewer than two currencies.
    currency_codes: np.ndarray | None = None  # int8
    currency_table: np.ndarray | None = None  # object array of codes
    customer_names: Mapping[str, str] = field(default_factory=dict)
    revenue_basis: str = ""
    refund_entries: int = 0  # entries made from a refunded-amount column, not file rows
    # The customer ids as UTF-8 (customer_table's strings, by code): kept when the rows
    # are released, so the report can name the few customers it shows.
    customer_strings: StringCodes | None = None
    repeated_totals: int = 0  # later lines of an order whose order-level amount was skipped

    @property
    def rows_accepted(self) -> int:
        entries = self.__dict__.get("_released_entries", int(self.amounts.size))
        return int(entries) - self.refund_entries

    def release_columns(self) -> None:
        """Drop the per-row columns and the order-id table, keeping what describes the file
        (counts, columns, skipped rows, customer names).

        For a caller that has aggregated the rows and needs them no more: a 10,000,000-row
        export's columns hold ~330 MB that the report's analysis would otherwise carry.
        The arrays are replaced by empty ones of the same type, so a later use gets no rows
        rather than stale ones.
        """
        if "_released_entries" in self.__dict__:
            return
        object.__setattr__(self, "_released_entries", int(self.amounts.size))
        for name in (
            "customer_codes",
            "days",
            "amounts",
            "row_numbers",
            "order_codes",
            "channel_codes",
            "product_codes",
            "currency_codes",
        ):
            values = getattr(self, name)
            if values is not None:
                object.__setattr__(self, name, _frozen(values[:0].copy()))
        object.__setattr__(self, "customer_table", _frozen(self.customer_table[:0].copy()))
        if self.order_table is not None:
            object.__setattr__(self, "order_table", StringCodes())

    def release_order_ids(self) -> None:
        """Drop the order-id strings and the spreadsheet row numbers, which aggregating the
        orders does not read (order codes still group lines; ``order_ids`` then fails):
        ~100 MB of a 10,000,000-row export, freed before the aggregation's peak."""
        if self.order_table is not None and not isinstance(self.order_table, ReleasedStrings):
            object.__setattr__(self, "order_table", ReleasedStrings(len(self.order_table)))
        object.__setattr__(self, "row_numbers", _frozen(self.row_numbers[:0].copy()))

    @property
    def customer_ids(self) -> np.ndarray:
        return self.customer_table[self.customer_codes]

    @property
    def dates(self) -> np.ndarray:
        return self.days.astype("datetime64[D]")

    @property
    def order_ids(self) -> np.ndarray | None:
        if self.order_codes is None or self.order_table is None:
            return None
        return self.order_table.take(self.order_codes)

    @property
    def channels(self) -> np.ndarray | None:
        return _lookup(self.channel_table, self.channel_codes)

    @property
    def products(self) -> np.ndarray | None:
        return _lookup(self.product_table, self.product_codes)

    @property
    def row_currencies(self) -> np.ndarray | None:
        return _lookup(self.currency_table, self.currency_codes)


def _lookup(table: np.ndarray | None, codes: np.ndarray | None) -> np.ndarray | None:
    return None if table is None or codes is None else table[codes]


@dataclass
class _Skips:
    """Collects skipped rows: all are counted, the first ``limit`` are kept."""

    limit: int
    # A max-heap on row number (negated), so the earliest ``limit`` rows survive even though
    # date problems are found after the whole file has been streamed.
    heap: list[tuple[int, int, SkippedRow]] = field(default_factory=list)
    count: int = 0
    by_reason: Counter[str] = field(default_factory=Counter)

    # Reasons found while streaming but, like unreadable dates, listed after all the others.
    later: Counter[str] = field(default_factory=Counter)

    def add(self, row: int, column: str, kind: str, reason: str, *, later: bool = False) -> None:
        self.count += 1
        (self.later if later else self.by_reason)[f"{column}: {kind}" if column else kind] += 1
        entry = (-row, self.count, SkippedRow(row, column, reason))
        if len(self.heap) < self.limit:
            heapq.heappush(self.heap, entry)
        elif self.limit and -row > self.heap[0][0]:
            heapq.heapreplace(self.heap, entry)

    def listed(self) -> tuple[SkippedRow, ...]:
        return tuple(e[2] for e in sorted(self.heap, key=lambda e: (-e[0], e[1])))


def read_order_rows(
    path: str | os.PathLike[str],
    *,
    customer: str | None = None,
    date: str | None = None,
    amount: str | None = None,
    order: str | None = None,
    channel: str | None = None,
    product: str | None = None,
    currency: str | None = None,
    quantity: str | None = None,
    status: str | None = None,
    refunded: str | None = None,
    cancelled: str | None = None,
    name: str | None = None,
    revenue: str | None = None,
    currency_filter: str | None = None,
    date_format: str | None = None,
    delimiter: str | None = None,
    has_header: bool | None = None,
    max_listed: int = 1000,
    progress: bool = False,
) -> OrderRows:
    """Read ``path`` and return its accepted rows and the reasons for the others.

    Column arguments take a header name or a 1-based position; absent ones are found by
    common header names. ``delimiter`` is one character, ``"whitespace"`` or None to sniff.
    ``has_header`` None means "decide from the first row". Raises :class:`OrdersFileError`
    (with a one-line message) when the file is missing, empty, lacks a required column,
    mixes currencies, or has no usable row.
    """
    requested = {
        "customer": customer,
        "date": date,
        "amount": amount,
        "order": order,
        "channel": channel,
        "product": product,
        "currency": currency,
        "quantity": quantity,
        "status": status,
        "refunded": refunded,
        "cancelled": cancelled,
        "name": name,
    }
    file_path = Path(path)
    if not file_path.is_file():
        raise OrdersFileError(f"{file_path}: no such file")
    size = file_path.stat().st_size
    if size == 0:
        raise OrdersFileError(f"{file_path} is empty")
    last_error: UnicodeDecodeError | None = None
    for encoding in ENCODINGS:
        try:
            return _read(
                file_path,
                size,
                encoding,
                requested,
                revenue=revenue,
                currency_filter=currency_filter.upper() if currency_filter else None,
                date_format=date_format,
                delimiter=_delimiter_option(delimiter),
                has_header=has_header,
                max_listed=max_listed,
                progress=progress,
            )
        except UnicodeDecodeError as exc:  # try the next encoding from the start
            last_error = exc
    raise OrdersFileError(f"{file_path}: cannot decode the file ({last_error})")


def _delimiter_option(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    named = {"tab": "\t", "\\t": "\t", "space": WHITESPACE, " ": WHITESPACE}
    value = named.get(value.lower(), value)
    if value != WHITESPACE and len(value) != 1:
        raise OrdersFileError(
            f"--delimiter must be one character, 'tab' or 'whitespace', not {value!r}"
        )
    return value


def complete_lines(sample: str) -> str:
    """The sample without its last line, which a fixed-size read may have cut."""
    cut = sample.rfind("\n")
    return sample[:cut] if cut > 0 else sample


def consistent_delimiter(text: str) -> str | None:
    """The delimiter (comma, semicolon, tab or bar) that splits ``text``'s lines into the
    most consistent columns, at least two of them; None when none does."""
    best, best_score = None, (0.0, 1)
    for candidate in (",", ";", "\t", "|"):
        try:
            rows = [r for r in csv.reader(io.StringIO(text), delimiter=candidate) if r][:200]
        except csv.Error:
            continue
        if not rows:
            continue
        width, hits = Counter(len(r) for r in rows).most_common(1)[0]
        if width < 2:
            continue
        score = (hits / len(rows), width)
        if score > best_score:
            best, best_score = candidate, score
    return best


def sniff_delimiter(sample: str) -> str:
    """Pick the delimiter that splits the sample's lines into the most consistent columns."""
    text = complete_lines(sample)
    best = consistent_delimiter(text)
    if best is not None:
        return best
    if not any(len(line.split()) > 1 for line in text.splitlines()[:50]):
        return ","  # a one-column file: let the column check explain what is missing
    return WHITESPACE


class _Bar(Protocol):
    def update(self, n: float) -> object: ...

    def close(self) -> None: ...


def _lines(handle: Iterable[str], bar: _Bar | None) -> Iterator[str]:
    if bar is None:
        yield from handle
        return
    # Characters, close enough to bytes for a progress bar; counted per line but drawn per
    # 1 MiB, so the bar costs nothing on a 10,000,000-row file.
    done = 0
    for line in handle:
        done += len(line)
        if done >= _BAR_STEP:
            bar.update(done)
            done = 0
        yield line
    bar.update(done)


def _records(lines: Iterable[str], delimiter: str) -> Iterator[list[str]]:
    if delimiter == WHITESPACE:
        for line in lines:
            yield line.split()
    else:
        yield from csv.reader(lines, delimiter=delimiter)


def _read(
    file_path: Path,
    size: int,
    encoding: str,
    requested: Mapping[str, str | None],
    *,
    revenue: str | None,
    currency_filter: str | None,
    date_format: str | None,
    delimiter: str | None,
    has_header: bool | None,
    max_listed: int,
    progress: bool,
) -> OrderRows:
    with file_path.open(encoding=encoding, newline="") as handle:
        sample = handle.read(_SNIFF_CHARS)
        if not sample.strip():
            raise OrdersFileError(f"{file_path} is empty")
        used_delimiter = delimiter or sniff_delimiter(sample)
        handle.seek(0)
        bar = _progress_bar(size, progress)
        try:
            return _parse(
                _records(_lines(handle, bar), used_delimiter),
                file_path=file_path,
                encoding=encoding,
                delimiter=used_delimiter,
                requested=requested,
                revenue=revenue,
                currency_filter=currency_filter,
                date_format=date_format,
                has_header=has_header,
                max_listed=max_listed,
                progress=progress,
            )
        finally:
            if bar is not None:
                bar.close()


def _progress_bar(size: int, enabled: bool) -> _Bar | None:
    if not enabled:
        return None
    from tqdm import tqdm

    # delay: small files finish before a bar would be worth drawing.
    bar: _Bar = tqdm(
        total=size,
        unit="B",
        unit_scale=True,
        desc="reading",
        file=sys.stderr,
        delay=0.5,
        leave=False,
    )
    return bar


@dataclass
class _Columns:
    """Accepted entries gathered while streaming, as compact typed arrays.

    Text values are numbered as they are first met (customers and orders in
    :class:`StringCodes`, the few products, channels and currencies in dicts), so a row
    costs about 30 bytes however long its texts are.
    """

    customers: array[int] = field(default_factory=lambda: array("i"))
    amounts: array[float] = field(default_factory=lambda: array("d"))
    rows: array[int] = field(default_factory=lambda: array("i"))
    orders: array[int] = field(default_factory=lambda: array("i"))
    channels: array[int] = field(default_factory=lambda: array("i"))
    products: array[int] = field(default_factory=lambda: array("i"))
    currencies: array[int] = field(default_factory=lambda: array("b"))
    synthetic: bytearray = field(default_factory=bytearray)
    customer_codes: StringCodes = field(default_factory=StringCodes)
    order_codes: StringCodes = field(default_factory=StringCodes)
    # Per order code: the entry of its first accepted row (-1 for "row N" labels of lines
    # without an order id, which no later line continues).
    order_first: array[int] = field(default_factory=lambda: array("i"))
    channel_codes: dict[str, int] = field(default_factory=dict)
    product_codes: dict[str, int] = field(default_factory=dict)
    currency_codes: dict[str, int] = field(default_factory=dict)
    currency_names: list[str] = field(default_factory=list)
    # Per customer code: the code of their name in ``names`` (-1: none yet).
    name_of: array[int] = field(default_factory=lambda: array("i"))
    names: StringCodes = field(default_factory=lambda: StringCodes(lookup=False))
    repeated_totals: int = 0

    def __len__(self) -> int:
        return len(self.amounts)


# Date cells are read with the format detected from the first distinct dates, as many as
# this (or all of them in a smaller file); rows met before that are kept pending.
_DATE_SAMPLE = 5000
_DATE_CACHE = 20_000


class _Dates:
    """Each entry's day, parsed while streaming once the date format is known.

    Until then (the first :data:`_DATE_SAMPLE` distinct dates), an entry's slot holds the
    position of its text among the distinct dates seen, and is read when the format is
    chosen.
    """

    def __init__(
        self, fmt: DateFormat | None, label: str, skips: _Skips, rows: array[int], path: Path
    ) -> None:
        self.fmt = fmt
        self.label = label
        self.skips = skips
        self.rows = rows  # spreadsheet row of each entry
        self.path = path
        self.days = array("i")
        self.ok = bytearray()
        self.distinct: dict[str, int] = {}
        self.failed: dict[int, str] = {}  # entry -> reason
        self.cache: dict[str, int | str] = {}

    def add(self, entry: int, text: str) -> None:
        if self.fmt is None:
            position = self.distinct.setdefault(text, len(self.distinct))
            self.days.append(position)
            self.ok.append(1)
            if len(self.distinct) >= _DATE_SAMPLE:
                self.detect()
            return
        self._parse(entry, text, append=True)

    def inherit(self, entry: int, first: int) -> None:
        """The entry's date is the one of ``first`` (the first line of its order)."""
        self.days.append(self.days[first])
        good = self.ok[first]
        self.ok.append(good)
        if self.fmt is not None and not good:
            self.failed[entry] = self.failed[first]
            self.skips.add(
                self.rows[entry], self.label, "unreadable date", self.failed[entry], later=True
            )

    def _parse(self, entry: int, text: str, *, append: bool) -> None:
        got = self.cache.get(text)
        if got is None and self.fmt is not None:
            try:
                got = self.fmt.parse(text).toordinal() - _EPOCH
            except ValueError as exc:
                got = f"{exc}; the other dates in this column read as {self.fmt.label}"
            if len(self.cache) >= _DATE_CACHE:
                self.cache.clear()  # bounded: shop exports have a distinct time on each order
            self.cache[text] = got
        day, good = (got, 1) if isinstance(got, int) else (0, 0)
        if append:
            self.days.append(day)
            self.ok.append(good)
        else:
            self.days[entry] = day
            self.ok[entry] = good
        if not good:
            got = str(got)
            self.failed[entry] = got
            self.skips.add(self.rows[entry], self.label, "unreadable date", got, later=True)

    def detect(self) -> None:
        """Choose the format from the distinct dates seen, then read the entries so far."""
        texts = list(self.distinct)
        fmt = detect_date_format(texts)
        if fmt is None:
            example = texts[0] if texts else ""
            raise OrdersFileError(
                f'{self.path}: no date in column "{self.label}" could be read '
                f"(e.g. {example!r}); pass --date-format, e.g. --date-format %d.%m.%Y"
            )
        self.fmt = fmt
        for entry in range(len(self.days)):
            self._parse(entry, texts[self.days[entry]], append=False)

    def note(self) -> str | None:
        fmt = self.fmt
        if fmt is None or not fmt.ambiguous_with or not self.distinct:
            return None
        sample = next(iter(self.distinct))
        sep = next((ch for ch in sample if not ch.isdigit()), "/")
        other = "%m{0}%d{0}%Y" if fmt.ambiguous_with.startswith("MM") else "%d{0}%m{0}%Y"
        return (
            f"Every date could be read as {fmt.label} or {fmt.ambiguous_with}; read as "
            f"{fmt.label}. If that is wrong, rerun with --date-format {other.format(sep)}."
        )


_CHUNK_ROWS = 20_000


def _chunks(records: Iterator[list[str]], size: int) -> Iterator[list[list[str]]]:
    while True:
        chunk = list(itertools.islice(records, size))
        if not chunk:
            return
        yield chunk


def _parse(
    records: Iterator[list[str]],
    *,
    file_path: Path,
    encoding: str,
    delimiter: str,
    requested: Mapping[str, str | None],
    revenue: str | None,
    currency_filter: str | None,
    date_format: str | None,
    has_header: bool | None,
    max_listed: int,
    progress: bool,
) -> OrderRows:
    skips = _Skips(max_listed)
    row_number = 0
    blank = 0
    first: list[str] | None = None
    try:
        for record in records:
            row_number += 1
            if any(cell.strip() for cell in record):
                first = record
                break
            blank += 1
    except csv.Error as exc:
        raise OrdersFileError(f"{file_path}: row {row_number + 1}: {exc}") from None
    if first is None:
        raise OrdersFileError(f"{file_path} is empty")
    header_present = looks_like_header(first, requested) if has_header is None else has_header
    headers = [h.strip() for h in first] if header_present else None
    try:
        cols = resolve_columns(headers, len(first), requested, revenue=revenue)
    except ColumnError as exc:
        raise OrdersFileError(f"{file_path}: {exc}") from None

    out = _Columns()
    currencies: dict[str, list[int]] = {}  # code -> [rows, first row]
    dates = _Dates(
        strptime_format(date_format) if date_format else None,
        cols.label["date"],
        skips,
        out.rows,
        file_path,
    )
    state = _RowState(cols, currency_filter, skips, out, currencies, dates)
    rows_read = 0
    try:
        if headers is None:
            rows_read += 1
            state.prefetch([first])
            state.take(row_number, first)
        for chunk in _chunks(records, _CHUNK_ROWS):
            state.prefetch(chunk)
            for record in chunk:
                row_number += 1
                if not any(cell.strip() for cell in record):
                    blank += 1
                    continue
                rows_read += 1
                state.take(row_number, record)
            state.end_chunk()
    except csv.Error as exc:
        raise OrdersFileError(f"{file_path}: row {row_number + 1}: {exc}") from None

    if rows_read == 0:
        raise OrdersFileError(f"{file_path} has a header row but no data rows")
    if not len(out):
        raise OrdersFileError(f"{file_path}: no usable rows out of {rows_read}: {_top(skips)}")
    chosen_currency = _check_currencies(currencies, currency_filter)
    if dates.fmt is None:
        dates.detect()
    skips.by_reason.update(skips.later)
    notes = [n for n in (dates.note(),) if n]
    fmt = dates.fmt
    if fmt is None:  # detect() either sets it or raises
        raise OrdersFileError(f"{file_path}: no date could be read")
    out.customer_codes.close()
    out.order_codes.close(searchable=False)

    ok = np.frombuffer(dates.ok, dtype=np.uint8).astype(bool)
    keep: np.ndarray | None = None if ok.all() else np.flatnonzero(ok)
    if keep is not None and keep.size == 0:
        raise OrdersFileError(f"{file_path}: no usable rows out of {rows_read}: {_top(skips)}")

    def column(values: array[int] | array[float] | bytearray, dtype: type) -> np.ndarray:
        got: np.ndarray = np.frombuffer(values, dtype=dtype) if len(values) else np.zeros(0, dtype)
        return _frozen(got if keep is None else got[keep])

    skipped = skips.listed()
    currency_codes, currency_table = _currencies(out, chosen_currency, currencies, column)
    return OrderRows(
        customer_codes=column(out.customers, np.int32),
        customer_table=_frozen(out.customer_codes.strings()),
        days=column(dates.days, np.int32),
        amounts=column(out.amounts, np.float64),
        row_numbers=column(out.rows, np.int32),
        order_codes=column(out.orders, np.int32) if "order" in cols else None,
        order_table=out.order_codes if "order" in cols else None,
        channel_codes=column(out.channels, np.int32) if "channel" in cols else None,
        channel_table=_table(out.channel_codes) if "channel" in cols else None,
        product_codes=column(out.products, np.int32) if "product" in cols else None,
        product_table=_table(out.product_codes) if "product" in cols else None,
        currency=chosen_currency,
        columns=dict(cols.label),
        skipped=skipped,
        rows_read=rows_read,
        rows_skipped=skips.count,
        skipped_by_reason=dict(skips.by_reason.most_common()),
        blank_lines=blank,
        encoding={"utf-8-sig": "UTF-8"}.get(encoding, encoding),
        delimiter=delimiter,
        has_header=header_present,
        date_format=fmt.label,
        notes=tuple(notes),
        ignored_columns=cols.ignored,
        currency_codes=currency_codes,
        currency_table=currency_table,
        customer_names=CustomerNames(out),
        customer_strings=out.customer_codes,
        revenue_basis=revenue_basis(cols, headers),
        refund_entries=int(np.count_nonzero(column(out.synthetic, np.uint8))),
        repeated_totals=out.repeated_totals,
    )


def _table(codes: Mapping[str, int]) -> np.ndarray:
    table = np.empty(len(codes), dtype=object)
    table[:] = list(codes)
    return _frozen(table)


class CustomerNames(Mapping[str, str]):
    """Customer id -> name, for the customers whose rows named them (first name wins)."""

    def __init__(self, out: _Columns) -> None:
        self._customers = out.customer_codes
        self._name_of = (
            np.frombuffer(out.name_of, dtype=np.int32)
            if len(out.name_of)
            else np.zeros(0, np.int32)
        )
        self._names = out.names

    def __getitem__(self, customer: str) -> str:
        code = self._customers.find(customer)
        if code < 0 or code >= self._name_of.size or self._name_of[code] < 0:
            raise KeyError(customer)
        return self._names.text(int(self._name_of[code]))

    def __iter__(self) -> Iterator[str]:
        for code in np.flatnonzero(self._name_of >= 0).tolist():
            yield self._customers.text(code)

    def __len__(self) -> int:
        return int(np.count_nonzero(self._name_of >= 0))


def _currencies(
    out: _Columns,
    main: str | None,
    seen: Mapping[str, list[int]],
    column: Callable[[array[int] | bytearray, type], np.ndarray],
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Each kept row's currency code; rows without one count in the main currency."""
    if len(seen) < 2:
        return None, None
    table = np.empty(len(out.currency_names), dtype=object)
    table[:] = [c or (main or "") for c in out.currency_names]
    return column(out.currencies, np.int8), _frozen(table)


def revenue_basis(cols: ColumnMap, headers: list[str] | None) -> str:
    """One sentence saying what revenue is made of in this file."""
    amount = cols.label["amount"]
    name = normalise_header(amount) if headers is not None else ""
    refunded = (
        f', less "{cols.label["refunded"]}" (taken once per order)' if "refunded" in cols else ""
    )
    taxes = " and ".join(f'"{t}"' for t in cols.tax_shipping_labels)
    if cols.order_level_amount:
        once = f'each order\'s "{amount}", counted once per order (not per line)'
        if name in SUBTOTAL_NAMES:
            return (
                f"Revenue is {once}{refunded}: products after discounts, without taxes and "
                "shipping (--revenue subtotal)."
            )
        tail = (
            f"; it includes taxes and shipping ({taxes}), the default (--revenue total): "
            "rerun with --revenue subtotal to leave them out"
            if taxes
            else ""
        )
        return f"Revenue is {once}{refunded}{tail}."
    if cols.multiply_by_quantity:
        return (
            f'Revenue is the sum of "{amount}" × "{cols.label["quantity"]}" over each order\'s '
            f"lines{refunded}: the file has no order total, so discounts, shipping and taxes "
            "are not in it."
        )
    if cols.shop_layout and name in {"lineitemprice", "unitprice", "price"}:
        return (
            f'Revenue is the sum of "{amount}" over each order\'s lines (no quantity column '
            f"was found){refunded}: the file has no order total, so discounts, shipping and "
            "taxes are not in it."
        )
    tail = ""
    if taxes and name in SUBTOTAL_NAMES:
        tail = f"; it leaves out taxes and shipping ({taxes})"
    elif taxes:
        has_subtotal = headers is not None and any(
            normalise_header(h) in SUBTOTAL_NAMES for h in headers
        )
        tail = f"; a total normally includes taxes and shipping ({taxes})" + (
            ": rerun with --revenue subtotal to leave them out" if has_subtotal else ""
        )
    return f'Revenue is the "{amount}" column as written{refunded}{tail}.'


def _top(skips: _Skips) -> str:
    """The commonest skip reasons with the first example, for a one-line error."""
    reasons = "; ".join(f"{k} ({n:,})" for k, n in skips.by_reason.most_common(3))
    example = skips.listed()[:1]
    return reasons + (f" — e.g. {example[0]}" if example else "")


def _frozen(values: np.ndarray) -> np.ndarray:
    values.setflags(write=False)
    return values


def _optional(values: list[str], keep: np.ndarray, present: bool) -> np.ndarray | None:
    if not present:
        return None
    return _frozen(np.array(values, dtype=object)[keep])


class _RowState:
    """Validates one record at a time and appends accepted values to ``out``."""

    def __init__(
        self,
        cols: ColumnMap,
        currency_filter: str | None,
        skips: _Skips,
        out: _Columns,
        currencies: dict[str, list[int]],
        dates: _Dates,
    ) -> None:
        self.cols = cols
        self.idx = cols.index
        self.label = cols.label
        self.needed = max(cols.index.values()) + 1
        # Roles the file lacks read a sentinel column appended after the last recognised
        # one (records are cut to that width first, so an unrecognised column such as
        # "notes" is never read), and the hot path below is plain list indexing.
        absent = self.needed
        self.i_status = cols.index.get("status", absent)
        self.i_cancelled = cols.index.get("cancelled", absent)
        self.i_order = cols.index.get("order", absent)
        self.i_customer = cols.index["customer"]
        self.i_date = cols.index["date"]
        self.i_amount = cols.index["amount"]
        self.i_quantity = cols.index.get("quantity", absent)
        self.i_currency = cols.index.get("currency", absent)
        self.i_channel = cols.index.get("channel", absent)
        self.i_product = cols.index.get("product", absent)
        self.i_refunded = cols.index.get("refunded", absent)
        self.i_name = cols.index.get("name", absent)
        self.has_order = "order" in cols.index
        self.has_channel = "channel" in cols.index
        self.has_product = "product" in cols.index
        self.has_refunded = "refunded" in cols.index
        self.has_name = "name" in cols.index
        self.order_level = cols.order_level_amount
        self.currency_filter = currency_filter
        self.skips = skips
        self.out = out
        self.currencies = currencies
        self.dates = dates
        self.excluded: dict[str, tuple[int, str]] = {}  # order -> (row, why) of voided orders

    def take(self, row: int, record: list[str]) -> None:
        skip = self.skips.add
        width = len(record)
        if width < self.needed:
            missing = [r for r, i in self.idx.items() if i >= width]
            role = min(missing, key=lambda r: self.idx[r])
            # A short row is fine when only optional columns are cut off (some exports drop
            # trailing empty cells); a missing customer, date or amount is not.
            if role in ("customer", "date", "amount"):
                skip(
                    row,
                    self.label[role],
                    "missing field",
                    f"the row has only {width} fields, so this column is missing",
                )
                return
            record.extend([""] * (self.needed - width))
        elif width > self.needed:
            del record[self.needed :]
        record.append("")  # the sentinel for absent roles
        order = record[self.i_order].strip()
        status = record[self.i_status].strip().lower()
        if status in _EXCLUDED_STATUSES:
            skip(
                row,
                self.label["status"],
                f"status {status}",
                f'status "{status}": not a completed sale',
            )
            if order:
                self.excluded.setdefault(order, (row, f'status "{status}"'))
            return
        cancelled_at = record[self.i_cancelled].strip()
        if cancelled_at:
            skip(
                row,
                self.label["cancelled"],
                "cancelled",
                f"cancelled on {cancelled_at}: not a completed sale",
            )
            if order:
                self.excluded.setdefault(order, (row, "cancelled"))
            return
        if order and order in self.excluded:
            first_row, why = self.excluded[order]
            skip(
                row,
                self.label["order"],
                "line of a voided order",
                f'a line of order "{order}", left out ({why} on row {first_row})',
            )
            return
        customer = record[self.i_customer].strip()
        date_text = record[self.i_date].strip()
        amount_text = record[self.i_amount].strip()
        out = self.out
        order_code = out.order_codes.get(order) if order else -1
        first = out.order_first[order_code] if order_code >= 0 else -1
        earlier = first >= 0
        customer_code = -1
        if earlier:
            if not customer:
                customer_code = out.customers[first]
                customer = out.customer_codes.text(customer_code)
            if self.order_level:
                # An order-level total is counted on the order's first line only, whether
                # later lines leave it empty or repeat it.
                if amount_text:
                    out.repeated_totals += 1
                amount_text = "0"
            else:
                amount_text = amount_text or "0"
        if not customer:
            skip(row, self.label["customer"], "empty customer", "the customer is empty")
            return
        if "@" in customer:
            customer = customer.lower()  # e-mail addresses are case-insensitive in practice
        if not date_text and not earlier:
            skip(row, self.label["date"], "empty date", "the date is empty")
            return
        try:
            parsed = parse_amount(amount_text)
        except ValueError as exc:
            kind = "empty amount" if not amount_text else "not a number"
            skip(row, self.label["amount"], kind, str(exc))
            return
        value = parsed.value
        if self.cols.multiply_by_quantity:
            qty_text = record[self.i_quantity].strip() or "1"
            try:
                value *= parse_amount(qty_text).value
            except ValueError as exc:
                skip(row, self.label["quantity"], "not a number", str(exc))
                return
        refund = 0.0
        if self.has_refunded and not earlier:
            refund_text = record[self.i_refunded].strip()
            if refund_text:
                try:
                    refund = abs(parse_amount(refund_text).value)
                except ValueError as exc:
                    skip(row, self.label["refunded"], "not a number", str(exc))
                    return
        if value < 0 and not order:
            reason = (
                f"negative amount {value:g}: a refund can only be netted into its order, "
                "and this row has no order id"
                if self.has_order
                else f"negative amount {value:g}: refunds need an order column (--order) "
                "to be netted into their order"
            )
            skip(row, self.label["amount"], "negative amount", reason)
            return
        code = record[self.i_currency].strip().upper() or parsed.currency or ""
        if not code and earlier:
            code = out.currency_names[out.currencies[first]]
        if self.currency_filter and code and not _same_currency(code, self.currency_filter):
            column = self.label.get("currency", self.label["amount"])
            skip(
                row,
                column,
                f"currency {code}",
                f"currency {code}, not {self.currency_filter} (--currency-filter)",
            )
            return
        if customer_code < 0:
            customer_code = out.customer_codes.get(customer)
        if earlier and out.customers[first] != customer_code:
            skip(
                row,
                self.label["customer"],
                "order of another customer",
                f'order "{order}" belongs to customer '
                f'"{out.customer_codes.text(out.customers[first])}" (row {out.rows[first]}), '
                f'not "{customer}"',
            )
            return
        if customer_code < 0:
            customer_code = out.customer_codes.add(customer)
            out.name_of.append(-1)
        if order and not earlier:
            # This row is the order's first: later lines take its customer, date, currency.
            if order_code < 0:
                order_code = out.order_codes.add(order)
                out.order_first.append(len(out))
            else:  # the "row N" label of a line without an order id, now a real order too
                out.order_first[order_code] = len(out)
        if code:
            seen = self.currencies.setdefault(code, [0, row])
            seen[0] += 1
        if self.has_name:
            name = record[self.i_name].strip()
            if name and out.name_of[customer_code] < 0:
                out.name_of[customer_code] = out.names.add(name)
        entry = len(out)
        self._append(row, customer_code, value, order, order_code, record, code, synthetic=False)
        if date_text:
            self.dates.add(entry, date_text)
        else:
            self.dates.inherit(entry, first)
        if refund > 0:
            # The refund is netted into its order like a refund line (see orders_aggregate).
            # Without an order column it nets into the customer's purchases of that day.
            self._append(row, customer_code, -refund, order, order_code, None, code, synthetic=True)
            self.dates.inherit(entry + 1, entry)

    def _append(
        self,
        row: int,
        customer_code: int,
        value: float,
        order: str,
        order_code: int,
        record: list[str] | None,
        code: str,
        *,
        synthetic: bool,
    ) -> None:
        out = self.out
        out.customers.append(customer_code)
        out.amounts.append(value)
        out.rows.append(row)
        currency = out.currency_codes.get(code)
        if currency is None:
            currency = out.currency_codes[code] = len(out.currency_names)
            out.currency_names.append(code)
        out.currencies.append(currency)
        out.synthetic.append(synthetic)
        if self.has_order:
            if not order:
                # A line without an order id is an order of its own.
                label = f"row {row}"
                order_code = out.order_codes.get(label)
                if order_code < 0:
                    order_code = out.order_codes.add(label)
                    out.order_first.append(-1)
            out.orders.append(order_code)
        if self.has_channel:
            channel = "" if record is None else record[self.i_channel].strip()
            out.channels.append(out.channel_codes.setdefault(channel, len(out.channel_codes)))
        if self.has_product:
            product = "" if record is None else record[self.i_product].strip()
            out.products.append(out.product_codes.setdefault(product, len(out.product_codes)))

    def prefetch(self, records: list[list[str]]) -> None:
        """Make the customer and order lookups of this chunk exact (see StringCodes)."""
        out = self.out
        i, width = self.i_customer, self.i_customer + 1
        customers = (r[i].strip() for r in records if len(r) >= width)
        out.customer_codes.prefetch(c.lower() if "@" in c else c for c in customers)
        if self.has_order:
            i, width = self.i_order, self.i_order + 1
            out.order_codes.prefetch(r[i].strip() for r in records if len(r) >= width)

    def end_chunk(self) -> None:
        self.out.customer_codes.end_chunk()
        self.out.order_codes.end_chunk()


def _same_currency(code: str, wanted: str) -> bool:
    if code == "$":
        return wanted in _DOLLAR_CODES or wanted == "$"
    return code == wanted


def _check_currencies(
    currencies: Mapping[str, list[int]], currency_filter: str | None
) -> str | None:
    """The currency kept (``currency_filter``) or the main one: the most rows."""
    if currency_filter:
        return currency_filter
    if not currencies:
        return None
    return min(currencies, key=lambda c: (-currencies[c][0], c))


def select_rows(rows: OrderRows, keep: np.ndarray) -> OrderRows:
    """The same export restricted to the entries where ``keep`` (a boolean mask) is True.

    File-level facts (rows read and skipped, columns, notes) stay as they were: they
    describe the file, not the selection.
    """
    keep = np.asarray(keep, dtype=bool)

    def pick(values: np.ndarray | None) -> np.ndarray | None:
        return None if values is None else _frozen(values[keep])

    return replace(
        rows,
        customer_codes=_frozen(rows.customer_codes[keep]),
        days=_frozen(rows.days[keep]),
        amounts=_frozen(rows.amounts[keep]),
        row_numbers=_frozen(rows.row_numbers[keep]),
        order_codes=pick(rows.order_codes),
        channel_codes=pick(rows.channel_codes),
        product_codes=pick(rows.product_codes),
        currency_codes=pick(rows.currency_codes),
    )
