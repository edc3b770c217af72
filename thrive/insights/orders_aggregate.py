"""Turn accepted export rows (often one per line item) into one entry per order.

Rules (shown to people in the report's "how this is computed" notes):

* With an order column, rows sharing an order id are one order: its amount is the sum of
  its lines, refund lines included, and its date is the earliest line's date.
* An order with refund lines whose net amount is zero or less is **not a purchase**: it
  counts as fully refunded. When the net is below zero (a refund booked as an order of
  its own), that negative amount still reduces the customer's and the month's revenue.
* An order without refund lines and a zero amount (a free sample) is still a purchase.
* Without an order column, a customer's rows on one day are one order (one visit, one
  basket), as is usual for till exports and in the CLV literature (CDNOW).
* A purchase's basket is its distinct products, leaving out a product whose lines net to
  a refund (bought and returned).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from thrive.insights.orders_csv import OrderRows
from thrive.insights.orders_strings import StringCodes, StringTable

__all__ = ["Orders", "aggregate_orders"]


@dataclass(frozen=True)
class Orders:
    """Purchases (one entry per order, sorted by date) and stand-alone refunds.

    Baskets (when the export has products) are two parallel arrays, one entry per distinct
    (basket, product): ``basket_ids`` numbers the baskets 0..n_baskets-1 and
    ``basket_codes`` gives the product as its position in ``product_names`` (sorted, so
    codes order as the names do); ``basket_products`` names them on demand. Only
    purchases with a product have a basket.
    ``refund_*`` arrays hold orders whose net is negative.
    """

    # Each purchase's customer as a key: its position in ``customer_names``, the sorted
    # table of customer ids, so keys sort, group and compare exactly as the id strings do
    # and the analysis never holds millions of string pointers (int32, not object).
    customer_keys: np.ndarray  # int32
    # The sorted ids: an object array, or (from an export read by ``read_order_rows``) a
    # StringTable that decodes only the ids asked for.
    customer_names: np.ndarray | StringTable
    dates: np.ndarray  # datetime64[D]
    amounts: np.ndarray  # float64, >= 0
    channels: np.ndarray | None
    basket_ids: np.ndarray | None  # int32
    # int32 codes, not an object array of names: 8,000,000 pairs at 10,000,000 rows.
    basket_codes: np.ndarray | None  # int32 into product_names
    product_names: np.ndarray | None  # object array of str, sorted
    refund_customer_keys: np.ndarray  # int32 into customer_names
    refund_dates: np.ndarray
    refund_amounts: np.ndarray  # float64, < 0
    fully_refunded: int
    refund_lines: int
    # Each purchase's customer as a code into the export's customer table (cheap to count).
    customer_codes: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    # The order labels are made only when asked for: a big export has millions.
    labels: Callable[[], np.ndarray] = field(
        default=lambda: np.zeros(0, dtype=object), repr=False, compare=False
    )

    @property
    def customer_ids(self) -> np.ndarray:
        """Each purchase's customer id (made on demand: a big export has millions)."""
        return np.asarray(self.customer_names[self.customer_keys])

    @property
    def basket_products(self) -> np.ndarray | None:
        """Each (basket, product) pair's product name (made on demand)."""
        if self.basket_codes is None or self.product_names is None:
            return None
        return self.product_names[self.basket_codes]

    @property
    def refund_customer_ids(self) -> np.ndarray:
        return np.asarray(self.customer_names[self.refund_customer_keys])

    @property
    def order_ids(self) -> np.ndarray:
        """Each purchase's order id (or "customer date" without an order column)."""
        return self.labels()

    @property
    def net_revenue(self) -> float:
        """Purchases less stand-alone refunds."""
        return float(self.amounts.sum() + self.refund_amounts.sum())

    @property
    def n_baskets(self) -> int:
        if self.basket_ids is None or self.basket_ids.size == 0:
            return 0
        return int(self.basket_ids.max()) + 1

    @property
    def baskets(self) -> tuple[tuple[str, ...], ...] | None:
        """Each basket's products, sorted (handy for reading and tests, slow for big files)."""
        products = self.basket_products
        if self.basket_ids is None or products is None:
            return None
        out: list[list[str]] = [[] for _ in range(self.n_baskets)]
        for b, p in zip(self.basket_ids, products, strict=True):
            out[b].append(str(p))
        return tuple(tuple(sorted(products)) for products in out)


