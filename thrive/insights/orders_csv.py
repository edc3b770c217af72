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
import os
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
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

    ``amounts`` can be negative only when ``order_ids`` is not None (refund lines). Optional
    columns that the file does not have are None. ``columns`` maps each role used to the
    header (or ``"column N"``) it was read from.
    """

    customer_ids: np.ndarray  # object array of str
    dates: np.ndarray  # datetime64[D]
    amounts: np.ndarray  # float64
    row_numbers: np.ndarray  # int64, spreadsheet row of each entry
    order_ids: np.ndarray | None
    channels: np.ndarray | None
    products: np.ndarray | None
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
    row_currencies: np.ndarray | None = None  # object array of codes ("" when none)
    customer_names: Mapping[str, str] = field(default_factory=dict)
    revenue_basis: str = ""
    refund_entries: int = 0  # entries made from a refunded-amount column, not file rows
    repeated_totals: int = 0  # later lines of an order whose order-level amount was skipped

    @property
    def rows_accepted(self) -> int:
        return int(self.amounts.size) - self.refund_entries


@dataclass
class _Skips:
    """Collects skipped rows: all are counted, the first ``limit`` are kept."""

    limit: int
    # A max-heap on row number (negated), so the earliest ``limit`` rows survive even though
    # date problems are found after the whole file has been streamed.
    heap: list[tuple[int, int, SkippedRow]] = field(default_factory=list)
    count: int = 0
    by_reason: Counter[str] = field(default_factory=Counter)

    def add(self, row: int, column: str, kind: str, reason: str) -> None:
        self.count += 1
        self.by_reason[f"{column}: {kind}" if column else kind] += 1
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
    for line in handle:
        if bar is not None:
            bar.update(len(line))  # characters, close enough to bytes for a progress bar
        yield line


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
    """Parsed-but-unvalidated values gathered while streaming."""

    customers: list[str] = field(default_factory=list)
    date_texts: list[str] = field(default_factory=list)
    amounts: list[float] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    orders: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    currencies: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    synthetic: list[bool] = field(default_factory=list)
    repeated_totals: int = 0


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
    order_first: dict[str, tuple[str, str, int, str]] = {}  # order -> customer, date, row, code
    state = _RowState(cols, currency_filter, skips, out, currencies, order_first)
    rows_read = 0
    try:
        if headers is None:
            rows_read += 1
            state.take(row_number, first)
        for record in records:
            row_number += 1
            if not any(cell.strip() for cell in record):
                blank += 1
                continue
            rows_read += 1
            state.take(row_number, record)
    except csv.Error as exc:
        raise OrdersFileError(f"{file_path}: row {row_number + 1}: {exc}") from None

    if rows_read == 0:
        raise OrdersFileError(f"{file_path} has a header row but no data rows")
    if not out.amounts:
        raise OrdersFileError(f"{file_path}: no usable rows out of {rows_read}: {_top(skips)}")
    chosen_currency = _check_currencies(currencies, currency_filter)
    notes: list[str] = []
    fmt = _choose_date_format(file_path, out, cols, date_format, notes)
    days, date_ok = _parse_dates(out, fmt, cols, skips)

    keep = np.flatnonzero(date_ok)
    if keep.size == 0:
        raise OrdersFileError(f"{file_path}: no usable rows out of {rows_read}: {_top(skips)}")
    skipped = skips.listed()
    return OrderRows(
        customer_ids=_frozen(np.array(out.customers, dtype=object)[keep]),
        dates=_frozen(days[keep]),
        amounts=_frozen(np.asarray(out.amounts, dtype=np.float64)[keep]),
        row_numbers=_frozen(np.asarray(out.rows, dtype=np.int64)[keep]),
        order_ids=_optional(out.orders, keep, "order" in cols),
        channels=_optional(out.channels, keep, "channel" in cols),
        products=_optional(out.products, keep, "product" in cols),
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
        row_currencies=_currencies(out, keep, chosen_currency, currencies),
        customer_names=out.names,
        revenue_basis=revenue_basis(cols, headers),
        refund_entries=int(np.count_nonzero(np.asarray(out.synthetic, dtype=bool)[keep])),
        repeated_totals=out.repeated_totals,
    )


def _currencies(
    out: _Columns, keep: np.ndarray, main: str | None, seen: Mapping[str, list[int]]
) -> np.ndarray | None:
    """Each kept row's currency code; rows without one count in the main currency."""
    if len(seen) < 2:
        return None
    codes = np.array([c or (main or "") for c in out.currencies], dtype=object)[keep]
    return _frozen(codes)


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
        order_first: dict[str, tuple[str, str, int, str]],
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
        self.order_first = order_first
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
        earlier = self.order_first.get(order) if order else None
        if earlier is not None:
            customer = customer or earlier[0]
            date_text = date_text or earlier[1]
            if self.order_level:
                # An order-level total is counted on the order's first line only, whether
                # later lines leave it empty or repeat it.
                if amount_text:
                    self.out.repeated_totals += 1
                amount_text = "0"
            else:
                amount_text = amount_text or "0"
        if not customer:
            skip(row, self.label["customer"], "empty customer", "the customer is empty")
            return
        if "@" in customer:
            customer = customer.lower()  # e-mail addresses are case-insensitive in practice
        if not date_text:
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
        if self.has_refunded and earlier is None:
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
        if not code and earlier is not None:
            code = earlier[3]
        if self.currency_filter and code and not _same_currency(code, self.currency_filter):
            column = self.label.get("currency", self.label["amount"])
            skip(
                row,
                column,
                f"currency {code}",
                f"currency {code}, not {self.currency_filter} (--currency-filter)",
            )
            return
        if earlier is not None and earlier[0] != customer:
            skip(
                row,
                self.label["customer"],
                "order of another customer",
                f'order "{order}" belongs to customer "{earlier[0]}" (row {earlier[2]}), '
                f'not "{customer}"',
            )
            return
        if order and earlier is None:
            self.order_first[order] = (customer, date_text, row, code)
        if code:
            seen = self.currencies.setdefault(code, [0, row])
            seen[0] += 1
        if self.has_name:
            name = record[self.i_name].strip()
            if name and customer not in self.out.names:
                self.out.names[customer] = name
        self._append(row, customer, date_text, value, order, record, code, synthetic=False)
        if refund > 0:
            # The refund is netted into its order like a refund line (see orders_aggregate).
            # Without an order column it nets into the customer's purchases of that day.
            self._append(row, customer, date_text, -refund, order, None, code, synthetic=True)

    def _append(
        self,
        row: int,
        customer: str,
        date_text: str,
        value: float,
        order: str,
        record: list[str] | None,
        code: str,
        *,
        synthetic: bool,
    ) -> None:
        out = self.out
        out.customers.append(customer)
        out.date_texts.append(date_text)
        out.amounts.append(value)
        out.rows.append(row)
        out.currencies.append(code)
        out.synthetic.append(synthetic)
        if self.has_order:
            # A line without an order id is an order of its own.
            out.orders.append(order or f"row {row}")
        if self.has_channel:
            out.channels.append("" if record is None else record[self.i_channel].strip())
        if self.has_product:
            out.products.append("" if record is None else record[self.i_product].strip())


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


