"""Small operating KPIs: revenue per employee, automation rate, time-to-market and
ecosystem participation.

    revenue per employee = revenue / employees (FTE)
    automation rate      = automated actions / all actions
    time-to-market       = done - created, per idea (days); median and 75th percentile
                           (numpy's linear-interpolation percentile), overall and per
                           month of completion
    participation rate   = distinct participants / size of the base, with a Wilson score
                           interval (Wilson 1927, JASA 22:209–212)

Undefined ratios (zero denominators) are NaN, never inf or an exception; impossible
inputs (negative counts, more automated than total actions, more participants than
base, an idea done before it was created) raise ``ValueError``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from thrive.insights.funnel import km_median

__all__ = [
    "Participation",
    "TimeToMarket",
    "automation_rate",
    "participation_rate",
    "revenue_per_employee",
    "time_to_market",
]

_DAY = np.timedelta64(1, "D")


def _scalar_or_array(x: np.ndarray) -> float | np.ndarray:
    return float(x) if x.ndim == 0 else x


def revenue_per_employee(
    revenue: float | np.ndarray, employees: float | np.ndarray
) -> float | np.ndarray:
    """Revenue ÷ employees (full-time equivalents may be fractional).

    NaN where employees == 0; raises ``ValueError`` for negative employees.
    """
    r = np.asarray(revenue, dtype=np.float64)
    e = np.asarray(employees, dtype=np.float64)
    if np.any(e < 0):
        raise ValueError("employees must be non-negative")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.where(e > 0, r / np.where(e > 0, e, 1.0), np.nan)
    return _scalar_or_array(np.where(np.isfinite(out), out, np.nan))


def automation_rate(
    automated_actions: float | np.ndarray, total_actions: float | np.ndarray
) -> float | np.ndarray:
    """Automated ÷ all actions, in [0, 1]; NaN where there were no actions.

    Raises ``ValueError`` for negative counts or automated > total.
    """
    a = np.asarray(automated_actions, dtype=np.float64)
    t = np.asarray(total_actions, dtype=np.float64)
    if np.any(a < 0) or np.any(t < 0):
        raise ValueError("action counts must be non-negative")
    if np.any(a > t):
        raise ValueError("automated actions cannot exceed all actions")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(t > 0, a / np.where(t > 0, t, 1.0), np.nan)
    return _scalar_or_array(out)


@dataclass(frozen=True, slots=True)
class TimeToMarket:
    median_days: float  # over finished ideas; NaN if none
    p75_days: float
    n_done: int
    n_open: int  # ideas without a done date (excluded from median/p75)
    km_median_days: float  # Kaplan–Meier median with open ideas censored at `now`
    months: np.ndarray  # datetime64[M], contiguous months of completion
    monthly_median_days: np.ndarray  # NaN for months with nothing finished
    monthly_p75_days: np.ndarray
    monthly_n: np.ndarray  # int64


def time_to_market(
    created: np.ndarray,
    done: np.ndarray,
    *,
    now: np.datetime64 | str | None = None,
) -> TimeToMarket:
    """Idea-to-done durations (days): median, p75, and the same per month of completion.

    ``done`` is NaT for ideas not finished yet; they are excluded from the plain
    median/p75 (which therefore describe *finished* work and are optimistic while much
    is open) and counted in ``n_open``.  Pass ``now`` to also get ``km_median_days``,
    which keeps open ideas as censored at ``now`` (see ``funnel.km_median``).  Empty
    input gives NaN statistics and zero counts.
    """
    c = np.asarray(created).astype("datetime64[s]").reshape(-1)
    d = np.asarray(done).astype("datetime64[s]").reshape(-1)
    if c.size != d.size:
        raise ValueError("created and done must have equal length")
    if np.any(np.isnat(c)):
        raise ValueError("created must not contain NaT")
    finished = ~np.isnat(d)
    if np.any(d[finished] < c[finished]):
        raise ValueError("an idea is done before it was created")
    days = (d[finished] - c[finished]) / _DAY
    n_open = int((~finished).sum())
    km = float("nan")
    if now is not None:
        now_s = np.datetime64(now).astype("datetime64[s]")
        if np.any(c > now_s) or np.any(d[finished] > now_s):
            raise ValueError("dates after `now`")
        open_days = (now_s - c[~finished]) / _DAY
        km = km_median(
            np.concatenate([days, open_days]),
            np.concatenate([np.ones(days.size, bool), np.zeros(open_days.size, bool)]),
        )
    if days.size == 0:
        empty_m = np.empty(0, dtype="datetime64[M]")
        return TimeToMarket(
            median_days=float("nan"),
            p75_days=float("nan"),
            n_done=0,
            n_open=n_open,
            km_median_days=km,
            months=empty_m,
            monthly_median_days=np.empty(0),
            monthly_p75_days=np.empty(0),
            monthly_n=np.empty(0, dtype=np.int64),
        )
    done_month = d[finished].astype("datetime64[M]")
    months = np.arange(done_month.min(), done_month.max() + np.timedelta64(1, "M"))
    pos = (done_month - months[0]).astype(np.int64)
    med = np.full(months.size, np.nan)
    p75 = np.full(months.size, np.nan)
    cnt = np.bincount(pos, minlength=months.size).astype(np.int64)
    for i in np.flatnonzero(cnt):
        med[i], p75[i] = np.percentile(days[pos == i], [50, 75])
    return TimeToMarket(
        median_days=float(np.median(days)),
        p75_days=float(np.percentile(days, 75)),
        n_done=int(days.size),
        n_open=n_open,
        km_median_days=km,
        months=months,
        monthly_median_days=med,
        monthly_p75_days=p75,
        monthly_n=cnt,
    )


@dataclass(frozen=True, slots=True)
class Participation:
    rate: float  # participants / base; NaN when base == 0
    participants: int
    base: int
    ci_low: float  # Wilson score interval
    ci_high: float
    activities: tuple[str, ...]
    activity_rates: np.ndarray  # per activity: its participants / base


def participation_rate(
    participants: int,
    base: int,
    *,
    activity_counts: dict[str, int] | None = None,
    confidence: float = 0.95,
) -> Participation:
    """Share of the base that took part in anything (voted, answered, referred, attended).

    ``participants`` must count *distinct* people across all activities (a union, e.g.
    ``COUNT(DISTINCT person)`` in SQL) — per-activity counts overlap and must not be
    summed.  ``activity_counts`` optionally gives each activity's own distinct count;
    each must be <= ``participants``.  Wilson interval with z for ``confidence``:

        (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must be in (0, 1)")
    k, n = int(participants), int(base)
    if k < 0 or n < 0:
        raise ValueError("counts must be non-negative")
    if k > n:
        raise ValueError("participants cannot exceed the base")
    acts = activity_counts or {}
    names = tuple(acts)
    counts = np.array([int(acts[a]) for a in names], dtype=np.float64)
    if np.any(counts < 0) or np.any(counts > k):
        raise ValueError("each activity count must be in [0, participants]")
    if n == 0:
        nan = float("nan")
        return Participation(nan, k, n, nan, nan, names, np.full(len(names), np.nan))
    z = float(norm.ppf(0.5 + confidence / 2.0))
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return Participation(
        rate=p,
        participants=k,
        base=n,
        # The Wilson bounds are exactly 0 at k = 0 and 1 at k = n; pin them against
        # rounding so the interval always contains the estimate.
        ci_low=0.0 if k == 0 else float(min(p, max(0.0, centre - half))),
        ci_high=1.0 if k == n else float(max(p, min(1.0, centre + half))),
        activities=names,
        activity_rates=counts / n,
    )
