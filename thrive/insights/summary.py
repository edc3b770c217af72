"""Customer summaries (frequency, recency, T, monetary value) from raw transactions.

The conventions are those of the customer-base-analysis literature (Fader, Hardie & Lee
2005; the CDNOW set-up):

* purchases by one customer on one day are merged into a single transaction (amounts
  summed);
* the first transaction is the customer's "birth" and is not a repeat purchase, so
  ``frequency`` = number of transaction days - 1;
* ``recency`` = time from the first to the last transaction (0 without repeats) and
  ``T`` = time from the first transaction to ``observation_end``, both in units of
  ``unit_days`` days (weeks by default): a customer first seen on 1997-01-01 and observed
  to 1997-09-30 has T = 272 / 7 = 38.86 weeks;
* ``monetary_value`` is the mean value of the repeat transactions (0 without repeats),
  the input of the Gamma-Gamma spend model.

Transactions after ``observation_end`` are ignored; customers whose first purchase comes
after it do not appear.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

__all__ = [
    "CustomerSummary",
    "calibration_holdout_split",
    "holdout_length",
    "summarize_transactions",
]

DateLike = np.datetime64 | dt.date | str


@dataclass(frozen=True)
class CustomerSummary:
    """One row per customer, sorted by customer id."""

    customer_ids: np.ndarray
    frequency: np.ndarray
    recency: np.ndarray
    T: np.ndarray
    monetary_value: np.ndarray
    first_purchase: np.ndarray

    def __len__(self) -> int:
        return int(self.customer_ids.shape[0])


def _as_day(value: DateLike) -> np.datetime64:
    day = np.datetime64(value, "D")
    if np.isnat(day):
        raise ValueError("dates must not be NaT")
    return day


def _as_days(values: object, n: int) -> np.ndarray:
    days = np.asarray(values).astype("datetime64[D]")
    if days.shape != (n,):
        raise ValueError("dates must be a 1-d array as long as customer_ids")
    if np.any(np.isnat(days)):
        raise ValueError("dates must not be NaT")
    return days


def _check_unit(unit_days: float) -> float:
    unit = float(unit_days)
    if not np.isfinite(unit) or unit <= 0:
        raise ValueError("unit_days must be positive")
    return unit


def holdout_length(
    calibration_end: DateLike, observation_end: DateLike, *, unit_days: float = 7.0
) -> float:
    """Length of the holdout period (calibration_end, observation_end] in time units."""
    days = (_as_day(observation_end) - _as_day(calibration_end)).astype(int)
    return float(days) / _check_unit(unit_days)


def _merge_days(
    codes: np.ndarray, days: np.ndarray, amounts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge same-customer, same-day rows; result sorted by (customer code, day)."""
    if codes.size == 0:  # reduceat cannot take an empty array
        return codes[:0], days[:0], amounts[:0].astype(np.float64)
    order = np.lexsort((days, codes))
    c, d, a = codes[order], days[order], amounts[order]
    starts = np.flatnonzero(np.r_[True, (c[1:] != c[:-1]) | (d[1:] != d[:-1])])
    return c[starts], d[starts], np.add.reduceat(a, starts)


def summarize_transactions(
    customer_ids: object,
    dates: object,
    amounts: object,
    *,
    observation_end: DateLike,
    unit_days: float = 7.0,
) -> CustomerSummary:
    """Summarise raw transactions into a ``CustomerSummary`` (conventions above).

    ``customer_ids``: any sortable ids; ``dates``: datetime64 (day resolution is used);
    ``amounts``: transaction values.
    """
    ids = np.asarray(customer_ids)
    n = ids.shape[0] if ids.ndim == 1 else -1
    if ids.ndim != 1:
        raise ValueError("customer_ids must be one-dimensional")
    days = _as_days(dates, n)
    values = np.asarray(amounts, dtype=float)
    if values.shape != (n,) or not np.all(np.isfinite(values)):
        raise ValueError("amounts must be finite and as long as customer_ids")
    unit = _check_unit(unit_days)
    end = _as_day(observation_end)
    keep = days <= end
    ids, days, values = ids[keep], days[keep], values[keep]
    if ids.size == 0:
        empty = np.zeros(0)
        return CustomerSummary(ids, empty, empty, empty, empty, days)
    unique_ids, codes = np.unique(ids, return_inverse=True)
    day_num = days.astype(np.int64)
    c, d, a = _merge_days(codes.ravel(), day_num, values)
    first_row = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    n_days = np.diff(np.r_[first_row, c.size])
    first, last = d[first_row], d[first_row + n_days - 1]
    repeat_amounts = a.copy()
    repeat_amounts[first_row] = 0.0
    repeat_total = np.add.reduceat(repeat_amounts, first_row)
    frequency = (n_days - 1).astype(float)
    monetary = np.where(frequency > 0, repeat_total / np.maximum(frequency, 1.0), 0.0)
    end_num = end.astype(np.int64)
    return CustomerSummary(
        customer_ids=unique_ids,
        frequency=frequency,
        recency=(last - first).astype(float) / unit,
        T=(end_num - first).astype(float) / unit,
        monetary_value=monetary,
        first_purchase=first.astype("datetime64[D]"),
    )


def calibration_holdout_split(
    customer_ids: object,
    dates: object,
    amounts: object,
    *,
    calibration_end: DateLike,
    observation_end: DateLike,
    unit_days: float = 7.0,
) -> tuple[CustomerSummary, np.ndarray]:
    """Calibration summary to ``calibration_end`` and holdout repeat-transaction counts.

    The counts are the numbers of transaction days in (calibration_end, observation_end]
    of each calibration customer, aligned with ``summary.customer_ids``.  Customers born in
    the holdout are left out.  The holdout lasts ``holdout_length(calibration_end,
    observation_end, unit_days=...)`` time units.
    """
    cal_end, obs_end = _as_day(calibration_end), _as_day(observation_end)
    if obs_end <= cal_end:
        raise ValueError("observation_end must come after calibration_end")
    ids = np.asarray(customer_ids)
    if ids.ndim != 1:
        raise ValueError("customer_ids must be one-dimensional")
    days = _as_days(dates, ids.shape[0])
    summary = summarize_transactions(
        ids, days, amounts, observation_end=cal_end, unit_days=unit_days
    )
    in_holdout = (days > cal_end) & (days <= obs_end)
    h_ids, h_days = ids[in_holdout], days[in_holdout].astype(np.int64)
    counts = np.zeros(len(summary))
    if h_ids.size and len(summary):
        pos = np.searchsorted(summary.customer_ids, h_ids)
        pos_clipped = np.minimum(pos, len(summary) - 1)
        known = summary.customer_ids[pos_clipped] == h_ids
        c, _, _ = _merge_days(pos_clipped[known], h_days[known], np.zeros(int(known.sum())))
        counts = np.bincount(c, minlength=len(summary)).astype(float)
    return summary, counts