def _choose_date_format(
    file_path: Path,
    out: _Columns,
    cols: ColumnMap,
    date_format: str | None,
    notes: list[str],
) -> DateFormat:
    if date_format:
        return strptime_format(date_format)
    distinct = list(dict.fromkeys(out.date_texts))
    fmt = detect_date_format(distinct[:5000] if len(distinct) > 5000 else distinct)
    if fmt is None:
        example = distinct[0] if distinct else ""
        raise OrdersFileError(
            f'{file_path}: no date in column "{cols.label["date"]}" could be read '
            f"(e.g. {example!r}); pass --date-format, e.g. --date-format %d.%m.%Y"
        )
    if fmt.ambiguous_with:
        sample = distinct[0]
        sep = next((ch for ch in sample if not ch.isdigit()), "/")
        other = "%m{0}%d{0}%Y" if fmt.ambiguous_with.startswith("MM") else "%d{0}%m{0}%Y"
        notes.append(
            f"Every date could be read as {fmt.label} or {fmt.ambiguous_with}; read as "
            f"{fmt.label}. If that is wrong, rerun with --date-format {other.format(sep)}."
        )
    return fmt


def _parse_dates(
    out: _Columns, fmt: DateFormat, cols: ColumnMap, skips: _Skips
) -> tuple[np.ndarray, np.ndarray]:
    """Day numbers (datetime64[D]) for each gathered row, and which rows parsed."""
    cache: dict[str, int | str] = {}
    days = np.zeros(len(out.date_texts), dtype=np.int64)
    ok = np.ones(len(out.date_texts), dtype=bool)
    label = cols.label["date"]
    for i, text in enumerate(out.date_texts):
        got = cache.get(text)
        if got is None:
            try:
                got = fmt.parse(text).toordinal() - _EPOCH
            except ValueError as exc:
                got = f"{exc}; the other dates in this column read as {fmt.label}"
            cache[text] = got
        if isinstance(got, str):
            ok[i] = False
            skips.add(out.rows[i], label, "unreadable date", got)
        else:
            days[i] = got
    return days.astype("datetime64[D]"), ok


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
        customer_ids=_frozen(rows.customer_ids[keep]),
        dates=_frozen(rows.dates[keep]),
        amounts=_frozen(rows.amounts[keep]),
        row_numbers=_frozen(rows.row_numbers[keep]),
        order_ids=pick(rows.order_ids),
        channels=pick(rows.channels),
        products=pick(rows.products),
        row_currencies=pick(rows.row_currencies),
    )
