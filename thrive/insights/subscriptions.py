"""Subscription metrics per calendar month: MRR, its movements, churn and retention.

Conventions
-----------
* A subscription with ``start`` and ``end`` (``end`` exclusive — the first day it no
  longer runs; NaT = still running) is *active on day d* when ``start <= d < end``.
* Snapshots are taken on the **last day of each month**.  For month m, "opening" is the
  snapshot on the last day of m - 1 and "closing" the snapshot on the last day of m.
  Subscriptions that start and end between two snapshots are never seen (documented
  limitation of snapshot MRR, as in most SaaS dashboards).
* Movements are measured per *customer* (``customer_ids``; default: each subscription is
  its own customer), with MRR_c(d) = Σ monthly amounts of c's subscriptions active on d.
  For month m, with o = MRR_c(opening), e = MRR_c(closing):

      mrr[m]             = Σ_c e
      new_mrr[m]         = Σ_{o = 0 < e} e                 (includes reactivations)
      reactivation_mrr[m] = the part of new_mrr from customers who had a subscription
                            starting on or before the opening day (they came back)
      expansion_mrr[m]   = Σ_{0 < o < e} (e - o)
      contraction_mrr[m] = Σ_{0 < e < o} (o - e)
      churned_mrr[m]     = Σ_{o > 0 = e} o
      customer_churn_rate[m] = #{o > 0 = e} / #{o > 0}
      net_revenue_retention[m]   = (opening_mrr - churned - contraction + expansion)
                                   / opening_mrr
      gross_revenue_retention[m] = (opening_mrr - churned - contraction) / opening_mrr

  so that ``mrr = opening_mrr + new + expansion - contraction - churned`` exactly
  (the MRR bridge; cf. D. Skok, "SaaS Metrics 2.0", and the NRR/GRR definitions used in
  SaaS reporting).  Rates are NaN when the month opens with no paying customers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["SubscriptionMetrics", "cohort_retention", "subscription_metrics"]


@dataclass(frozen=True, slots=True)
class SubscriptionMetrics:
    """Monthly series, all of length ``len(months)``."""

    months: np.ndarray  # datetime64[M]
    mrr: np.ndarray  # closing MRR
    opening_mrr: np.ndarray
    new_mrr: np.ndarray
    expansion_mrr: np.ndarray
    contraction_mrr: np.ndarray
    churned_mrr: np.ndarray
    reactivation_mrr: np.ndarray  # part of new_mrr: customers who had subscribed before
    customers: np.ndarray  # int64, paying customers at close
    opening_customers: np.ndarray  # int64
    churned_customers: np.ndarray  # int64
    customer_churn_rate: np.ndarray  # NaN when opening_customers == 0
    net_revenue_retention: np.ndarray  # NaN when opening_mrr == 0
    gross_revenue_retention: np.ndarray  # NaN when opening_mrr == 0

    @property
    def first_time_mrr(self) -> np.ndarray:
        """New MRR from customers who never subscribed before."""
        return self.new_mrr - self.reactivation_mrr


def _rate(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den where den > 0, else NaN; an overflowing ratio is NaN too, never inf."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return np.where(np.isfinite(out), out, np.nan)


def subscription_metrics(
    start_dates: np.ndarray,
    end_dates: np.ndarray,
    monthly_amounts: np.ndarray,
    *,
    months: np.ndarray,
    customer_ids: np.ndarray | None = None,
) -> SubscriptionMetrics:
    """Monthly MRR bridge, customer churn and net/gross revenue retention.

    ``start_dates``/``end_dates`` are datetime64 (end exclusive, NaT = open),
    ``monthly_amounts`` the recurring monthly amount (>= 0) of each subscription,
    ``months`` the calendar months to report (anything convertible to datetime64[M]).
    Empty subscriptions give all-zero MRR with NaN rates.  Raises ``ValueError`` on
    mismatched lengths, NaT starts, end < start, negative or non-finite amounts, or
    empty ``months``.
    """
    start = np.asarray(start_dates).astype("datetime64[D]").reshape(-1)
    end = np.asarray(end_dates).astype("datetime64[D]").reshape(-1)
    amount = np.asarray(monthly_amounts, dtype=np.float64).reshape(-1)
    mon = np.asarray(months).astype("datetime64[M]").reshape(-1)
    if not (start.size == end.size == amount.size):
        raise ValueError("start_dates, end_dates and monthly_amounts must have equal length")
    if mon.size == 0:
        raise ValueError("months must not be empty")
    if np.any(np.isnat(mon)):
        raise ValueError("months must not contain NaT")
    if np.any(np.isnat(start)):
        raise ValueError("start_dates must not contain NaT")
    if not np.all(np.isfinite(amount)) or np.any(amount < 0):
        raise ValueError("monthly_amounts must be finite and non-negative")
    open_ended = np.isnat(end)
    if np.any(end[~open_ended] < start[~open_ended]):
        raise ValueError("an end date precedes its start date")
    if customer_ids is None:
        cust = np.arange(start.size)
    else:
        ids = np.asarray(customer_ids).reshape(-1)
        if ids.size != start.size:
            raise ValueError("customer_ids must have one id per subscription")
        cust = np.unique(ids, return_inverse=True)[1].reshape(-1)
    n_cust = int(cust.max()) + 1 if cust.size else 0

    # Snapshots on the last day of each month before a reported month (opening) and of
    # each reported month (closing); months need not be contiguous or sorted.
    one_month, one_day = np.timedelta64(1, "M"), np.timedelta64(1, "D")
    snap_months = np.concatenate([mon - one_month, mon])
    snap_days = ((snap_months + one_month).astype("datetime64[D]") - one_day).astype(np.int64)
    start_i = start.astype(np.int64)
    # An open subscription never ends: any snapshot day is before int64 max.
    end_i = np.where(open_ended, np.iinfo(np.int64).max, end.astype(np.int64))
    mrr_c = np.zeros((snap_days.size, n_cust), dtype=np.float64)  # [snapshot, customer]
    for s, day in enumerate(snap_days):
        active = (start_i <= day) & (day < end_i)
        mrr_c[s] = np.bincount(cust[active], weights=amount[active], minlength=n_cust)
    o = mrr_c[: mon.size]
    e = mrr_c[mon.size :]
    paying_o = o > 0
    paying_e = e > 0
    new = np.where(~paying_o & paying_e, e, 0.0).sum(axis=1)
    # A customer's first start: before the opening day means they had subscribed before.
    first_start = np.full(n_cust, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_start, cust, start_i)
    before = first_start[None, :] <= snap_days[: mon.size, None]
    reactivation = np.where(~paying_o & paying_e & before, e, 0.0).sum(axis=1)
    expansion = np.where(paying_o & (e > o), e - o, 0.0).sum(axis=1)
    contraction = np.where(paying_o & paying_e & (e < o), o - e, 0.0).sum(axis=1)
    churned = np.where(paying_o & ~paying_e, o, 0.0).sum(axis=1)
    opening = o.sum(axis=1)
    closing = e.sum(axis=1)
    n_open = paying_o.sum(axis=1).astype(np.int64)
    n_churn = (paying_o & ~paying_e).sum(axis=1).astype(np.int64)
    churn_rate = _rate(n_churn.astype(np.float64), n_open.astype(np.float64))
    nrr = _rate(opening - churned - contraction + expansion, opening)
    grr = _rate(opening - churned - contraction, opening)
    # Churn and contraction never exceed the opening MRR, so GRR lies in [0, 1] and NRR is
    # non-negative; float cancellation (amounts 1e-300 beside 1.0) must not push them out.
    nrr = np.where(np.isnan(nrr), nrr, np.maximum(nrr, 0.0))
    grr = np.where(np.isnan(grr), grr, np.clip(grr, 0.0, 1.0))
    return SubscriptionMetrics(
        months=mon,
        mrr=closing,
        opening_mrr=opening,
        new_mrr=new,
        expansion_mrr=expansion,
        contraction_mrr=contraction,
        churned_mrr=churned,
        reactivation_mrr=reactivation,
        customers=paying_e.sum(axis=1).astype(np.int64),
        opening_customers=n_open,
        churned_customers=n_churn,
        customer_churn_rate=churn_rate,
        net_revenue_retention=nrr,
        gross_revenue_retention=grr,
    )


def cohort_retention(
    start_dates: np.ndarray,
    end_dates: np.ndarray,
    monthly_amounts: np.ndarray,
    *,
    customer_ids: np.ndarray,
    from_day: np.datetime64,
    to_day: np.datetime64,
) -> tuple[float, float]:
    """Net and gross revenue retention of the customers paying on ``from_day``, measured
    on ``to_day`` (e.g. a year later), with the same conventions as above:

        NRR = Σ_c MRR_c(to) / Σ_c MRR_c(from)
        GRR = Σ_c min(MRR_c(to), MRR_c(from)) / Σ_c MRR_c(from)

    over customers c with MRR_c(from) > 0 (a customer who left and came back counts with
    what she pays on ``to_day``). NaN when nobody paid on ``from_day``.
    """
    start = np.asarray(start_dates).astype("datetime64[D]").reshape(-1)
    end = np.asarray(end_dates).astype("datetime64[D]").reshape(-1)
    amount = np.asarray(monthly_amounts, dtype=np.float64).reshape(-1)
    ids = np.asarray(customer_ids).reshape(-1)
    if not (start.size == end.size == amount.size == ids.size):
        raise ValueError("every subscription needs a start, an end, an amount and a customer")
    cust = np.unique(ids, return_inverse=True)[1].reshape(-1)
    n_cust = int(cust.max()) + 1 if cust.size else 0

    def mrr_on(day: np.datetime64) -> np.ndarray:
        d = np.datetime64(day, "D")
        active = (start <= d) & (np.isnat(end) | (d < end))
        return np.bincount(cust[active], weights=amount[active], minlength=n_cust)

    before, after = mrr_on(from_day), mrr_on(to_day)
    paying = before > 0
    base = float(before[paying].sum())
    if base <= 0:
        return float("nan"), float("nan")
    nrr = float(after[paying].sum()) / base
    grr = float(np.minimum(after[paying], before[paying]).sum()) / base
    return nrr, grr
