"""Descriptive sections: headline KPIs, monthly trend, cohorts, RFM segments, cross-sell.

The analytics themselves live in :mod:`thrive.insights` (rfm, cohorts, growth, forecast,
basket); this module only prepares their inputs from the order table and keeps what the
report shows.
"""

from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import date

import numpy as np
import scipy.sparse as sp

from thrive.insights.basket import association_rules, frequent_itemsets
from thrive.insights.cohorts import cohort_matrix_from_counts, period_start
from thrive.insights.growth import GrowthMetrics, revenue_growth
from thrive.insights.orders_aggregate import Orders
from thrive.insights.report.customers import CustomerTotals
from thrive.insights.report.sections import (
    CohortSection,
    CrossSell,
    Kpis,
    RfmSection,
    Rule,
    Segment,
    Trend,
)
from thrive.insights.rfm import (
    RFM_SEGMENT_DESCRIPTIONS,
    rfm_scores,
    rfm_segment_name,
    rfm_segments,
)

__all__ = [
    "compute_cohorts",
    "compute_cross_sell",
    "compute_kpis",
    "compute_rfm",
    "compute_trend",
    "monthly_revenue",
    "to_date",
]

MAX_COHORTS = 24
MAX_PERIODS = 24
MAX_RULES = 15
MIN_BASKETS = 10
MAX_ITEMSET_LEN = 3
MAX_RULE_CANDIDATES = 200_000


def to_date(day: np.datetime64) -> date:
    """A numpy day as a :class:`datetime.date`."""
    return date.fromordinal(int(day.astype("datetime64[D]").astype(np.int64)) + 719163)


def monthly_revenue(orders: Orders, last: date) -> tuple[np.ndarray, np.ndarray]:
    """Months (datetime64[M], contiguous, first order to ``last``) and their net revenue.

    Stand-alone refunds count in the month they were booked.
    """
    months = orders.dates.astype("datetime64[M]")
    refund_months = orders.refund_dates.astype("datetime64[M]")
    every = np.concatenate([months, refund_months, [np.datetime64(last, "M")]])
    start, end = every.min(), every.max()
    axis = np.arange(start, end + np.timedelta64(1, "M"), dtype="datetime64[M]")
    offsets = (months - start).astype(np.int64)
    revenue = np.bincount(offsets, weights=orders.amounts, minlength=axis.size)
    if refund_months.size:
        np.add.at(revenue, (refund_months - start).astype(np.int64), orders.refund_amounts)
    return axis, revenue


def _last_month_is_partial(last: date) -> bool:
    # A file that stops more than three days before a month's end doesn't cover that month;
    # a shop that is merely closed on the 30th and 31st still counts as a full month.
    days_in_month = calendar.monthrange(last.year, last.month)[1]
    return last.day < days_in_month - 3


def compute_kpis(orders: Orders, totals: CustomerTotals, as_of: np.datetime64) -> Kpis:
    """Revenue, orders, customers, repeat rate, AOV and growth (see :func:`_read_growth`).

    ``as_of`` is the last day the file covers (its latest date of any kind).
    """
    revenue = orders.net_revenue
    n_orders = int(orders.amounts.size)
    n_customers = int(totals.ids.size)
    repeat = int(np.count_nonzero(totals.orders >= 2))
    first = to_date(orders.dates.min())
    last = to_date(as_of)
    growth, label = _growth(orders, last)
    return Kpis(
        revenue=revenue,
        orders=n_orders,
        customers=n_customers,
        repeat_customers=repeat,
        repeat_rate=repeat / n_customers if n_customers else float("nan"),
        average_order_value=revenue / n_orders if n_orders else float("nan"),
        growth=growth,
        growth_label=label,
        first_date=first,
        last_date=last,
    )


def _growth(orders: Orders, last: date) -> tuple[float | None, str]:
    """Growth of revenue via :func:`thrive.insights.growth.revenue_growth`."""
    months, revenue = monthly_revenue(orders, last)
    if _last_month_is_partial(last):
        months, revenue = months[:-1], revenue[:-1]
    if months.size < 2:
        return None, "needs two full months of orders"
    result = revenue_growth(revenue, months)
    return _read_growth(result)


def _read_growth(result: GrowthMetrics) -> tuple[float | None, str]:
    """The steadiest comparison the series allows: trailing twelve months year on year,
    else the last month against the same month a year earlier, else against the month
    before."""
    months = [str(m) for m in result.months]
    last = _month_words(months[-1])
    if result.ttm.size >= 24 and np.isfinite(result.ttm[-13]) and result.ttm[-13] > 0:
        return float(result.ttm[-1] / result.ttm[-13] - 1.0), (
            f"12 months to {last} vs the 12 before"
        )
    if np.isfinite(result.yoy[-1]):
        return float(result.yoy[-1]), f"{last} vs {_month_words(months[-13])}"
    if np.isfinite(result.mom[-1]):
        return float(result.mom[-1]), f"{last} vs {_month_words(months[-2])}"
    return None, "no earlier month with revenue to compare with"


