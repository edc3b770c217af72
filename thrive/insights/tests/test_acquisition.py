"""Tests for thrive.insights.acquisition."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thrive.insights.acquisition import cac_by_channel, clv_cac_ratio, payback_months


def test_hand_computed_cac_table() -> None:
    # Spend: ads Jan 1000, ads Feb 600, events Feb 300 (no customers), ads Jan +200 (2nd row)
    # New customers: ads Jan x4, ads Feb x2, organic Feb x3 (no spend)
    t = cac_by_channel(
        ["ads", "ads", "events", "ads"],
        ["2024-01", "2024-02", "2024-02", "2024-01"],
        [1000.0, 600.0, 300.0, 200.0],
        ["ads"] * 6 + ["organic"] * 3,
        ["2024-01"] * 4 + ["2024-02"] * 2 + ["2024-02"] * 3,
    )
    assert t.channels.tolist() == ["ads", "events", "organic"]
    assert [str(m) for m in t.months] == ["2024-01", "2024-02"]
    assert t.spend.tolist() == [[1200, 600], [0, 300], [0, 0]]
    assert t.new_customers.tolist() == [[4, 2], [0, 0], [0, 3]]
    # ads: 1200/4 = 300, 600/2 = 300; events: spend but nobody -> NaN; organic Jan: 0/0
    # -> NaN, organic Feb: 0/3 = 0
    np.testing.assert_allclose(t.cac, [[300, 300], [np.nan, np.nan], [np.nan, 0]])
    np.testing.assert_allclose(t.channel_cac, [1800 / 6, np.nan, 0])
    # blended Jan 1200/4 = 300; Feb (600+300)/(2+3) = 180; total 2100/9
    np.testing.assert_allclose(t.blended_cac, [300, 180])
    assert t.total_blended_cac == pytest.approx(2100 / 9)
    assert not np.isinf(t.cac).any()


def test_counts_from_sql_rows_equal_per_customer_rows() -> None:
    per_row = cac_by_channel(["a"], ["2024-03"], [90.0], ["a"] * 3, ["2024-03"] * 3)
    counted = cac_by_channel(
        ["a"], ["2024-03"], [90.0], ["a"], ["2024-03"], new_customer_counts=[3]
    )
    assert per_row.cac.tolist() == counted.cac.tolist() == [[30.0]]


def test_zero_spend_and_empty() -> None:
    t = cac_by_channel([], [], [], [], [])
    assert t.cac.shape == (0, 0)
    assert math.isnan(t.total_blended_cac)
    only_spend = cac_by_channel(["a"], ["2024-01"], [500.0], [], [])
    assert np.isnan(only_spend.cac).all() and math.isnan(only_spend.total_blended_cac)
    free = cac_by_channel(["a"], ["2024-01"], [0.0], ["a"], ["2024-01"])
    assert free.cac.tolist() == [[0.0]]


def test_invalid_inputs() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        cac_by_channel(["a"], ["2024-01"], [-1.0], [], [])
    with pytest.raises(ValueError, match="lengths"):
        cac_by_channel(["a"], ["2024-01"], [1.0, 2.0], [], [])
    with pytest.raises(ValueError, match="count"):
        cac_by_channel([], [], [], ["a"], ["2024-01"], new_customer_counts=[1, 2])


def test_clv_cac_and_payback_hand_values() -> None:
    assert clv_cac_ratio(900.0, 300.0) == 3.0
    assert math.isnan(clv_cac_ratio(900.0, 0.0))
    assert math.isnan(clv_cac_ratio(900.0, float("nan")))
    np.testing.assert_allclose(clv_cac_ratio(np.array([600, 100]), np.array([200, 0])), [3, np.nan])
    # CAC 300, ARPU 50 at 60% gross margin -> 30 margin/month -> 10 months
    assert payback_months(300.0, 50 * 0.6) == pytest.approx(10.0)
    assert payback_months(0.0, 30.0) == 0.0
    assert math.isnan(payback_months(300.0, 0.0))
    assert math.isnan(payback_months(300.0, -5.0))
    with pytest.raises(ValueError):
        payback_months(-1.0, 10.0)


@settings(max_examples=60, deadline=None)
@given(
    spend=st.lists(
        st.tuples(st.sampled_from("abc"), st.integers(0, 5), st.floats(0, 1e6)), max_size=20
    ),
    new=st.lists(st.tuples(st.sampled_from("abcd"), st.integers(0, 5)), max_size=20),
)
def test_never_inf_and_totals_preserved(spend: list, new: list) -> None:
    month = np.datetime64("2024-01", "M")
    t = cac_by_channel(
        [s[0] for s in spend],
        np.array([month + np.timedelta64(s[1], "M") for s in spend], dtype="datetime64[M]"),
        [s[2] for s in spend],
        [n[0] for n in new],
        np.array([month + np.timedelta64(n[1], "M") for n in new], dtype="datetime64[M]"),
    )
    assert not np.isinf(t.cac).any() and not np.isinf(t.blended_cac).any()
    assert t.spend.sum() == pytest.approx(sum(s[2] for s in spend))
    assert t.new_customers.sum() == len(new)
    assert np.all(np.isnan(t.cac) == (t.new_customers == 0))
    ok = ~np.isnan(t.cac)
    assert np.all(t.cac[ok] >= 0)
