"""Tests for thrive.insights.cohorts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thrive.insights.cohorts import (
    cohort_matrix,
    cohort_matrix_from_counts,
    period_index,
    period_start,
)

D = "datetime64[D]"


def small() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    # Customer 1: Jan 5 (10), Feb 3 (20)         -> cohort Jan, active offsets 0, 1
    # Customer 2: Jan 20 (5)                     -> cohort Jan, offset 0
    # Customer 3: Feb 1 (7), Feb 9 (8), Apr 1 (9) -> cohort Feb, offsets 0 (two orders), 2
    ids = np.array([1, 1, 2, 3, 3, 3])
    dates = np.array(
        ["2024-01-05", "2024-02-03", "2024-01-20", "2024-02-01", "2024-02-09", "2024-04-01"],
        dtype=D,
    )
    amounts = np.array([10, 20, 5, 7, 8, 9], dtype=float)
    channels = np.array(["ads", "ads", "seo", "ads", "x", "x"])
    return ids, dates, amounts, channels


def test_hand_computed_matrix() -> None:
    ids, dates, amounts, _ = small()
    m = cohort_matrix(ids, dates, amounts)
    assert m.cohorts.tolist() == np.array(["2024-01-01", "2024-02-01"], dtype=D).tolist()
    assert m.as_of == np.datetime64("2024-04-01")
    assert m.offsets.tolist() == [0, 1, 2, 3]  # Jan cohort observed through April
    assert m.cohort_sizes.tolist() == [2, 1]
    assert m.customers.tolist() == [[2, 1, 0, 0], [1, 0, 1, 0]]
    assert m.revenue.tolist() == [[15, 20, 0, 0], [15, 0, 9, 0]]
    # Feb cohort offset 3 is May: not observed -> NaN, not 0
    assert m.observed.tolist() == [[True] * 4, [True, True, True, False]]
    np.testing.assert_allclose(m.retention, [[1, 0.5, 0, 0], [1, 0, 1, np.nan]])
    np.testing.assert_allclose(m.revenue_retention, [[1, 20 / 15, 0, 0], [1, 0, 9 / 15, np.nan]])
    # size-weighted: offset 1 -> (1 + 0)/(2 + 1); offset 2 -> (0 + 1)/3; offset 3 -> 0/2
    np.testing.assert_allclose(m.mean_retention, [1, 1 / 3, 1 / 3, 0])
    assert m.channels is None


def test_channels_use_first_transaction() -> None:
    ids, dates, amounts, channels = small()
    m = cohort_matrix(ids, dates, amounts, channels=channels)
    # customer 3 was acquired through "ads" (first row), later rows say "x"
    assert m.channels.tolist() == ["ads", "ads", "seo"]
    assert [str(c) for c in m.cohorts] == ["2024-01-01", "2024-02-01", "2024-01-01"]
    assert m.customers.tolist() == [[1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 0, 0]]
    assert m.revenue[1].tolist() == [15, 0, 9, 0]


def test_from_counts_matches_raw_builder() -> None:
    ids, dates, amounts, _ = small()
    raw = cohort_matrix(ids, dates, amounts)
    agg = cohort_matrix_from_counts(
        np.array(["2024-01-01", "2024-01-01", "2024-02-15", "2024-02-01"], dtype=D),
        np.array([0, 1, 0, 2]),
        np.array([2, 1, 1, 1]),
        np.array([15.0, 20, 15, 9]),
    )
    for field in ("customers", "revenue", "cohort_sizes", "observed", "offsets"):
        np.testing.assert_array_equal(getattr(agg, field), getattr(raw, field))
    np.testing.assert_array_equal(agg.retention, raw.retention)
    assert agg.as_of == raw.as_of


def test_as_of_extends_horizon_and_rejects_earlier() -> None:
    ids, dates, amounts, _ = small()
    m = cohort_matrix(ids, dates, amounts, as_of="2024-06-30")
    assert m.offsets.size == 6
    assert m.retention[0, 5] == 0.0  # June observed, nobody back
    with pytest.raises(ValueError, match="after as_of|before the newest"):
        cohort_matrix(ids, dates, amounts, as_of="2024-03-01")


def test_weekly_and_quarterly_periods() -> None:
    # 2024-01-01 is a Monday; 2024-01-07 Sunday (same week); 2024-01-08 next week.
    d = np.array(["2024-01-01", "2024-01-07", "2024-01-08"], dtype=D)
    assert np.diff(period_index(d, "week")).tolist() == [0, 1]
    assert str(period_start(period_index(d, "week"), "week")[2]) == "2024-01-08"
    q = period_index(np.array(["2023-12-31", "2024-03-31", "2024-04-01"], dtype=D), "quarter")
    assert np.diff(q).tolist() == [1, 1]
    assert str(period_start(q, "quarter")[2]) == "2024-04-01"
    m = cohort_matrix(np.array([1, 1]), d[[0, 2]], np.array([1.0, 1.0]), period="week")
    assert m.customers.tolist() == [[1, 1]]


def test_empty_single_and_invalid() -> None:
    m = cohort_matrix(np.array([]), np.array([], dtype=D), np.array([]))
    assert m.customers.shape == (0, 0) and m.cohorts.size == 0
    one = cohort_matrix(np.array([7]), np.array(["2024-05-05"], dtype=D), np.array([3.0]))
    assert one.customers.tolist() == [[1]] and one.retention.tolist() == [[1.0]]
    zero_rev = cohort_matrix(
        np.array([7, 7]), np.array(["2024-05-05", "2024-06-01"], dtype=D), np.array([0.0, 5])
    )
    assert np.isnan(zero_rev.revenue_retention).all()  # first-month revenue 0
    with pytest.raises(ValueError, match="period"):
        cohort_matrix(np.array([1]), np.array(["2024-01-01"], dtype=D), [1.0], period="day")
    with pytest.raises(ValueError, match="NaT"):
        cohort_matrix(np.array([1]), np.array(["NaT"], dtype=D), [1.0])
    with pytest.raises(ValueError, match="offset 0"):
        cohort_matrix_from_counts(np.array(["2024-01-01"], dtype=D), [1], [1])
    with pytest.raises(ValueError, match="exceed"):
        cohort_matrix_from_counts(np.array(["2024-01-01"] * 2, dtype=D), [0, 1], [1, 2])
    with pytest.raises(ValueError, match="duplicate"):
        cohort_matrix_from_counts(np.array(["2024-01-01"] * 2, dtype=D), [0, 0], [1, 1])


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.integers(0, 15), st.integers(0, 400), st.floats(0, 1000)),
        min_size=1,
        max_size=80,
    )
)
def test_invariants_against_naive_count(rows: list) -> None:
    ids = np.array([r[0] for r in rows])
    dates = np.datetime64("2023-01-01") + np.array([r[1] for r in rows], dtype="timedelta64[D]")
    amounts = np.array([r[2] for r in rows])
    m = cohort_matrix(ids, dates, amounts)
    assert m.cohort_sizes.sum() == np.unique(ids).size
    assert np.isclose(m.revenue.sum(), amounts.sum())
    obs = m.observed
    assert np.all((m.retention[obs] >= 0) & (m.retention[obs] <= 1))
    assert np.all(np.isnan(m.retention[~obs]))
    assert not np.isinf(m.revenue_retention).any()
    assert np.all(m.customers[~obs] == 0)
    # naive recount of one cell per customer
    months = dates.astype("datetime64[M]")
    first = {c: months[ids == c].min() for c in np.unique(ids)}
    for c in np.unique(ids):
        row = int(np.flatnonzero(m.cohorts.astype("datetime64[M]") == first[c])[0])
        for mo in np.unique(months[ids == c]):
            assert m.customers[row, int((mo - first[c]).astype(int))] >= 1
