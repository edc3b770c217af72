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

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

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

    order_ids: np.ndarray  # object array of str
    customer_ids: np.ndarray  # object array of str
    dates: np.ndarray  # datetime64[D]
    amounts: np.ndarray  # float64, >= 0
    channels: np.ndarray | None
    basket_ids: np.ndarray | None  # int64
    basket_products: np.ndarray | None  # object array of str
    refund_customer_ids: np.ndarray
    refund_dates: np.ndarray
    refund_amounts: np.ndarray  # float64, < 0
    fully_refunded: int
    refund_lines: int

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


def _factorize[K: Hashable](values: Iterable[K]) -> tuple[list[K], np.ndarray]:
    """Distinct values in order of first appearance, and each value's position among them.

    A dict pass is linear; ``np.unique`` on object arrays sorts Python strings, which is
    several times slower on exports with hundreds of thousands of orders.
    """
    positions: dict[K, int] = {}
    codes = [positions.setdefault(v, len(positions)) for v in values]
    return list(positions), np.asarray(codes, dtype=np.int64)


def aggregate_orders(rows: OrderRows) -> Orders:
    """Group ``rows`` into orders following the module rules."""
    day = rows.dates.astype(np.int64)
    if rows.order_ids is None:
        # Several lines of one customer on one day are one visit (one basket, one purchase).
        visits, inverse = _factorize(
            zip(rows.customer_ids.tolist(), rows.dates.astype(str).tolist(), strict=True)
        )
        labels = np.array([f"{c} {d}" for c, d in visits], dtype=object)
    else:
        orders, inverse = _factorize(rows.order_ids.tolist())
        labels = np.array(orders, dtype=object)
    m = labels.size
    # Rounding to 1e-6 keeps float noise such as -1e-15 from turning a fully refunded
    # order into a negative one.
    net = np.round(np.bincount(inverse, weights=rows.amounts, minlength=m), 6)
    refund_line = rows.amounts < 0
    has_refund = np.bincount(inverse, weights=refund_line, minlength=m) > 0
    first_day = np.full(m, np.iinfo(np.int64).max)
    np.minimum.at(first_day, inverse, day)
    first_row = np.full(m, rows.amounts.size, dtype=np.int64)
    np.minimum.at(first_row, inverse, np.arange(rows.amounts.size))
    customers = rows.customer_ids[first_row]
    dates = first_day.astype("datetime64[D]")

    purchase = ~has_refund | (net > 0)
    refund_only = net < 0
    order = np.flatnonzero(purchase)
    by_date = order[np.argsort(dates[order], kind="stable")]

    channels = None
    if rows.channels is not None:
        channels = _first_non_empty(rows.channels, inverse, m)[by_date]
    basket_ids = basket_products = None
    if rows.products is not None:
        rank = np.full(m, -1, dtype=np.int64)
        rank[by_date] = np.arange(by_date.size)
        basket_ids, basket_products = _baskets(rows.products, rows.amounts, rank[inverse])
    refunds = np.flatnonzero(refund_only)
    return Orders(
        order_ids=_frozen(labels[by_date]),
        customer_ids=_frozen(customers[by_date]),
        dates=_frozen(dates[by_date]),
        amounts=_frozen(net[by_date].astype(np.float64)),
        channels=None if channels is None else _frozen(channels),
        basket_ids=None if basket_ids is None else _frozen(basket_ids),
        basket_products=None if basket_products is None else _frozen(basket_products),
        refund_customer_ids=_frozen(customers[refunds]),
        refund_dates=_frozen(dates[refunds]),
        refund_amounts=_frozen(net[refunds].astype(np.float64)),
        fully_refunded=int(np.count_nonzero(has_refund & (net == 0))),
        refund_lines=int(np.count_nonzero(refund_line)),
    )


def _frozen(values: np.ndarray) -> np.ndarray:
    values = np.ascontiguousarray(values)
    values.setflags(write=False)
    return values


def _first_non_empty(values: np.ndarray, inverse: np.ndarray, m: int) -> np.ndarray:
    """Per order, its first non-empty value in file order ("" when all are empty)."""
    out = np.empty(m, dtype=object)
    out[:] = ""
    filled = np.array([bool(v) for v in values.tolist()], dtype=bool)
    rows = np.flatnonzero(filled)[::-1]  # reversed: the earliest write lands last and wins
    out[inverse[rows]] = values[rows]
    return out


def _baskets(
    products: np.ndarray, amounts: np.ndarray, purchase_rank: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (basket, product) pairs of purchases, numbered by purchase date order.

    ``purchase_rank`` is each line's purchase position (-1 for lines of orders that are not
    purchases). A product whose lines in a basket include a refund and net to <= 0 was
    returned and is left out.
    """
    names, codes = _factorize(products.tolist())
    keep_line = (purchase_rank >= 0) & np.array([bool(p) for p in names], dtype=bool)[codes]
    pair = purchase_rank[keep_line] * len(names) + codes[keep_line]
    pairs, pair_index = np.unique(pair, return_inverse=True)
    net = np.bincount(pair_index, weights=amounts[keep_line], minlength=pairs.size)
    refunded = np.bincount(pair_index, weights=amounts[keep_line] < 0, minlength=pairs.size)
    pairs = pairs[(refunded == 0) | (net > 0)]
    purchase = pairs // len(names)
    # Renumber baskets densely: purchases without any product have no basket.
    _, basket_ids = np.unique(purchase, return_inverse=True)
    product_names = np.array(names, dtype=object)[pairs % len(names)]
    return basket_ids.astype(np.int64), product_names
