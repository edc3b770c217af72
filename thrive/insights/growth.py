"""Revenue growth from a monthly revenue series: MoM, YoY, trailing twelve months, CAGR.

With r_t the revenue of month t (missing months are filled with 0 — a month without
orders had no revenue):

    MoM_t  = r_t / r_{t-1} - 1
    YoY_t  = r_t / r_{t-12} - 1
    TTM_t  = r_{t-11} + … + r_t
    CAGR(first, last, years) = (last / first)^(1 / years) - 1

A growth rate from a base <= 0 is undefined and reported as NaN (never inf); so are
MoM for the first month, YoY for the first 12 and TTM for the first 11.  The series'
``cagr`` compares the first and the last complete TTM windows,
``(TTM_last / TTM_first)^(12 / (n - 12)) - 1``, which removes seasonality; it needs at
least 24 months (one full year between the windows), otherwise NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["GrowthMetrics", "cagr", "monthly_series", "revenue_growth"]


@dataclass(frozen=True, slots=True)
class GrowthMetrics:
    months: np.ndarray  # datetime64[M], contiguous
    revenue: np.ndarray  # float64, gaps filled with 0
    mom: np.ndarray  # float64, NaN where undefined
    yoy: np.ndarray  # float64, NaN where undefined
    ttm: np.ndarray  # float64, NaN for the first 11 months
    cagr: float  # annualised TTM growth, NaN when < 24 months or base <= 0


def monthly_series(values: np.ndarray, months: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort by month and fill missing months with 0: (contiguous months, values).

    Raises ``ValueError`` on duplicate months, NaT, non-finite values, length mismatch or
    empty input.
    """
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    m = np.asarray(months).astype("datetime64[M]").reshape(-1)
    if v.size != m.size:
        raise ValueError("values and months must have equal length")
    if v.size == 0:
        raise ValueError("the series is empty")
    if np.any(np.isnat(m)):
        raise ValueError("months must not contain NaT")
    if not np.all(np.isfinite(v)):
        raise ValueError("values must be finite")
    if np.unique(m).size != m.size:
        raise ValueError("months must be unique")
    full = np.arange(m.min(), m.max() + np.timedelta64(1, "M"))
    out = np.zeros(full.size)
    out[(m - full[0]).astype(np.int64)] = v
    return full, out


def _growth(now: np.ndarray, base: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        g = np.where(base > 0, now / np.where(base > 0, base, 1.0) - 1.0, np.nan)
    # A ratio that overflows (a vanishingly small base) is as meaningless as a zero base.
    return np.where(np.isfinite(g), g, np.nan)


def cagr(first: float, last: float, years: float) -> float:
    """Compound annual growth rate ``(last / first)^(1 / years) - 1``.

    NaN when ``first <= 0`` or ``last < 0`` (undefined); raises ``ValueError`` when
    ``years <= 0``.
    """
    if not years > 0:
        raise ValueError("years must be positive")
    if not (first > 0 and last >= 0):
        return float("nan")
    with np.errstate(over="ignore"):
        rate = float(np.float64(last / first) ** (1.0 / years) - 1.0)
    return rate if np.isfinite(rate) else float("nan")


def revenue_growth(monthly_revenue: np.ndarray, months: np.ndarray) -> GrowthMetrics:
    """MoM, YoY, TTM and TTM-based CAGR of a monthly revenue series (see module doc)."""
    mon, rev = monthly_series(monthly_revenue, months)
    n = rev.size
    nan = np.full(n, np.nan)
    mom = nan.copy()
    mom[1:] = _growth(rev[1:], rev[:-1])
    yoy = nan.copy()
    if n > 12:
        yoy[12:] = _growth(rev[12:], rev[:-12])
    ttm = nan.copy()
    if n >= 12:
        c = np.concatenate([[0.0], np.cumsum(rev)])
        ttm[11:] = c[12:] - c[:-12]
    rate = cagr(float(ttm[11]), float(ttm[-1]), (n - 12) / 12.0) if n >= 24 else float("nan")
    return GrowthMetrics(months=mon, revenue=rev, mom=mom, yoy=yoy, ttm=ttm, cagr=rate)
