"""Monthly revenue forecast: log-linear trend + month-of-year seasonality, with intervals.

Model (classical regression with seasonal dummies; e.g. Hyndman & Athanasopoulos,
*Forecasting: Principles and Practice*, 3rd ed., §7.4 "Some useful predictors"):

    log r_t = β0 + β1 t + Σ_{j=2..12} γ_j [month(t) = j] + ε_t,   ε_t ~ iid N(0, σ²)

fitted by ordinary least squares.  Growth is multiplicative (a constant % per month) and
so is seasonality (December is x% above trend).  For a future month with regressors x0
the (1 - α) prediction interval on the log scale is

    x0ᵀβ̂ ± t_{n-p, 1-α/2} · σ̂ · sqrt(1 + x0ᵀ(XᵀX)⁻¹x0),     σ̂² = RSS / (n - p)

and is exponentiated; the point forecast exp(x0ᵀβ̂) is the forecast *median*.  These
intervals are exact when the model holds (they include parameter uncertainty) but
assume independent errors: strongly autocorrelated residuals make them too narrow —
``backtest_forecast`` measures real coverage on a series.

Choices: seasonal dummies need two full years (n >= 24); shorter series (n >= 4) get the
trend only.  If any month has revenue <= 0 the log is undefined, so the same regression
is fitted on the raw scale (additive trend and seasonality) and lower bounds are clipped
at 0.  ``model`` in the result says which variant ran.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import t as student_t

from thrive.insights.growth import monthly_series

__all__ = ["Backtest", "RevenueForecast", "backtest_forecast", "forecast_revenue"]

_MIN_SEASONAL = 24
_MIN_MONTHS = 4


@dataclass(frozen=True, slots=True)
class RevenueForecast:
    months: np.ndarray  # datetime64[M] (horizon,): the forecast months
    forecast: np.ndarray  # point forecast (median on the log model)
    lower: np.ndarray  # prediction interval at `level`
    upper: np.ndarray
    level: float
    model: str  # "log-linear+seasonal", "log-linear", "linear+seasonal" or "linear"
    history_months: np.ndarray  # datetime64[M], contiguous
    fitted: np.ndarray  # in-sample fitted values on the revenue scale
    residual_std: float  # σ̂ on the model scale (log or revenue)
    monthly_growth: float  # trend growth per month: exp(β1) - 1 (log) or β1 (linear)


@dataclass(frozen=True, slots=True)
class Backtest:
    coverage: float  # share of actuals inside the interval
    mape: float  # mean |actual - forecast| / actual over actuals > 0
    n_forecasts: int
    level: float


def _design(t: np.ndarray, month_of_year: np.ndarray, seasonal: bool) -> np.ndarray:
    cols = [np.ones(t.size), t.astype(np.float64)]
    if seasonal:
        for j in range(1, 12):  # January is the baseline
            cols.append((month_of_year == j).astype(np.float64))
    return np.column_stack(cols)


def forecast_revenue(
    monthly_revenue: np.ndarray,
    months: np.ndarray,
    *,
    horizon: int = 6,
    level: float = 0.8,
) -> RevenueForecast:
    """Forecast the next ``horizon`` months with ``level`` prediction intervals.

    Missing months inside the series are filled with 0 (see ``monthly_series``).
    Raises ``ValueError`` for fewer than 4 months, ``horizon < 1`` or ``level`` outside
    (0, 1).
    """
    if horizon < 1:
        raise ValueError("horizon must be >= 1")
    if not 0.0 < level < 1.0:
        raise ValueError("level must be in (0, 1)")
    mon, rev = monthly_series(monthly_revenue, months)
    n = rev.size
    if n < _MIN_MONTHS:
        raise ValueError(f"need at least {_MIN_MONTHS} months of revenue")
    seasonal = n >= _MIN_SEASONAL
    use_log = bool(np.all(rev > 0))
    y = np.log(rev) if use_log else rev

    t_hist = np.arange(n)
    moy = mon.astype(np.int64) % 12
    x = _design(t_hist, moy, seasonal)
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ beta
    dof = n - x.shape[1]
    sigma = float(np.sqrt(resid @ resid / dof))
    xtx_inv = np.linalg.pinv(x.T @ x)

    fut = mon[-1] + np.arange(1, horizon + 1).astype("timedelta64[M]")
    x0 = _design(np.arange(n, n + horizon), fut.astype(np.int64) % 12, seasonal)
    mean = x0 @ beta
    spread = sigma * np.sqrt(1.0 + np.einsum("ij,jk,ik->i", x0, xtx_inv, x0))
    q = float(student_t.ppf(0.5 + level / 2.0, dof))
    lo, hi = mean - q * spread, mean + q * spread
    fitted = x @ beta
    if use_log:
        point, lower, upper, fitted = np.exp(mean), np.exp(lo), np.exp(hi), np.exp(fitted)
        growth = float(np.exp(beta[1]) - 1.0)
    else:
        point, lower, upper = mean, np.maximum(lo, 0.0), hi
        growth = float(beta[1])
    name = ("log-linear" if use_log else "linear") + ("+seasonal" if seasonal else "")
    return RevenueForecast(
        months=fut,
        forecast=point,
        lower=lower,
        upper=upper,
        level=level,
        model=name,
        history_months=mon,
        fitted=fitted,
        residual_std=sigma,
        monthly_growth=growth,
    )


def backtest_forecast(
    monthly_revenue: np.ndarray,
    months: np.ndarray,
    *,
    horizon: int = 6,
    level: float = 0.8,
    min_train: int = _MIN_SEASONAL,
) -> Backtest:
    """Rolling-origin back-test: refit on months [0, o) for every origin o >= min_train,
    forecast ``horizon`` months ahead, and score the forecasts that have actuals.

    Raises ``ValueError`` when the series is too short for a single forecast.
    """
    mon, rev = monthly_series(monthly_revenue, months)
    if min_train < _MIN_MONTHS or rev.size <= min_train:
        raise ValueError("series too short for a back-test with this min_train")
    inside = 0
    total = 0
    ape: list[float] = []
    for origin in range(min_train, rev.size):
        fc = forecast_revenue(rev[:origin], mon[:origin], horizon=horizon, level=level)
        actual = rev[origin : origin + horizon]
        k = actual.size
        inside += int(np.sum((actual >= fc.lower[:k]) & (actual <= fc.upper[:k])))
        total += k
        pos = actual > 0
        ape.extend((np.abs(actual[pos] - fc.forecast[:k][pos]) / actual[pos]).tolist())
    return Backtest(
        coverage=inside / total,
        mape=float(np.mean(ape)) if ape else float("nan"),
        n_forecasts=total,
        level=level,
    )
