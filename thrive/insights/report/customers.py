"""Per-customer totals from the order table, shared by the KPI, RFM and CLV sections."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from thrive.insights.orders_aggregate import Orders

__all__ = ["CustomerTotals", "customer_totals"]


@dataclass(frozen=True)
class CustomerTotals:
    """One entry per customer with at least one purchase, sorted by customer id."""

    ids: np.ndarray  # int32 customer keys (positions in ``Orders.customer_names``)
    orders: np.ndarray  # int64: purchases
    spent: np.ndarray  # float64: purchases less their stand-alone refunds
    first_order: np.ndarray  # datetime64[D]
    last_order: np.ndarray  # datetime64[D]
    index: np.ndarray  # int64: customer position of every purchase in ``Orders``


def customer_totals(orders: Orders) -> CustomerTotals:
    """Count, sum and date range of each customer's purchases.

    Stand-alone refunds reduce the spend of the customer they belong to; a refund from a
    customer without any purchase in the file only reduces total revenue.
    """
    ids, index = np.unique(orders.customer_keys, return_inverse=True)
    n = ids.size
    counts = np.bincount(index, minlength=n).astype(np.int64)
    spent = np.bincount(index, weights=orders.amounts, minlength=n)
    if orders.refund_amounts.size:
        refund_keys = orders.refund_customer_keys
        pos = np.searchsorted(ids, refund_keys)
        pos = np.minimum(pos, max(n - 1, 0))
        known = ids[pos] == refund_keys if n else np.zeros(0, bool)
        np.add.at(spent, pos[known], orders.refund_amounts[known])
    day = orders.dates.astype(np.int64)
    first = np.full(n, np.iinfo(np.int64).max)
    last = np.full(n, np.iinfo(np.int64).min)
    np.minimum.at(first, index, day)
    np.maximum.at(last, index, day)
    return CustomerTotals(
        ids=ids,
        orders=counts,
        spent=spent,
        first_order=first.astype("datetime64[D]"),
        last_order=last.astype("datetime64[D]"),
        index=index.astype(np.int64),
    )
