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
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from thrive.insights.orders_csv import OrderRows

__all__ = ["Orders", "aggregate_orders"]


@dataclass(frozen=True)
class Orders:
    """Purchases (one entry per order, sorted by date) and stand-alone refunds.

    ``baskets`` (when the export has products) holds the distinct products of each basket
    with at least one product. ``refund_*`` arrays hold orders whose net is negative.
    """

    order_ids: np.ndarray  # object array of str
    customer_ids: np.ndarray  # object array of str
    dates: np.ndarray  # datetime64[D]
    amounts: np.ndarray  # float64, >= 0
    channels: np.ndarray | None
    baskets: tuple[tuple[str, ...], ...] | None
    refund_customer_ids: np.ndarray
    refund_dates: np.ndarray
    refund_amounts: np.ndarray  # float64, < 0
    fully_refunded: int
    refund_lines: int

    @property
    def net_revenue(self) -> float:
        """Purchases less stand-alone refunds."""
        return float(self.amounts.sum() + self.refund_amounts.sum())


def aggregate_orders(rows: OrderRows) -> Orders:
    """Group ``rows`` into orders following the module rules."""
    n = rows.amounts.size
    if rows.order_ids is None:
        # Several lines of one customer on one day are one visit (one basket, one purchase).
        day_text = rows.dates.astype(str)
        keys = np.array(
            [f"{c}\x1f{d}" for c, d in zip(rows.customer_ids, day_text, strict=True)],
            dtype=object,
        )
    else:
        keys = rows.order_ids
    uniq, first_index, inverse = np.unique(keys, return_index=True, return_inverse=True)
    m = uniq.size
    # Rounding to 1e-6 keeps float noise such as -1e-15 from turning a fully refunded
    # order into a negative one.
    net = np.round(np.bincount(inverse, weights=rows.amounts, minlength=m), 6)
    refund_line = rows.amounts < 0
    has_refund = np.bincount(inverse, weights=refund_line, minlength=m) > 0
    day = rows.dates.astype(np.int64)
    first_day = np.full(m, np.iinfo(np.int64).max)
    np.minimum.at(first_day, inverse, day)
    customers = rows.customer_ids[first_index]
    dates = first_day.astype("datetime64[D]")

    purchase = ~has_refund | (net > 0)
    refund_only = net < 0
    fully_refunded = int(np.count_nonzero(has_refund & (net == 0)))

    channels = None
    if rows.channels is not None:
        channels = np.empty(m, dtype=object)
        channels[:] = ""
        # Walk backwards so each order keeps its first non-empty channel in file order.
        for i in range(n - 1, -1, -1):
            if rows.channels[i]:
                channels[inverse[i]] = rows.channels[i]

    order = np.flatnonzero(purchase)
    by_date = order[np.lexsort((uniq[order].astype(str), dates[order]))]
    baskets = None
    if rows.products is not None:
        per_order = _baskets(rows.products, rows.amounts, inverse, m)
        baskets = tuple(per_order[i] for i in order if per_order[i])
    refunds = np.flatnonzero(refund_only)
    return Orders(
        order_ids=_frozen(uniq[by_date]),
        customer_ids=_frozen(customers[by_date]),
        dates=_frozen(dates[by_date]),
        amounts=_frozen(net[by_date].astype(np.float64)),
        channels=None if channels is None else _frozen(channels[by_date]),
        baskets=baskets,
        refund_customer_ids=_frozen(customers[refunds]),
        refund_dates=_frozen(dates[refunds]),
        refund_amounts=_frozen(net[refunds].astype(np.float64)),
        fully_refunded=fully_refunded,
        refund_lines=int(np.count_nonzero(refund_line)),
    )


def _frozen(values: np.ndarray) -> np.ndarray:
    values = np.ascontiguousarray(values)
    values.setflags(write=False)
    return values


def _baskets(
    products: np.ndarray, amounts: np.ndarray, inverse: np.ndarray, m: int
) -> list[tuple[str, ...]]:
    """Distinct products per order; a product whose lines net to a refund is left out."""
    per_order: list[dict[str, list[float]]] = [defaultdict(lambda: [0.0, 0.0]) for _ in range(m)]
    for k, product, amount in zip(inverse, products, amounts, strict=True):
        if not product:
            continue
        totals = per_order[k][product]
        totals[0] += amount
        if amount < 0:
            totals[1] += 1
    return [
        tuple(sorted(p for p, (total, refunds) in d.items() if refunds == 0 or total > 0))
        for d in per_order
    ]
