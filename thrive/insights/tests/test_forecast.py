"""Tests for thrive.insights.forecast, including a back-test on simulated series."""

from __future__ import annotations

import numpy as np
import pytest

from thrive.insights.forecast import backtest_forecast, forecast_revenue


def months(start: str, n: int) -> np.ndarray:
    return np.datetime64(start, "M") + np.arange(n).astype("timedelta64[M]")


def simulate(rng: np.random.Generator, n: int, sigma: float = 0.08) -> np.ndarray:
    """log r_t = log 1000 + 0.01 t + 0.25 sin(2π t / 12) + N(0, σ²) — the model's form."""
    t = np.arange(n)
    return np.exp(
        np.log(1000) + 0.01 * t + 0.25 * np.sin(2 * np.pi * t / 12) + rng.normal(0, sigma, n)
    )


def test_exact_exponential_growth_is_extrapolated() -> None:
    rev = 100 * 1.02 ** np.arange(10)
    fc = forecast_revenue(rev, months("2024-01", 10), horizon=3)
    assert fc.model == "log-linear"  # < 24 months: no seasonal dummies
    np.testing.assert_allclose(fc.forecast, 100 * 1.02 ** np.arange(10, 13), rtol=1e-9)
    np.testing.assert_allclose(fc.lower, fc.forecast, rtol=1e-6)  # no noise, no width
    assert fc.monthly_growth == pytest.approx(0.02)
    assert [str(m) for m in fc.months] == ["2024-11", "2024-12", "2025-01"]


def test_seasonal_pattern_is_learned() -> None:
    # 3 years of pure multiplicative seasonality (December doubles), no trend, no noise
    factor = np.ones(12)
    factor[11] = 2.0
    rev = np.tile(500 * factor, 3)
    fc = forecast_revenue(rev, months("2021-01", 36), horizon=12)
    assert fc.model == "log-linear+seasonal"
    np.testing.assert_allclose(fc.forecast, 500 * factor, rtol=1e-9)
    np.testing.assert_allclose(fc.fitted, rev, rtol=1e-9)


def test_interval_coverage_on_simulated_series() -> None:
    # 300 independent series, fit on 36 months, forecast 12: the 80% intervals should
    # contain about 80% of the held-out months (exact under the simulated model).
    rng = np.random.default_rng(2024)
    inside = total = 0
    for _ in range(300):
        y = simulate(rng, 48)
        fc = forecast_revenue(y[:36], months("2020-01", 36), horizon=12, level=0.8)
        inside += int(np.sum((y[36:] >= fc.lower) & (y[36:] <= fc.upper)))
        total += 12
        assert np.all(fc.lower < fc.forecast) and np.all(fc.forecast < fc.upper)
    assert abs(inside / total - 0.8) < 0.04


def test_rolling_backtest_on_one_series() -> None:
    rng = np.random.default_rng(7)
    y = simulate(rng, 72)
    bt = backtest_forecast(y, months("2018-01", 72), horizon=6, level=0.8, min_train=24)
    assert bt.n_forecasts == sum(min(6, 72 - o) for o in range(24, 72))
    assert 0.65 <= bt.coverage <= 0.95
    assert bt.mape < 0.15  # noise σ = 8% on the log scale


def test_zero_months_switch_to_linear_model() -> None:
    rev = np.array([0.0, 10, 20, 30, 40, 50])
    fc = forecast_revenue(rev, months("2024-01", 6), horizon=2)
    assert fc.model == "linear"
    np.testing.assert_allclose(fc.forecast, [60, 70])
    assert np.all(fc.lower >= 0)


def test_invalid_inputs() -> None:
    with pytest.raises(ValueError, match="at least 4"):
        forecast_revenue([1.0, 2.0, 3.0], months("2024-01", 3))
    with pytest.raises(ValueError, match="horizon"):
        forecast_revenue(np.ones(12), months("2024-01", 12), horizon=0)
    with pytest.raises(ValueError, match="level"):
        forecast_revenue(np.ones(12), months("2024-01", 12), level=1.0)
    with pytest.raises(ValueError, match="too short"):
        backtest_forecast(np.ones(10), months("2024-01", 10), min_train=24)
