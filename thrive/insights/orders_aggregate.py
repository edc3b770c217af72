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

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from thrive.insights.orders_csv import OrderRows

__all__ = ["Orders", "aggregate_orders"]


@dataclass(frozen=True)
class Orders:
    """Purchases (one entry per order, sorted by date) and stand-alone refunds.

    Baskets (when the export has products) are two parallel arrays, one entry per distinct
    (basket, product): ``basket_ids`` numbers the baskets 0..n_baskets-1 and
    ``basket_products`` names the product. Only purchases with a product have a basket.
    ``refund_*`` arrays hold orders whose net is negative.
    """

    # Each purchase's customer as a key: its position in ``customer_names``, the sorted
    # table of customer ids, so keys sort, group and compare exactly as the id strings do
    # and the analysis never holds millions of string pointers (int32, not object).
    customer_keys: np.ndarray  # int32
    customer_names: np.ndarray  # object array of str, sorted
    dates: np.ndarray  # datetime64[D]
    amounts: np.ndarray  # float64, >= 0
    channels: np.ndarray | None
    basket_ids: np.ndarray | None  # int64
    basket_products: np.ndarray | None  # object array of str
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
        return self.customer_names[self.customer_keys]

    @property
    def refund_customer_ids(self) -> np.ndarray:
        return self.customer_names[self.refund_customer_keys]

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
        if self.basket_ids is None or self.basket_products is None:
            return None
        out: list[list[str]] = [[] for _ in range(self.n_baskets)]
        for b, p in zip(self.basket_ids, self.basket_products, strict=True):
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


def aggregate_orders(rows: OrderRows, keep: np.ndarray | None = None) -> Orders:
    """Group ``rows`` (those where the boolean mask ``keep`` is True, if given) into orders
    following the module rules.

    With ``keep``, each column is selected only while it is used, so aggregating the main
    currency of a 10,000,000-row export never holds a second copy of the whole table.
    """

    def pick(values: np.ndarray) -> np.ndarray:
        return values if keep is None else values[keep]

    customer_table = rows.customer_table
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
    basket_ids = basket_products = None
    if rows.product_codes is not None and rows.product_table is not None:
        rank = np.full(m, -1, dtype=np.int32 if m < 2**31 else np.int64)
        rank[by_date] = np.arange(by_date.size)
        line_rank = rank[inverse]
        del rank, inverse
        basket_ids, basket_products = _baskets(
            pick(rows.product_codes), rows.product_table, amounts, line_rank
        )
    del amounts
    refunds = np.flatnonzero(refund_only)
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
    names = names[by_name]
    del used_codes, by_name
    return Orders(
        customer_keys=_frozen(key_of_code[purchase_customers]),
        customer_names=_frozen(names),
        dates=_frozen(dates[by_date]),
        amounts=_frozen(net[by_date].astype(np.float64)),
        channels=None if channels is None else _frozen(channels),
        basket_ids=None if basket_ids is None else _frozen(basket_ids),
        basket_products=None if basket_products is None else _frozen(basket_products),
        refund_customer_keys=_frozen(key_of_code[customer_codes[refunds]]),
        refund_dates=_frozen(dates[refunds]),
        refund_amounts=_frozen(net[refunds].astype(np.float64)),
        fully_refunded=int(np.count_nonzero(has_refund & (net == 0))),
        refund_lines=refund_lines,
        customer_codes=_frozen(purchase_customers),
        labels=labels_from(by_date),
    )


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
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (basket, product) pairs of purchases, numbered by purchase date order.

    ``purchase_rank`` is each line's purchase position (-1 for lines of orders that are not
    purchases). A product whose lines in a basket include a refund and net to <= 0 was
    returned and is left out.
    """
    # Products numbered in order of first appearance among these lines, as before.
    codes, first = _first_seen(product_codes, product_table.size)
    names = product_table[product_codes[first]] if first.size else product_table[:0]
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
    sub_pairs, sub_index = np.unique(pair[sub], return_inverse=True)
    sub_amounts = kept_amounts[sub]
    del kept_amounts, sub
    net = np.bincount(sub_index, weights=sub_amounts, minlength=sub_pairs.size)
    refunded = np.bincount(sub_index, weights=sub_amounts < 0, minlength=sub_pairs.size)
    returned = sub_pairs[(refunded > 0) & (net <= 0)]
    del sub_index, sub_amounts, net, refunded, sub_pairs
    pair.sort()
    pairs = pair[np.r_[True, pair[1:] != pair[:-1]]] if pair.size else pair
    del pair
    if returned.size:
        pairs = pairs[~np.isin(pairs, returned, assume_unique=True)]
    purchase = pairs // n
    # Renumber baskets densely (pairs are sorted by purchase): purchases without any
    # product have no basket.
    basket_ids = np.cumsum(np.r_[False, purchase[1:] != purchase[:-1]], dtype=np.int64)
    if not purchase.size:
        basket_ids = np.zeros(0, np.int64)
    product_names = names[pairs % n] if pairs.size else np.zeros(0, dtype=object)
    return basket_ids, product_names