def _month_words(month: str) -> str:
    y, m = month.split("-")
    return f"{calendar.month_abbr[int(m)]} {y}"


def compute_trend(orders: Orders, last: date) -> Trend:
    """Monthly revenue (the forecast is added by :mod:`report.predictive`)."""
    months, revenue = monthly_revenue(orders, last)
    partial = _last_month_is_partial(last)
    labels = tuple(str(m) for m in months)
    full_months = months[:-1] if partial else months
    trend = Trend(months=labels, revenue=revenue, partial_last_month=partial)
    if full_months.size < 6:
        return _with_note(trend, "A forecast needs at least six full months of orders.")
    # The forecast comes from the customer-base models (report.predictive.add_forecast):
    # a trend line through revenue extrapolates past acquisition that may have stopped.
    return trend


def _with_note(trend: Trend, note: str) -> Trend:
    return Trend(
        months=trend.months,
        revenue=trend.revenue,
        partial_last_month=trend.partial_last_month,
        forecast_note=note,
    )


def compute_cohorts(orders: Orders, as_of: np.datetime64) -> CohortSection:
    """Monthly acquisition cohorts (the counts of :func:`thrive.insights.cohorts.cohort_matrix`).

    When the file stops early in its last month, that month is left out: its cells would
    read as a drop in retention that is only missing days. Only the newest
    :data:`MAX_COHORTS` cohorts and the first :data:`MAX_PERIODS` months after acquisition
    are kept, so the heat map stays readable on a page.
    """
    last = to_date(as_of)
    through = as_of
    if _last_month_is_partial(last):
        through = np.datetime64(last, "M").astype("datetime64[D]") - np.timedelta64(1, "D")
    # Purchases are sorted by date, so the complete months are a prefix of them.
    kept = int(np.searchsorted(orders.dates, through, side="right"))
    if kept == 0:
        raise ValueError("the file has no complete month of orders yet")
    cohort, offset, active = _cohort_counts(orders.customer_keys[:kept], orders.dates[:kept])
    cm = cohort_matrix_from_counts(
        period_start(cohort, "month"), offset, active, period="month", as_of=through
    )
    hidden = max(0, int(cm.cohorts.size) - MAX_COHORTS)
    rows = slice(hidden, None)
    periods = min(int(cm.offsets.size), MAX_PERIODS)
    return CohortSection(
        cohorts=tuple(str(c.astype("datetime64[M]")) for c in cm.cohorts[rows]),
        sizes=tuple(int(v) for v in cm.cohort_sizes[rows]),
        periods=tuple(int(v) for v in cm.offsets[:periods]),
        retention=np.asarray(cm.retention[rows, :periods], dtype=np.float64),
        hidden_cohorts=hidden,
        through=to_date(through),
        partial_month_left_out=bool(through != as_of),
    )


