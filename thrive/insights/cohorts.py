"""Cohort retention of customers and of revenue, by acquisition period and channel.

A customer's *cohort* is the period (month by default) of their first transaction; with
``channels`` it is the pair (acquisition channel, period), the channel being the one of
the customer's earliest transaction.  For cohort ``c`` and offset ``k`` (periods since
acquisition):

    customers[c, k]          = distinct customers of c with a transaction in period c + k
    revenue[c, k]            = sum of their amounts in period c + k
    cohort_sizes[c]          = customers[c, 0]            (everyone buys in period 0)
    retention[c, k]          = customers[c, k] / cohort_sizes[c]
    revenue_retention[c, k]  = revenue[c, k] / revenue[c, 0]     (can exceed 1)
    mean_retention[k]        = Σ_c customers[c, k] / Σ_c cohort_sizes[c]
                               over the cohorts that have period c + k observed

(the classic "cohort triangle", e.g. Fader & Hardie's retention curves; revenue retention
is the cohort-level analogue of net revenue retention).  Cells whose period lies after
``as_of`` (default: the last period in the data) are *not observed yet*: their counts are
0, ``observed`` is False and both rates are NaN — never confuse "not yet" with "nobody
came back".  ``revenue_retention`` is also NaN when a cohort's first-period revenue is
<= 0 (a base of refunds or free orders gives no meaningful ratio).

Periods: ``"month"`` (calendar months), ``"quarter"`` (calendar quarters) or ``"week"``
(ISO weeks, Monday first).  Cohort labels are the period's first day (datetime64[D]).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

__all__ = [
    "PERIODS",
    "CohortMatrix",
    "cohort_matrix",
    "cohort_matrix_from_counts",
    "period_index",
    "period_start",
]

Period = Literal["month", "quarter", "week"]
PERIODS: tuple[str, ...] = ("month", "quarter", "week")


@dataclass(frozen=True, slots=True)
class CohortMatrix:
    """Cohorts × offsets matrices; rows sorted by (channel, cohort start)."""

    period: str
    cohorts: np.ndarray  # datetime64[D] (n_cohorts,): first day of the acquisition period
    channels: np.ndarray | None  # str (n_cohorts,) or None when not split by channel
    offsets: np.ndarray  # int64 (n_offsets,): 0, 1, 2, ... periods since acquisition
    customers: np.ndarray  # int64 (n_cohorts, n_offsets)
    revenue: np.ndarray  # float64 (n_cohorts, n_offsets)
    cohort_sizes: np.ndarray  # int64 (n_cohorts,)
    retention: np.ndarray  # float64, NaN where not observed
    revenue_retention: np.ndarray  # float64, NaN where not observed or revenue[:, 0] <= 0
    observed: np.ndarray  # bool (n_cohorts, n_offsets)
    mean_retention: np.ndarray  # float64 (n_offsets,), size-weighted over observed cohorts
    as_of: np.datetime64  # first day of the last observed period


def _check_period(period: str) -> None:
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}")


def period_index(dates: np.ndarray, period: Period = "month") -> np.ndarray:
    """Integer period number of each date (months/quarters/weeks since 1970)."""
    _check_period(period)
    d = np.asarray(dates).astype("datetime64[D]")
    if np.any(np.isnat(d)):
        raise ValueError("dates must not contain NaT")
    if period == "week":
        # 1970-01-01 was a Thursday: shifting by 3 days makes weeks start on Monday.
        return (d.astype(np.int64) + 3) // 7
    months = d.astype("datetime64[M]").astype(np.int64)
    return months if period == "month" else months // 3


def period_start(index: np.ndarray, period: Period = "month") -> np.ndarray:
    """First day (datetime64[D]) of each period number from :func:`period_index`."""
    _check_period(period)
    idx = np.asarray(index, dtype=np.int64)
    if period == "week":
        return (idx * 7 - 3).astype("datetime64[D]")
    months = idx if period == "month" else idx * 3
    return months.astype("datetime64[M]").astype("datetime64[D]")


def _empty(period: str, with_channels: bool, as_of: np.datetime64) -> CohortMatrix:
    z2i = np.zeros((0, 0), dtype=np.int64)
    z2f = np.zeros((0, 0), dtype=np.float64)
    return CohortMatrix(
        period=period,
        cohorts=np.empty(0, dtype="datetime64[D]"),
        channels=np.empty(0, dtype=str) if with_channels else None,
        offsets=np.empty(0, dtype=np.int64),
        customers=z2i,
        revenue=z2f,
        cohort_sizes=np.empty(0, dtype=np.int64),
        retention=z2f.copy(),
        revenue_retention=z2f.copy(),
        observed=np.zeros((0, 0), dtype=bool),
        mean_retention=np.empty(0, dtype=np.float64),
        as_of=as_of,
    )


def _assemble(
    cohort_idx: np.ndarray,
    channel_codes: np.ndarray,
    channel_labels: np.ndarray | None,
    offsets: np.ndarray,
    active: np.ndarray,
    revenue: np.ndarray,
    period: Period,
    as_of_idx: int,
) -> CohortMatrix:
    """Build the matrices from one row per (channel, cohort, offset) aggregate."""
    key = np.column_stack([channel_codes, cohort_idx])
    keys, row = np.unique(key, axis=0, return_inverse=True)
    row = row.reshape(-1)
    n_cohorts = keys.shape[0]
    first = int(keys[:, 1].min())
    if as_of_idx < int(keys[:, 1].max()):
        raise ValueError("as_of is before the newest cohort")
    n_off = as_of_idx - first + 1
    if np.any(offsets > as_of_idx - cohort_idx):
        raise ValueError("data found after as_of")
    flat = row * n_off + offsets
    if np.unique(flat).size != flat.size:
        raise ValueError("duplicate (channel, cohort, offset) rows")
    customers = np.zeros(n_cohorts * n_off, dtype=np.int64)
    customers[flat] = active
    customers = customers.reshape(n_cohorts, n_off)
    rev = np.zeros(n_cohorts * n_off, dtype=np.float64)
    rev[flat] = revenue
    rev = rev.reshape(n_cohorts, n_off)

    sizes = customers[:, 0].copy()
    if np.any(sizes <= 0):
        raise ValueError("every cohort needs a positive customer count at offset 0")
    if np.any(customers > sizes[:, None]):
        raise ValueError("active customers exceed the cohort size")
    offs = np.arange(n_off, dtype=np.int64)
    observed = offs[None, :] <= (as_of_idx - keys[:, 1])[:, None]
    retention = np.where(observed, customers / sizes[:, None], np.nan)
    base_rev = rev[:, :1]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rev_ret = np.where(observed & (base_rev > 0), rev / base_rev, np.nan)
    # a vanishing first-period revenue overflows the ratio: undefined, like a zero one
    rev_ret = np.where(np.isfinite(rev_ret), rev_ret, np.nan)
    obs_sizes = (observed * sizes[:, None]).sum(axis=0)
    # obs_sizes >= 1 for every offset: the oldest cohort is observed up to as_of.
    mean_ret = (customers * observed).sum(axis=0) / obs_sizes
    return CohortMatrix(
        period=period,
        cohorts=period_start(keys[:, 1], period),
        channels=None if channel_labels is None else channel_labels[keys[:, 0]],
        offsets=offs,
        customers=customers,
        revenue=rev,
        cohort_sizes=sizes,
        retention=retention,
        revenue_retention=rev_ret,
        observed=observed,
        mean_retention=mean_ret,
        as_of=period_start(np.array([as_of_idx]), period)[0],
    )


def cohort_matrix_from_counts(
    cohort_periods: np.ndarray,
    offsets: np.ndarray,
    active_customers: np.ndarray,
    revenue: np.ndarray | None = None,
    *,
    channels: np.ndarray | None = None,
    period: Period = "month",
    as_of: np.datetime64 | str | None = None,
) -> CohortMatrix:
    """Cohort matrix from SQL-style aggregates, one row per (channel, cohort, offset).

    ``cohort_periods`` are any dates inside each cohort's acquisition period,
    ``offsets`` periods since acquisition (>= 0), ``active_customers`` distinct active
    customers of that cohort in that period, ``revenue`` their revenue (default 0).
    Every cohort must have an offset-0 row (its size).  Missing observed cells mean 0.
    Duplicate rows, negative counts or offsets, and data after ``as_of`` raise
    ``ValueError``; empty input returns an empty matrix.
    """
    _check_period(period)
    coh = np.asarray(cohort_periods).reshape(-1)
    off = np.asarray(offsets).reshape(-1).astype(np.int64)
    act = np.asarray(active_customers).reshape(-1)
    rev = (
        np.zeros(act.size, dtype=np.float64)
        if revenue is None
        else np.asarray(revenue, dtype=np.float64).reshape(-1)
    )
    if not (coh.size == off.size == act.size == rev.size):
        raise ValueError("cohort_periods, offsets, active_customers, revenue: lengths differ")
    if channels is not None and np.asarray(channels).size != coh.size:
        raise ValueError("channels must have one label per row")
    if np.any(off < 0) or np.any(act < 0):
        raise ValueError("offsets and active_customers must be non-negative")
    if not np.all(np.isfinite(rev)):
        raise ValueError("revenue must be finite")
    if coh.size == 0:
        as_of_d = np.datetime64("NaT", "D") if as_of is None else np.datetime64(as_of, "D")
        return _empty(period, channels is not None, as_of_d)
    cidx = period_index(coh, period)
    if channels is None:
        codes = np.zeros(coh.size, dtype=np.int64)
        labels = None
    else:
        labels, codes = np.unique(np.asarray(channels).astype(str), return_inverse=True)
        codes = codes.reshape(-1)
    if as_of is None:
        as_of_idx = int((cidx + off).max())
    else:
        as_of_idx = int(period_index(np.array([np.datetime64(as_of, "D")]), period)[0])
    return _assemble(cidx, codes, labels, off, act.astype(np.int64), rev, period, as_of_idx)


def cohort_matrix(
    customer_ids: np.ndarray,
    dates: np.ndarray,
    amounts: np.ndarray,
    *,
    period: Period = "month",
    channels: np.ndarray | None = None,
    as_of: np.datetime64 | str | None = None,
) -> CohortMatrix:
    """Cohort matrix from raw transactions (one row per order).

    ``channels`` (optional, one label per row) splits cohorts by acquisition channel —
    the channel of each customer's earliest row (ties on the same date: first row in
    input order).  ``as_of`` (default: last transaction date) sets the observation
    horizon.  Empty input returns an empty matrix; NaT dates or non-finite amounts raise
    ``ValueError``.
    """
    _check_period(period)
    ids = np.asarray(customer_ids).reshape(-1)
    d = np.asarray(dates).astype("datetime64[D]").reshape(-1)
    amt = np.asarray(amounts, dtype=np.float64).reshape(-1)
    if not (ids.size == d.size == amt.size):
        raise ValueError("customer_ids, dates and amounts must have equal length")
    ch = None if channels is None else np.asarray(channels).astype(str).reshape(-1)
    if ch is not None and ch.size != ids.size:
        raise ValueError("channels must have one label per row")
    if not np.all(np.isfinite(amt)):
        raise ValueError("amounts must be finite")
    if ids.size == 0:
        as_of_d = np.datetime64("NaT", "D") if as_of is None else np.datetime64(as_of, "D")
        return _empty(period, ch is not None, as_of_d)
    pidx = period_index(d, period)
    _, cust = np.unique(ids, return_inverse=True)
    cust = cust.reshape(-1)
    n_cust = int(cust.max()) + 1

    # Earliest row per customer: stable sort by (customer, date) keeps input order on ties.
    order = np.lexsort((d.astype(np.int64), cust))
    first_row = order[np.r_[True, cust[order][1:] != cust[order][:-1]]]
    acq_period = np.empty(n_cust, dtype=np.int64)
    acq_period[cust[first_row]] = pidx[first_row]
    if ch is None:
        labels = None
        acq_channel = np.zeros(n_cust, dtype=np.int64)
    else:
        labels, ch_codes = np.unique(ch, return_inverse=True)
        acq_channel = np.empty(n_cust, dtype=np.int64)
        acq_channel[cust[first_row]] = ch_codes.reshape(-1)[first_row]

    offset = pidx - acq_period[cust]
    # Distinct (customer, offset) pairs give the active-customer counts.
    span = int(offset.max()) + 1
    cell = cust * span + offset
    uniq_cells, cell_inv = np.unique(cell, return_inverse=True)
    u_cust = uniq_cells // span
    u_off = uniq_cells % span
    group = np.column_stack([acq_channel[u_cust], acq_period[u_cust], u_off])
    gkeys, ginv = np.unique(group, axis=0, return_inverse=True)
    active = np.bincount(ginv.reshape(-1), minlength=gkeys.shape[0])
    # Revenue: rows -> (customer, offset) cells -> (channel, cohort, offset) groups.
    rev_cell = np.bincount(cell_inv.reshape(-1), weights=amt, minlength=uniq_cells.size)
    rev = np.bincount(ginv.reshape(-1), weights=rev_cell, minlength=gkeys.shape[0])

    if as_of is None:
        as_of_idx = int(pidx.max())
    else:
        as_of_idx = int(period_index(np.array([np.datetime64(as_of, "D")]), period)[0])
    return _assemble(gkeys[:, 1], gkeys[:, 0], labels, gkeys[:, 2], active, rev, period, as_of_idx)
