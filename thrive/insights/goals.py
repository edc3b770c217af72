"""SMART goals: progress so far and a projection to the deadline with its uncertainty.

A goal moves a number from ``baseline`` (on day 0, the start) to ``target`` by the
deadline (day D). Check-ins are (day, value) pairs; the baseline counts as the first
observation at day 0.

    progress       = (current − baseline) ÷ (target − baseline)     (current = latest value)
    time elapsed   = today ÷ D

The projection is the ordinary least-squares line through the observations,
y = a + b·x, evaluated at the deadline, with a prediction interval for a new observation
there (Montgomery, Peck & Vining, *Introduction to Linear Regression Analysis*, 5th ed.,
§2.5):

    b  = Σ(x−x̄)(y−ȳ) / Sxx,   a = ȳ − b·x̄,   Sxx = Σ(x−x̄)²
    s² = Σ(y − a − b·x)² / (n − 2)
    ŷ_D ± t_{n−2, (1+level)/2} · s · √(1 + 1/n + (D − x̄)²/Sxx)

The chance of reaching the target is the same t distribution's tail,
P(Y_D ≥ target) = T_{n−2}((ŷ_D − target) / (s·√(1 + 1/n + (D − x̄)²/Sxx))) (mirrored for a
target below the baseline). A goal is *on track* at a chance of 70% or more, *at risk*
from 30%, *off track* below. With only two observations there is no spread to estimate:
the straight line is projected without an interval and the status follows the line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = [
    "GOAL_STATUSES",
    "GoalProjection",
    "project_goal",
]

ON_TRACK = 0.7
AT_RISK = 0.3
GOAL_STATUSES = {
    "achieved": "Achieved",
    "on_track": "On track",
    "at_risk": "At risk",
    "off_track": "Off track",
    "missed": "Missed",
    "no_data": "Waiting for a check-in",
}


@dataclass(frozen=True)
class GoalProjection:
    """Where a goal stands and where its trend line will be at the deadline."""

    baseline: float
    target: float
    current: float
    progress: float  # share of the way from baseline to target (may exceed 1 or be < 0)
    time_elapsed: float  # share of the time from start to deadline that has passed
    n: int  # observations, the baseline included
    intercept: float
    slope: float  # change per day
    projected: float  # trend value at the deadline
    low: float  # prediction interval at the deadline (NaN with two observations)
    high: float
    probability: float  # chance the deadline value reaches the target (NaN with two)
    status: str  # a key of GOAL_STATUSES
    level: float
    _x_mean: float = 0.0
    _sxx: float = 0.0
    _s: float = math.nan

    @property
    def status_label(self) -> str:
        return GOAL_STATUSES[self.status]

    def interval_at(self, day: float) -> tuple[float, float, float]:
        """(fitted value, low, high) of the prediction at ``day``; NaN bounds with two points."""
        fit = self.intercept + self.slope * day
        if not math.isfinite(self._s) or self.n < 3:
            return fit, math.nan, math.nan
        q = float(stats.t.ppf((1 + self.level) / 2, self.n - 2))
        half = q * self._s * math.sqrt(1 + 1 / self.n + (day - self._x_mean) ** 2 / self._sxx)
        return fit, fit - half, fit + half


def project_goal(
    days: np.ndarray | list[float],
    values: np.ndarray | list[float],
    *,
    baseline: float,
    target: float,
    deadline_day: float,
    today_day: float,
    level: float = 0.8,
) -> GoalProjection:
    """Progress and projection of a goal from its check-ins (days since the start).

    ``days`` and ``values`` exclude the baseline, which is added at day 0. Raises
    ``ValueError`` when the target equals the baseline, the deadline is not after the
    start, or a check-in lies before the start.
    """
    if target == baseline:
        raise ValueError("the target must differ from the baseline")
    if deadline_day <= 0:
        raise ValueError("the deadline must come after the start")
    x_in = np.asarray(days, dtype=np.float64)
    y_in = np.asarray(values, dtype=np.float64)
    if x_in.shape != y_in.shape:
        raise ValueError("days and values must have the same length")
    if np.any(x_in < 0):
        raise ValueError("a check-in lies before the goal's start")
    order = np.argsort(x_in, kind="stable")
    x = np.concatenate([[0.0], x_in[order]])
    y = np.concatenate([[float(baseline)], y_in[order]])
    n = int(x.size)
    up = target > baseline
    current = float(y[-1])
    progress = (current - baseline) / (target - baseline)
    elapsed = float(today_day) / float(deadline_day)
    reached = current >= target if up else current <= target

    x_mean = float(np.mean(x))
    sxx = float(np.sum((x - x_mean) ** 2))
    if n < 2 or sxx == 0:
        status = "achieved" if reached and n > 1 else ("missed" if elapsed >= 1 else "no_data")
        return GoalProjection(
            baseline=baseline, target=target, current=current, progress=progress,
            time_elapsed=elapsed, n=n, intercept=current, slope=0.0, projected=current,
            low=math.nan, high=math.nan, probability=math.nan, status=status, level=level,
        )  # fmt: skip
    y_mean = float(np.mean(y))
    slope = float(np.sum((x - x_mean) * (y - y_mean)) / sxx)
    intercept = y_mean - slope * x_mean
    projected = intercept + slope * deadline_day
    low = high = probability = s = math.nan
    if n >= 3:
        resid = y - (intercept + slope * x)
        s = math.sqrt(float(np.sum(resid**2)) / (n - 2))
        scale = s * math.sqrt(1 + 1 / n + (deadline_day - x_mean) ** 2 / sxx)
        if scale > 0:
            q = float(stats.t.ppf((1 + level) / 2, n - 2))
            low, high = projected - q * scale, projected + q * scale
            margin = (projected - target) if up else (target - projected)
            probability = float(stats.t.cdf(margin / scale, n - 2))
        else:
            low = high = projected
            hit = projected >= target if up else projected <= target
            probability = 1.0 if hit else 0.0
    if reached:
        status = "achieved"
    elif elapsed >= 1:
        status = "missed"
    elif math.isfinite(probability):
        status = (
            "on_track" if probability >= ON_TRACK
            else "at_risk" if probability >= AT_RISK else "off_track"
        )  # fmt: skip
    else:
        status = "on_track" if (projected >= target if up else projected <= target) else "off_track"
    return GoalProjection(
        baseline=baseline, target=target, current=current, progress=progress,
        time_elapsed=elapsed, n=n, intercept=intercept, slope=slope, projected=projected,
        low=low, high=high, probability=probability, status=status, level=level,
        _x_mean=x_mean, _sxx=sxx, _s=s,
    )  # fmt: skip
