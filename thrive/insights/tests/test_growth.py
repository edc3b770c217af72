"""Tests for thrive.insights.growth."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thrive.insights.growth import cagr, monthly_series, revenue_growth


def months(start: str, n: int) -> np.ndarray:
    return np.datetime64(start, "M") + np.arange(n).astype("timedelta64[M]")


def test_mom_yoy_ttm_by_hand() -> None:
    # 13 months: 100, 110, then 100 flat, and month 13 = 150.
    rev = np.array([100.0, 110] + [100.0] * 10 + [150.0])
    g = revenue_growth(rev, months("2023-01", 13))
    assert np.isnan(g.mom[0])
    assert g.mom[1] == pytest.approx(0.10)
    assert g.mom[2] == pytest.approx(100 / 110 - 1)
    assert g.mom[12] == pytest.approx(0.5)
    assert np.isnan(g.yoy[:12]).all()
    assert g.yoy[12] == pytest.approx(0.5)  # Jan 2024 150 vs Jan 2023 100
    assert np.isnan(g.ttm[:11]).all()
    assert g.ttm[11] == pytest.approx(1210.0)
    assert g.ttm[12] == pytest.approx(1210 - 100 + 150)
    assert math.isnan(g.cagr)  # fewer than 24 months


def test_cagr_of_series_uses_ttm_windows() -> None:
    # constant 10% per year growth in every month's revenue over 36 months: TTM grows 10%/y
    n = 36
    rev = 1000 * 1.1 ** (np.arange(n) / 12)
    g = revenue_growth(rev, months("2021-01", n))
    assert g.cagr == pytest.approx(0.10, rel=1e-9)
    assert g.yoy[12:] == pytest.approx(np.full(n - 12, 0.10))


def test_gaps_are_zero_and_growth_from_zero_is_nan() -> None:
    g = revenue_growth([100.0, 50.0], np.array(["2024-03", "2024-01"], dtype="datetime64[M]"))
    assert [str(m) for m in g.months] == ["2024-01", "2024-02", "2024-03"]
    assert g.revenue.tolist() == [50, 0, 100]
    assert g.mom[1] == pytest.approx(-1.0)  # 50 -> 0
    assert np.isnan(g.mom[2])  # from 0: undefined, not inf


def test_cagr_function() -> None:
    assert cagr(100, 121, 2) == pytest.approx(0.10)
    assert cagr(100, 0, 1) == -1.0
    assert math.isnan(cagr(0, 100, 3))
    assert math.isnan(cagr(-5, 100, 3))
    with pytest.raises(ValueError):
        cagr(100, 200, 0)


def test_invalid_series() -> None:
    with pytest.raises(ValueError, match="empty"):
        revenue_growth([], np.array([], dtype="datetime64[M]"))
    with pytest.raises(ValueError, match="unique"):
        monthly_series([1.0, 2.0], np.array(["2024-01", "2024-01"], dtype="datetime64[M]"))
    with pytest.raises(ValueError, match="finite"):
        revenue_growth([np.nan], months("2024-01", 1))
    single = revenue_growth([5.0], months("2024-01", 1))
    assert np.isnan(single.mom).all() and single.revenue.tolist() == [5.0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1e7), min_size=1, max_size=40))
def test_no_inf_and_consistency(values: list[float]) -> None:
    g = revenue_growth(values, months("2020-01", len(values)))
    for arr in (g.mom, g.yoy, g.ttm):
        assert not np.isinf(arr).any()
    ok = ~np.isnan(g.mom)
    prev, now, mom = g.revenue[:-1][ok[1:]], g.revenue[1:][ok[1:]], g.mom[1:][ok[1:]]
    # r_t = r_{t-1} (1 + MoM_t) up to rounding relative to the larger of the two months
    assert np.all(np.abs(now - prev * (1 + mom)) <= 1e-12 * np.maximum(prev, now))
    assert np.all(g.mom[ok] >= -1)