def _cohort_counts(
    keys: np.ndarray, dates: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per (acquisition month, months since) the customers active, from purchases sorted
    by date: the aggregates ``cohort_matrix`` makes from raw orders, on int32 keys and
    one int64 cell per purchase (``cohort_matrix`` sorts and groups several int64 copies
    of every purchase: ~400 MB at 10,000,000 rows). The section shows retention only,
    which the revenue does not change."""
    month = dates.astype("datetime64[M]").astype(np.int32)
    first = np.full(int(keys.max()) + 1, np.iinfo(np.int32).max, dtype=np.int32)
    np.minimum.at(first, keys, month)
    month -= first[keys]  # months since the customer's first purchase
    span = int(month.max()) + 1
    cell = keys.astype(np.int64)
    cell *= span
    cell += month
    del month
    cell.sort()
    distinct = np.empty(cell.size, dtype=bool)
    distinct[:1] = True
    np.not_equal(cell[1:], cell[:-1], out=distinct[1:])
    cell = cell[distinct]
    del distinct
    customer, since = np.divmod(cell, span)
    del cell
    acquired = first[customer].astype(np.int64)
    low = int(acquired.min())
    counts = np.bincount((acquired - low) * span + since, minlength=0)
    found = np.flatnonzero(counts)
    cohort, offset = np.divmod(found, span)
    return cohort + low, offset, counts[found]


def _basket_matrix(
    basket_ids: np.ndarray, codes: np.ndarray, n_baskets: int, n_products: int
) -> sp.csr_array:
    """Baskets x products, 1 where bought, from (basket, product) pairs sorted by basket
    then product with no repeats (the canonical CSR form, so nothing is re-sorted)."""
    index = np.int32 if codes.size < 2**31 else np.int64
    indptr = np.zeros(n_baskets + 1, dtype=index)
    np.cumsum(np.bincount(basket_ids, minlength=n_baskets), out=indptr[1:])
    matrix = sp.csr_array(
        (np.ones(codes.size, dtype=bool), codes.astype(index, copy=False), indptr),
        shape=(n_baskets, n_products),
    )
    matrix.has_canonical_format = True
    return matrix


def segment_name(key: str) -> str:
    """``"cant_lose_them"`` -> ``"Can't lose them"``."""
    return rfm_segment_name(key)


def compute_rfm(totals: CustomerTotals, as_of: np.datetime64) -> RfmSection:
    """Customers and revenue per RFM segment (:mod:`thrive.insights.rfm`).

    Recency is days from the customer's last order to the end of the data, frequency the
    number of orders, monetary the customer's net spend.
    """
    recency = (as_of - totals.last_order).astype(np.int64).astype(np.float64)
    scores = rfm_scores(recency, totals.orders.astype(np.float64), totals.spent, bins=5)
    labels = np.asarray(rfm_segments(scores))
    total_revenue = float(totals.spent.sum())
    segments: list[Segment] = []
    for key, meaning in RFM_SEGMENT_DESCRIPTIONS.items():
        mask = labels == key
        revenue = float(totals.spent[mask].sum())
        segments.append(
            Segment(
                key=key,
                name=segment_name(key),
                meaning=meaning,
                customers=int(mask.sum()),
                revenue=revenue,
                share_of_revenue=revenue / total_revenue if total_revenue else float("nan"),
            )
        )
    return RfmSection(segments=tuple(segments), as_of=to_date(as_of))


def compute_cross_sell(orders: Orders) -> CrossSell | None:
    """Association rules between products bought together (:mod:`thrive.insights.basket`).

    Returns None when the export has no product column. Support threshold: a set must
    appear in at least :data:`MIN_BASKETS` baskets and 0.5% of baskets, so rules are not
    built on a couple of coincidences. Rules kept: confidence >= 10% and lift > 1, best
    lift first. Itemsets stop at three products and rules at :data:`MAX_RULE_CANDIDATES`
    (the most frequent sets first); ``cut`` says when that bound left anything out. What
    was found is kept even when no rule passes (``pairs_found``, ``best_lift``).
    """
    if orders.basket_ids is None or orders.basket_codes is None or orders.product_names is None:
        return None
    n = orders.n_baskets
    min_confidence = 0.1
    if n == 0:
        return CrossSell(rules=(), baskets=0, min_support=1.0, min_confidence=min_confidence)
    min_support = min(1.0, max(MIN_BASKETS / n, 0.005))
    min_baskets = int(np.ceil(min_support * n - 1e-9))
    empty = CrossSell(
        rules=(),
        baskets=n,
        min_support=min_support,
        min_confidence=min_confidence,
        min_baskets=min_baskets,
    )
    if n < MIN_BASKETS or orders.basket_ids.size == n:  # too few, or no basket has two
        return empty
    # Mined on the baskets as a 0/1 matrix over the int32 product codes (the pairs are
    # already one per basket and product, codes ascending), not on names to sort and
    # factorise: codes order as the names do, so the itemsets are the same, then named.
    itemsets = frequent_itemsets(
        _basket_matrix(orders.basket_ids, orders.basket_codes, n, orders.product_names.size),
        min_support=min_support,
        n_orders=n,
        max_len=MAX_ITEMSET_LEN,
    )
    itemsets = replace(itemsets, products=orders.product_names[itemsets.products])
    found = association_rules(
        itemsets, metric="confidence", min_threshold=0.0, max_rules=MAX_RULE_CANDIDATES
    )
    pairs = int(np.count_nonzero(itemsets.lengths == 2))
    best = float(found.lift.max()) if len(found) else None
    order = np.lexsort((-found.support, -found.lift))
    rules: list[Rule] = []
    for i in order:
        if found.lift[i] <= 1.0 or found.confidence[i] < min_confidence:
            continue
        antecedent, consequent = found.rule(int(i))
        rules.append(
            Rule(
                antecedent=tuple(sorted(str(p) for p in antecedent)),
                consequent=tuple(sorted(str(p) for p in consequent)),
                support=float(found.support[i]),
                confidence=float(found.confidence[i]),
                lift=float(found.lift[i]),
            )
        )
        if len(rules) == MAX_RULES:
            break
    cut = ""
    if found.cut:
        cut = (
            f"{found.candidates:,} possible rules is more than the {MAX_RULE_CANDIDATES:,} "
            f"worked through: only the {found.itemsets_used:,} most frequent product sets "
            f"were used, {found.itemsets_left_out:,} were left out."
        )
    return CrossSell(
        rules=tuple(rules),
        baskets=n,
        min_support=min_support,
        min_confidence=min_confidence,
        min_baskets=min_baskets,
        pairs_found=pairs,
        best_lift=best,
        cut=cut,
    )
