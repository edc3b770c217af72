"""Tests for thrive.insights.kpis."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thrive.insights.kpis import (
    automation_rate,
    participation_rate,
    revenue_per_employee,
    time_to_market,
)


def test_revenue_per_employee() -> None:
    assert revenue_per_employee(1_200_000.0, 8) == 150_000.0
    assert revenue_per_employee(100.0, 2.5) == 40.0  # FTEs may be fractional
    assert math.isnan(revenue_per_employee(100.0, 0))
    np.testing.assert_allclose(
        revenue_per_employee(np.array([10, 20]), np.array([2, 0])), [5, np.nan]
    )
    with pytest.raises(ValueError):
        revenue_per_employee(1.0, -1)


def test_automation_rate() -> None:
    assert automation_rate(30, 120) == 0.25
    assert math.isnan(automation_rate(0, 0))
    with pytest.raises(ValueError, match="exceed"):
        automation_rate(5, 4)
    with pytest.raises(ValueError, match="non-negative"):
        automation_rate(-1, 4)


def test_time_to_market_by_hand() -> None:
    created = np.array(
        ["2024-01-01", "2024-01-01", "2024-01-10", "2024-02-01", "2024-02-01"],
        dtype="datetime64[D]",
    )
    done = np.array(
        ["2024-01-11", "2024-01-31", "2024-03-11", "NaT", "2024-03-03"], dtype="datetime64[D]"
    )
    t = time_to_market(created, done, now="2024-04-01")
    # durations: 10, 30, 61, 31 (open excluded) -> sorted 10, 30, 31, 61
    assert t.n_done == 4 and t.n_open == 1
    assert t.median_days == pytest.approx(30.5)
    assert t.p75_days == pytest.approx(31 + 0.25 * 30)  # linear interpolation at 2.25
    assert [str(m) for m in t.months] == ["2024-01", "2024-02", "2024-03"]
    assert t.monthly_n.tolist() == [2, 0, 2]
    np.testing.assert_allclose(t.monthly_median_days, [20, np.nan, 46])
    np.testing.assert_allclose(t.monthly_p75_days, [25, np.nan, 53.5])
    # KM with the open idea censored at 60 days (Feb 1 -> Apr 1):
    # t=10 n=5 S=.8; t=30 n=4 S=.6; t=31 n=3 S=.4 -> median 31
    assert t.km_median_days == 31


def test_time_to_market_edge_cases() -> None:
    empty = time_to_market(np.array([], dtype="datetime64[D]"), np.array([], dtype="datetime64[D]"))
    assert math.isnan(empty.median_days) and empty.n_done == 0 and empty.months.size == 0
    all_open = time_to_market(
        np.array(["2024-01-01"], dtype="datetime64[D]"), np.array(["NaT"], dtype="datetime64[D]")
    )
    assert all_open.n_open == 1 and math.isnan(all_open.p75_days)
    with pytest.raises(ValueError, match="before it was created"):
        time_to_market(
            np.array(["2024-01-02"], dtype="datetime64[D]"),
            np.array(["2024-01-01"], dtype="datetime64[D]"),
        )


def test_participation_rate_by_hand() -> None:
    p = participation_rate(40, 200, activity_counts={"voted": 25, "referred": 10})
    assert p.rate == 0.2
    assert p.activities == ("voted", "referred")
    np.testing.assert_allclose(p.activity_rates, [0.125, 0.05])
    # Wilson 95%: z = 1.95996, centre = (0.2 + z²/400)/(1 + z²/200), half-width as below
    z = 1.959963984540054
    centre = (0.2 + z * z / 400) / (1 + z * z / 200)
    half = z * math.sqrt(0.2 * 0.8 / 200 + z * z / (4 * 200 * 200)) / (1 + z * z / 200)
    assert p.ci_low == pytest.approx(centre - half)
    assert p.ci_high == pytest.approx(centre + half)


def test_participation_edge_cases() -> None:
    nobody = participation_rate(0, 0)
    assert math.isnan(nobody.rate) and math.isnan(nobody.ci_low)
    none_took_part = participation_rate(0, 50)
    assert none_took_part.rate == 0 and none_took_part.ci_low == 0 and none_took_part.ci_high > 0
    with pytest.raises(ValueError, match="exceed"):
        participation_rate(6, 5)
    with pytest.raises(ValueError, match="activity"):
        participation_rate(3, 5, activity_counts={"voted": 4})


@settings(max_examples=100, deadline=None)
@given(k=st.integers(0, 10_000), extra=st.integers(0, 10_000))
def test_wilson_interval_contains_rate(k: int, extra: int) -> None:
    n = k + extra
    if n == 0:
        return
    p = participation_rate(k, n)
    assert 0 <= p.ci_low <= p.rate <= p.ci_high <= 1
