"""Validation of transaction models against a holdout period, as in the papers' figures.

* ``repeat_purchases_by_frequency``: mean holdout repeat purchases, actual and expected
  (the conditional expectation over the holdout length), for customers grouped by their
  calibration frequency 0, 1, ..., max_bin - 1 and max_bin or more (Fader, Hardie & Lee
  2005, Figure 4).
* ``cumulative_tracking``: cumulative repeat transactions, actual and expected, at the end
  of each period since ``start`` (FHL 2005, Figure 3).  The expectation adds up
  E[X(t - b)] of the unconditional model over the customers' birth days b: customers born
  on the same day share one curve, so the cost grows with the number of distinct birth
  days, not with customers.  Time since birth at the end of period k is measured as in
  ``summarize_transactions``: (last day of the period - birth day) / unit_days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .summary import CustomerSummary

__all__ = [
    "CumulativeTracking",
    "RepeatPurchasesByFrequency",
    "cumulative_tracking",
    "repeat_purchases_by_frequency",
]


class _ConditionalModel(Protocol):
    def expected_purchases(
        self, t: object, frequency: object, recency: object, T: object
    ) -> np.ndarray: ...


class _UnconditionalModel(Protocol):
    def expected_purchases_new(self, t: object) -> np.ndarray: ...


@dataclass(frozen=True)
class RepeatPurchasesByFrequency:
    """Per calibration-frequency bin: customers and mean holdout repeat purchases.

    ``bins[-1]`` stands for "max_bin or more"; means of empty bins are NaN.
    """

    bins: np.ndarray
    actual_mean: np.ndarray
    predicted_mean: np.ndarray
    n: np.ndarray


@dataclass(frozen=True)
class CumulativeTracking:
    """Cumulative repeat transactions at the end of periods 1..K (``weeks`` by default)."""

    weeks: np.ndarray
    actual: np.ndarray
    expected: np.ndarray

    def __iter__(self) -> Iterator[np.ndarray]:
        return iter((self.weeks, self.actual, self.expected))


def repeat_purchases_by_frequency(
    fit: _ConditionalModel,
    summary: CustomerSummary,
    holdout_counts: object,
    holdout_length: float,
    *,
    max_bin: int = 7,
) -> RepeatPurchasesByFrequency:
    """Actual vs conditional-expected holdout repeat purchases by calibration frequency."""
    counts = np.asarray(holdout_counts, dtype=float)
    if counts.shape != summary.frequency.shape:
        raise ValueError("holdout_counts must align with the summary's customers")
    if max_bin < 0:
        raise ValueError("max_bin must be non-negative")
    predicted = fit.expected_purchases(
        holdout_length, summary.frequency, summary.recency, summary.T
    )
    group = np.minimum(summary.frequency, max_bin).astype(int)
    n = np.bincount(group, minlength=max_bin + 1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        actual = np.bincount(group, counts, minlength=max_bin + 1) / n
        expected = np.bincount(group, predicted, minlength=max_bin + 1) / n
    return RepeatPurchasesByFrequency(np.arange(max_bin + 1), actual, expected, n)


def cumulative_tracking(
    fit: _UnconditionalModel,
    customer_ids: object,
    dates: object,
    *,
    start: np.datetime64 | dt.date | str,
    end: np.datetime64 | dt.date | str,
    unit_days: float = 7.0,
) -> CumulativeTracking:
    """Cumulative repeat transactions, actual and expected, per period from start to end.

    Transactions in [start, end] count; same-day purchases are one transaction and each
    customer's first is her birth, not a repeat.
    """
    ids = np.asarray(customer_ids)
    days = np.asarray(dates).astype("datetime64[D]")
    if ids.ndim != 1 or days.shape != ids.shape:
        raise ValueError("customer_ids and dates must be 1-d and equally long")
    if not (np.isfinite(unit_days) and unit_days > 0):
        raise ValueError("unit_days must be positive")
    first_day = np.datetime64(start, "D")
    last_day = np.datetime64(end, "D")
    if last_day < first_day:
        raise ValueError("end must not come before start")
    keep = (days >= first_day) & (days <= last_day)
    ids, offset = ids[keep], (days[keep] - first_day).astype(np.int64)
    span = int((last_day - first_day).astype(int)) + 1
    n_periods = int(np.ceil(span / unit_days - 1e-9))
    # Last day (as an offset from start) included in each period.
    period_end = np.minimum(np.floor(np.arange(1, n_periods + 1) * unit_days) - 1, span - 1)
    actual = np.zeros(n_periods)
    expected = np.zeros(n_periods)
    if ids.size:
        if np.issubdtype(ids.dtype, np.integer):
            codes = ids  # integer ids (the report's customer keys) sort as their codes would
        else:
            _, codes = np.unique(ids, return_inverse=True)
            codes = codes.ravel()
        order = np.lexsort((offset, codes))
        c, d = codes[order], offset[order]
        distinct = np.r_[True, (c[1:] != c[:-1]) | (d[1:] != d[:-1])]
        c, d = c[distinct], d[distinct]
        birth_row = np.r_[True, c[1:] != c[:-1]]
        repeat_days = np.sort(d[~birth_row])
        actual = np.searchsorted(repeat_days, period_end, side="right").astype(float)
        births, n_born = np.unique(d[birth_row], return_counts=True)
        elapsed = np.maximum(period_end[None, :] - births[:, None], 0.0) / unit_days
        curves = np.asarray(fit.expected_purchases_new(elapsed), dtype=float)
        expected = n_born.astype(float) @ curves
    return CumulativeTracking(np.arange(1, n_periods + 1), actual, expected)