def _first_seen(keys: np.ndarray, n_codes: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Groups of equal ``keys`` numbered in order of first appearance, as a dict pass over
    the values would number them: each entry's group, and each group's first entry.

    ``n_codes``: the keys are codes below it (customers, orders, products of an export),
    numbered by the reader in order of first appearance, so the common case needs no sort.
    """
    n = keys.size
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if n_codes is None:
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
    else:
        # int32 throughout: a 10,000,000-row export has far fewer than 2**31 codes, and
        # halving these arrays is what keeps the report under 1 GB.
        present = np.zeros(n_codes, dtype=bool)
        present[keys] = True
        dense = np.cumsum(present, dtype=np.int32) - 1
        del present
        inverse = dense[keys]
        first = np.full(int(dense[-1]) + 1, n, dtype=np.int64)
        del dense
        # Reversed, so that of the repeated groups the earliest entry is written last.
        first[inverse[::-1]] = np.arange(n - 1, -1, -1, dtype=np.int32)
        if first.size < 2 or bool(np.all(first[1:] > first[:-1])):
            return inverse, first
    order = np.argsort(first, kind="stable")
    rank = np.empty(order.size, dtype=np.int32 if order.size < 2**31 else np.int64)
    rank[order] = np.arange(order.size)
    return rank[inverse], first[order].astype(np.int64)


# Rows aggregated at a time when the export has an order column: each slice's temporaries
# (~75 bytes a row) are freed before the next, so a 10,000,000-row export's aggregation
# holds per-order accumulators and ~20 MB of slice rather than ~700 MB of per-row copies.
SLICE_ROWS = 1 << 18


def aggregate_orders(
    rows: OrderRows, keep: np.ndarray | None = None, *, slice_rows: int | None = SLICE_ROWS
) -> Orders:
    """Group ``rows`` (those where the boolean mask ``keep`` is True, if given) into orders
    following the module rules.

    With an order column the rows are read ``slice_rows`` at a time into per-order
    accumulators (orders are numbered by the reader in order of first appearance, so
    the slices merge per order code) and the figures are identical to aggregating every
    row at once (``slice_rows=None``, kept as the reference the tests compare with): sums
    are accumulated line by line in file order, as ``np.bincount`` adds them.
    """
    if rows.order_codes is not None and rows.order_table is not None and slice_rows:
        return _aggregate_sliced(rows, rows.order_codes, rows.order_table, keep, slice_rows)

    def pick(values: np.ndarray) -> np.ndarray:
        return values if keep is None else values[keep]

    day = pick(rows.days)
    if rows.order_codes is None:
        # Several lines of one customer on one day are one visit (one basket, one purchase).
        low = int(day.min()) if day.size else 0
        span = int(day.max()) - low + 1 if day.size else 1
        key = pick(rows.customer_codes).astype(np.int64) * span + (day.astype(np.int64) - low)
        inverse, first_row = _first_seen(key)
        del key
    else:
        table = rows.order_table
        inverse, first_row = _first_seen(pick(rows.order_codes), len(table) if table else None)
    m = first_row.size
    first_day = np.full(m, np.iinfo(np.int32).max, dtype=np.int32)
    np.minimum.at(first_day, inverse, day)
    first_codes = pick(rows.customer_codes)[first_row] if keep is not None else None
    customer_codes = first_codes if first_codes is not None else rows.customer_codes[first_row]
    labels_from = _label_source(rows, keep, first_row, day)
    del day
    amounts = pick(rows.amounts)
    # Rounding to 1e-6 keeps float noise such as -1e-15 from turning a fully refunded
    # order into a negative one.
    net = np.round(np.bincount(inverse, weights=amounts, minlength=m), 6)
    refund_line = amounts < 0
    has_refund = np.zeros(m, dtype=bool)
    has_refund[inverse[refund_line]] = True
    refund_lines = int(np.count_nonzero(refund_line))
    del refund_line
    dates = first_day.astype("datetime64[D]")

    purchase = ~has_refund | (net > 0)
    refund_only = net < 0
    order = np.flatnonzero(purchase)
    by_date = order[np.argsort(dates[order], kind="stable")]

    channels = None
    if rows.channel_codes is not None and rows.channel_table is not None:
        channels = _first_non_empty(pick(rows.channel_codes), rows.channel_table, inverse, m)[
            by_date
        ]
    baskets = None
    if rows.product_codes is not None and rows.product_table is not None:
        rank = np.full(m, -1, dtype=np.int32 if m < 2**31 else np.int64)
        rank[by_date] = np.arange(by_date.size)
        line_rank = rank[inverse]
        del rank, inverse
        baskets = _baskets(pick(rows.product_codes), rows.product_table, amounts, line_rank)
    del amounts
    refunds = np.flatnonzero(refund_only)
    return _finish(
        rows,
        customer_codes,
        by_date,
        refunds,
        dates,
        net,
        has_refund,
        refund_lines,
        channels,
        baskets,
        labels_from(by_date),
    )


def _finish(
    rows: OrderRows,
    customer_codes: np.ndarray,
    by_date: np.ndarray,
    refunds: np.ndarray,
    dates: np.ndarray,
    net: np.ndarray,
    has_refund: np.ndarray,
    refund_lines: int,
    channels: np.ndarray | None,
    baskets: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    labels: Callable[[], np.ndarray],
) -> Orders:
    """The :class:`Orders` from per-order figures (``by_date``: the purchases in date order,
    ``refunds``: the stand-alone refunds), with customer keys in the order of the ids."""
    customer_table = rows.customer_table
    purchase_customers = customer_codes[by_date]
    # Keys in the order of the id strings: only the customers of these orders are sorted.
    used = np.zeros(len(customer_table), dtype=bool)
    used[purchase_customers] = True
    used[customer_codes[refunds]] = True
    used_codes = np.flatnonzero(used).astype(np.int32)
    del used
    names = customer_table[used_codes]
    by_name = np.argsort(names, kind="stable")
    key_of_code = np.full(len(customer_table), -1, dtype=np.int32)
    key_of_code[used_codes[by_name]] = np.arange(by_name.size, dtype=np.int32)
    strings = rows.customer_strings
    customer_names: np.ndarray | StringTable = (
        _frozen(names[by_name])
        if strings is None
        else StringTable(_frozen(used_codes[by_name]), strings)
    )
    del used_codes, by_name, names
    return Orders(
        customer_keys=_frozen(key_of_code[purchase_customers]),
        customer_names=customer_names,
        dates=_frozen(dates[by_date].astype("datetime64[D]")),
        amounts=_frozen(net[by_date].astype(np.float64)),
        channels=None if channels is None else _frozen(channels),
        basket_ids=None if baskets is None else _frozen(baskets[0]),
        basket_codes=None if baskets is None else _frozen(baskets[1]),
        product_names=None if baskets is None else _frozen(baskets[2]),
        refund_customer_keys=_frozen(key_of_code[customer_codes[refunds]]),
        refund_dates=_frozen(dates[refunds].astype("datetime64[D]")),
        refund_amounts=_frozen(net[refunds].astype(np.float64)),
        fully_refunded=int(np.count_nonzero(has_refund & (net == 0))),
        refund_lines=refund_lines,
        customer_codes=_frozen(purchase_customers),
        labels=labels,
    )


def _slices(n_rows: int, keep: np.ndarray | None, size: int, dtype: type) -> Iterator[np.ndarray]:
    """The positions of the selected rows, ``size`` rows of the file at a time, in order."""
    for start in range(0, n_rows, size):
        stop = min(start + size, n_rows)
        if keep is None:
            yield np.arange(start, stop, dtype=dtype)
        else:
            part: np.ndarray = np.flatnonzero(keep[start:stop]).astype(dtype)
            part += start
            yield part


def latest_day(
    rows: OrderRows, keep: np.ndarray | None = None, slice_rows: int = SLICE_ROWS
) -> int:
    """The latest day (days since 1970) of the rows where ``keep``, without a copy of them."""
    latest = None
    for part in _slices(rows.days.size, keep, slice_rows, np.int64):
        if part.size:
            day = int(rows.days[part].max())
            latest = day if latest is None else max(latest, day)
    if latest is None:
        raise ValueError("zero-size array to reduction operation maximum which has no identity")
    return latest


def _aggregate_sliced(
    rows: OrderRows,
    order_codes: np.ndarray,
    order_table: StringCodes,
    keep: np.ndarray | None,
    slice_rows: int,
) -> Orders:
    """:func:`aggregate_orders` with an order column, ``slice_rows`` rows at a time.

    Pass one keeps, per order code, its first row, earliest day, running net (added line
    by line in file order with ``np.add.at``, exactly as ``np.bincount`` adds), whether it
    has a refund line, its first row with a channel; per product its first row. Orders
    are then numbered in order of first appearance among the selected rows, as the whole
    aggregation numbers them. Pass two (only with products) makes the basket pairs of
    each slice once the purchases' date ranks are known.
    """
    n_rows = int(order_codes.size)
    n_codes = len(order_table)
    index = np.int32 if n_rows < np.iinfo(np.int32).max else np.int64
    never = np.iinfo(index).max
    first_row = np.full(n_codes, never, dtype=index)
    first_day = np.full(n_codes, np.iinfo(np.int32).max, dtype=np.int32)
    total = np.zeros(n_codes, dtype=np.float64)
    has_refund = np.zeros(n_codes, dtype=bool)
    refund_lines = 0
    channel_codes, channel_table = rows.channel_codes, rows.channel_table
    product_codes, product_table = rows.product_codes, rows.product_table
    first_filled = product_first = named = refund_in_basket = filled_name = None
    if channel_codes is not None and channel_table is not None:
        filled_name = np.array([bool(v) for v in channel_table.tolist()], dtype=bool)
        first_filled = np.full(n_codes, never, dtype=index)
    if product_codes is not None and product_table is not None:
        named = np.array([bool(p) for p in product_table.tolist()], dtype=bool)
        product_first = np.full(product_table.size, never, dtype=index)
        # Orders with a refund line of a named product: only their baskets can lose one.
        refund_in_basket = np.zeros(n_codes, dtype=bool)
    for part in _slices(n_rows, keep, slice_rows, index):
        codes = order_codes[part]
        np.minimum.at(first_row, codes, part)
        np.minimum.at(first_day, codes, rows.days[part])
        amount = rows.amounts[part]
        np.add.at(total, codes, amount)
        refund = amount < 0
        del amount
        has_refund[codes[refund]] = True
        refund_lines += int(np.count_nonzero(refund))
        if first_filled is not None and filled_name is not None and channel_codes is not None:
            filled = filled_name[channel_codes[part]]
            np.minimum.at(first_filled, codes[filled], part[filled])
            del filled
        if (
            product_codes is not None
            and product_first is not None
            and named is not None
            and refund_in_basket is not None
        ):
            product = product_codes[part]
            np.minimum.at(product_first, product, part)
            refund_in_basket[codes[refund & named[product]]] = True
            del product
        del codes, refund, part

    group = np.flatnonzero(first_row != never)
    if group.size == 0:
        return aggregate_orders(rows, keep, slice_rows=None)
    firsts: np.ndarray = first_row[group]
    if group.size > 1 and not bool(np.all(firsts[1:] > firsts[:-1])):
        group = group[np.argsort(firsts, kind="stable")]
        firsts = first_row[group]
    del first_row
    # Days as int32 until the purchases are picked (half a datetime64 array).
    dates = first_day[group]
    del first_day
    net = np.round(total[group], 6)
    del total
    refunded = has_refund[group]
    del has_refund
    customer_codes = rows.customer_codes[firsts]
    del firsts
    purchase = ~refunded | (net > 0)
    order = np.flatnonzero(purchase)
    by_date = order[np.argsort(dates[order], kind="stable")]
    del order, purchase

    channels = None
    if first_filled is not None and channel_codes is not None and channel_table is not None:
        first = first_filled[group]
        del first_filled
        found = first != never
        everyone = np.empty(group.size, dtype=object)
        everyone[:] = ""
        everyone[found] = channel_table[channel_codes[first[found]]]
        channels = everyone[by_date]
        del first, found, everyone
    # Each purchase's order code, in date order (its label, and its basket's rank).
    chosen = group[by_date].astype(index)
    del group
    baskets = None
    if (
        product_codes is not None
        and product_table is not None
        and product_first is not None
        and named is not None
        and refund_in_basket is not None
    ):
        rank = np.full(n_codes, -1, dtype=np.int32 if n_codes < 2**31 else np.int64)
        rank[chosen] = np.arange(chosen.size)
        baskets = _baskets_sliced(
            rows,
            (order_codes, product_codes, product_table),
            keep,
            slice_rows,
            index,
            (rank, product_first, named, refund_in_basket),
        )
        del rank
    return _finish(
        rows,
        customer_codes,
        by_date,
        np.flatnonzero(net < 0),
        dates,
        net,
        refunded,
        refund_lines,
        channels,
        baskets,
        lambda: _frozen(order_table.take(chosen)),
    )


def _baskets_sliced(
    rows: OrderRows,
    columns: tuple[np.ndarray, np.ndarray, np.ndarray],
    keep: np.ndarray | None,
    slice_rows: int,
    index: type,
    per_order: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_baskets` a slice of rows at a time: ``rank`` is each order code's purchase
    position (-1 when not a purchase), ``product_first`` each product's first row,
    ``named`` whether a product code has a name, ``refund_in_basket`` whether an order
    code has a refund line of a named product."""
    order_codes, product_codes, product_table = columns
    rank, product_first, named, refund_in_basket = per_order
    never = np.iinfo(index).max
    # Products numbered by name among those of the selected rows (a stable sort of them
    # in order of first appearance, as the whole aggregation numbers them).
    present = np.flatnonzero(product_first != never)
    present = present[np.argsort(product_first[present], kind="stable")]
    present = present[np.argsort(product_table[present], kind="stable")]
    names = product_table[present]
    n = max(int(names.size), 1)
    # uint32 pairs when every purchase * n + product fits (3,300,000 purchases of 500
    # products do): half the memory of int64, and the same order.
    kind = np.uint32 if (int(rank.max(initial=0)) + 1) * n < 2**32 else np.int64
    number = np.zeros(product_table.size, dtype=kind)
    number[present] = np.arange(present.size)
    # One buffer for every slice's pairs (a slice's pairs are de-duplicated first, so
    # the buffer's length bounds them): no list of parts concatenated into a second copy.
    pair = np.empty(
        sum(
            int(np.count_nonzero(rank[order_codes[p]] >= 0))
            for p in _slices(int(order_codes.size), keep, slice_rows, index)
        ),
        dtype=kind,
    )
    filled = 0
    sub_pairs: list[np.ndarray] = []
    sub_amounts: list[np.ndarray] = []
    for part in _slices(int(order_codes.size), keep, slice_rows, index):
        codes = order_codes[part]
        product = product_codes[part]
        line_rank = rank[codes]
        line = (line_rank >= 0) & named[product]
        here = line_rank[line].astype(kind)
        del line_rank
        here *= n
        here += number[product[line]]
        sub = refund_in_basket[codes[line]]
        sub_pairs.append(here[sub])
        sub_amounts.append(rows.amounts[part[line]][sub])
        del codes, product, line, sub, part
        here.sort()
        if here.size:
            here = here[np.r_[True, here[1:] != here[:-1]]]
        pair[filled : filled + here.size] = here
        filled += here.size
        del here
    returned = _returned(np.concatenate(sub_pairs), np.concatenate(sub_amounts))
    del sub_pairs, sub_amounts
    held = [pair[:filled]]
    del pair
    return _basket_arrays(held, returned, n, names)


def _returned(sub_pair: np.ndarray, sub_amounts: np.ndarray) -> np.ndarray:
    """The (basket, product) pairs among these lines whose lines include a refund and net
    to <= 0: the product was bought and returned."""
    sub_pairs, sub_index = np.unique(sub_pair, return_inverse=True)
    net = np.bincount(sub_index, weights=sub_amounts, minlength=sub_pairs.size)
    refunded = np.bincount(sub_index, weights=sub_amounts < 0, minlength=sub_pairs.size)
    return sub_pairs[(refunded > 0) & (net <= 0)]


def _basket_arrays(
    held: list[np.ndarray], returned: np.ndarray, n: int, names: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Basket ids, product codes and the product names from the (purchase * n + position
    in ``names``, sorted by name) pairs (sorted in place, de-duplicated), leaving out the
    returned ones: each basket's codes ascending, as a CSR matrix wants them. The pairs
    are compacted in place (``held``: the caller's only reference to them), a slice at a
    time: ~6 bytes a pair beyond them at the peak."""
    pair = held.pop()
    pair.sort()
    first = np.empty(pair.size, dtype=bool)
    first[:1] = True
    np.not_equal(pair[1:], pair[:-1], out=first[1:])
    if returned.size:
        # Each returned pair is among the pairs (its lines are): drop its first copy.
        first[np.searchsorted(pair, returned.astype(pair.dtype))] = False
    # Kept pairs move only towards the start, so each slice is copied out (a small
    # temporary) before the positions it is written to are read.
    kept = 0
    for start in range(0, pair.size, SLICE_ROWS):
        chunk = pair[start : start + SLICE_ROWS][first[start : start + SLICE_ROWS]]
        pair[kept : kept + chunk.size] = chunk
        kept += chunk.size
    del first
    pairs = pair[:kept]
    del pair
    # int32 purchases, and the basket ids written over them.
    index = np.int32 if pairs.size < 2**31 and int(pairs.max(initial=0)) // n < 2**31 else np.int64
    purchase = np.empty(pairs.size, dtype=index)
    np.floor_divide(pairs, n, out=purchase, casting="unsafe")
    # Renumber baskets densely (pairs are sorted by purchase): purchases without any
    # product have no basket.
    new_basket = np.empty(purchase.size, dtype=bool)
    new_basket[:1] = False
    np.not_equal(purchase[1:], purchase[:-1], out=new_basket[1:])
    basket_ids = np.cumsum(new_basket, dtype=index, out=purchase)
    del new_basket, purchase
    np.remainder(pairs, n, out=pairs)
    return basket_ids, pairs.astype(np.int32), names


def _label_source(
    rows: OrderRows, keep: np.ndarray | None, first_row: np.ndarray, day: np.ndarray
) -> Callable[[np.ndarray], Callable[[], np.ndarray]]:
    """Given the purchases (as order positions), a function that makes their order ids on
    demand: the order id, or "customer date" for visits without an order column."""
    order_codes, order_table = rows.order_codes, rows.order_table
    if order_codes is not None and order_table is not None:
        codes = (order_codes if keep is None else order_codes[keep])[first_row]

        def orders(purchases: np.ndarray) -> Callable[[], np.ndarray]:
            chosen = codes[purchases]
            return lambda: _frozen(order_table.take(chosen))

        return orders
    customers = (rows.customer_codes if keep is None else rows.customer_codes[keep])[first_row]
    days = day[first_row]
    table = rows.customer_table

    def visits(purchases: np.ndarray) -> Callable[[], np.ndarray]:
        names = table[customers[purchases]]
        when = days[purchases].astype("datetime64[D]").astype(str)

        def make() -> np.ndarray:
            out = np.empty(purchases.size, dtype=object)
            out[:] = [f"{c} {d}" for c, d in zip(names.tolist(), when.tolist(), strict=True)]
            return _frozen(out)

        return make

    return visits


def _frozen(values: np.ndarray) -> np.ndarray:
    values = np.ascontiguousarray(values)
    values.setflags(write=False)
    return values


def _first_non_empty(
    codes: np.ndarray, table: np.ndarray, inverse: np.ndarray, m: int
) -> np.ndarray:
    """Per order, its first non-empty value in file order ("" when all are empty)."""
    out = np.empty(m, dtype=object)
    out[:] = ""
    non_empty = np.array([bool(v) for v in table.tolist()], dtype=bool)
    filled = non_empty[codes] if codes.size else np.zeros(0, bool)
    rows = np.flatnonzero(filled)
    first = np.full(m, codes.size, dtype=np.int64)
    np.minimum.at(first, inverse[rows], rows)
    has = first < codes.size
    out[has] = table[codes[first[has]]]
    return out


def _baskets(
    product_codes: np.ndarray,
    product_table: np.ndarray,
    amounts: np.ndarray,
    purchase_rank: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (basket, product) pairs of purchases, numbered by purchase date order.

    ``purchase_rank`` is each line's purchase position (-1 for lines of orders that are not
    purchases). A product whose lines in a basket include a refund and net to <= 0 was
    returned and is left out.
    """
    # Products numbered by name among those of these lines.
    codes, first = _first_seen(product_codes, product_table.size)
    names = product_table[product_codes[first]] if first.size else product_table[:0]
    by_name = np.argsort(names, kind="stable")
    rank = np.empty(names.size, dtype=np.int32)
    rank[by_name] = np.arange(names.size, dtype=np.int32)
    codes = rank[codes] if codes.size else codes
    names = names[by_name]
    del rank, by_name
    n = max(int(names.size), 1)
    keep_line = (
        (purchase_rank >= 0) & np.array([bool(p) for p in names.tolist()], dtype=bool)[codes]
        if codes.size
        else np.zeros(0, bool)
    )
    line_purchase = purchase_rank[keep_line]
    pair = line_purchase.astype(np.int64)
    pair *= n
    pair += codes[keep_line]
    del codes
    # Only purchases with a refund line can lose a product, so the per-pair sums (which
    # need every line's pair index, ~50 bytes a line on 10,000,000 rows) are made for their
    # lines alone; the other pairs are only de-duplicated, by sorting in place.
    kept_amounts = amounts[keep_line]
    del keep_line
    refunds = kept_amounts < 0
    with_refund = np.zeros(int(purchase_rank.max(initial=-1)) + 1, dtype=bool)
    with_refund[line_purchase[refunds]] = True
    del refunds
    sub = with_refund[line_purchase]
    del line_purchase, with_refund
    returned = _returned(pair[sub], kept_amounts[sub])
    del kept_amounts, sub
    held = [pair]
    del pair
    return _basket_arrays(held, returned, n, names)
