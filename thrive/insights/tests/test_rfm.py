"""Tests for thrive.insights.rfm."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thrive.insights.rfm import (
    RFM_SEGMENT_DESCRIPTIONS,
    RFM_SEGMENT_GRID,
    RFM_SEGMENTS,
    RFMScores,
    rfm_scores,
    rfm_segments,
)


def test_distinct_values_give_equal_quintiles() -> None:
    # 10 distinct values: mid-rank percentiles 0.05, 0.15, ..., 0.95 -> floor(5p)+1 =
    # 1,1,2,2,3,3,4,4,5,5.
    v = np.arange(10, dtype=float)
    s = rfm_scores(v, v, v)
    assert s.frequency.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert s.monetary.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # recency is reversed: 0 days ago is best
    assert s.recency.tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert s.fm.tolist() == s.frequency.tolist()


def test_ties_share_a_score() -> None:
    # frequency [1,1,1,1,2,3]: ties at 1 have mid-rank 2.5 -> p = 2/6 -> floor(5/3)+1 = 2;
    # 2 has rank 5 -> p = 4.5/6 = .75 -> 4; 3 has rank 6 -> p = 5.5/6 -> 5.
    f = np.array([1, 1, 1, 1, 2, 3], dtype=float)
    s = rfm_scores(np.zeros(6), f, f)
    assert s.frequency.tolist() == [2, 2, 2, 2, 4, 5]
    # all recency equal -> mid percentile 0.5 -> score 3 for everyone
    assert s.recency.tolist() == [3] * 6


def test_fm_rounds_half_up_and_codes() -> None:
    s = RFMScores(
        recency=np.array([5, 1]),
        frequency=np.array([3, 1]),
        monetary=np.array([4, 2]),
        fm=np.array([4, 2]),
        bins=5,
    )
    assert s.codes.tolist() == ["534", "112"]
    computed = rfm_scores(
        np.array([0.0, 1, 2, 3, 4]), np.array([0.0, 1, 2, 3, 4]), np.array([1.0, 0, 3, 2, 4])
    )
    # F = [1,2,3,4,5], M = [2,1,4,3,5] -> FM = floor((F+M+1)/2) = [2,2,4,4,5]
    assert computed.fm.tolist() == [2, 2, 4, 4, 5]


def test_segment_grid_covers_all_eleven_segments() -> None:
    cells = {name for row in RFM_SEGMENT_GRID for name in row}
    assert cells == set(RFM_SEGMENTS) == set(RFM_SEGMENT_DESCRIPTIONS)
    assert len(RFM_SEGMENTS) == 11
    assert all(len(row) == 5 for row in RFM_SEGMENT_GRID) and len(RFM_SEGMENT_GRID) == 5


@pytest.mark.parametrize(
    ("r", "fm", "expected"),
    [
        (5, 5, "champions"),
        (5, 4, "champions"),
        (4, 5, "champions"),
        (4, 4, "loyal"),
        (3, 5, "loyal"),
        (5, 2, "potential_loyalists"),
        (5, 1, "new_customers"),
        (4, 1, "promising"),
        (3, 3, "need_attention"),
        (3, 1, "about_to_sleep"),
        (2, 4, "at_risk"),
        (1, 5, "cant_lose_them"),
        (2, 1, "hibernating"),
        (1, 1, "lost"),
    ],
)
def test_segment_lookup(r: int, fm: int, expected: str) -> None:
    s = RFMScores(np.array([r]), np.array([fm]), np.array([fm]), np.array([fm]), bins=5)
    assert rfm_segments(s).tolist() == [expected]


def test_end_to_end_extremes() -> None:
    # 5 customers; the one who bought yesterday, 20 times for 5000 is a champion, the one
    # gone for a year with one small order is lost.
    recency = np.array([1.0, 365, 30, 60, 90])
    frequency = np.array([20.0, 1, 5, 3, 2])
    monetary = np.array([5000.0, 10, 800, 300, 100])
    seg = rfm_segments(rfm_scores(recency, frequency, monetary))
    assert seg[0] == "champions"
    assert seg[1] == "lost"


def test_empty_and_single_customer() -> None:
    s = rfm_scores(np.array([]), np.array([]), np.array([]))
    assert s.recency.size == 0
    assert rfm_segments(s).size == 0
    one = rfm_scores(np.array([3.0]), np.array([1.0]), np.array([9.0]))
    # single customer: p = 0.5 -> score 3 on every axis -> need attention
    assert (one.recency[0], one.frequency[0], one.monetary[0]) == (3, 3, 3)
    assert rfm_segments(one).tolist() == ["need_attention"]


def test_invalid_inputs() -> None:
    with pytest.raises(ValueError, match="finite"):
        rfm_scores(np.array([np.nan]), np.array([1.0]), np.array([1.0]))
    with pytest.raises(ValueError, match="non-negative"):
        rfm_scores(np.array([-1.0]), np.array([1.0]), np.array([1.0]))
    with pytest.raises(ValueError, match="equal length"):
        rfm_scores(np.array([1.0, 2.0]), np.array([1.0]), np.array([1.0]))
    with pytest.raises(ValueError, match="bins"):
        rfm_scores(np.array([1.0]), np.array([1.0]), np.array([1.0]), bins=1)
    with pytest.raises(ValueError, match="5 bins"):
        rfm_segments(rfm_scores(np.arange(4.0), np.arange(4.0), np.arange(4.0), bins=4))


@settings(max_examples=80, deadline=None)
@given(
    values=st.lists(
        st.tuples(st.integers(0, 400), st.integers(0, 30), st.floats(-50, 1e5, allow_nan=False)),
        min_size=1,
        max_size=60,
    ),
    bins=st.integers(2, 9),
)
def test_scores_are_in_range_and_monotone(values: list, bins: int) -> None:
    r, f, m = (np.array(c, dtype=float) for c in zip(*values, strict=True))
    s = rfm_scores(r, f, m, bins=bins)
    for arr in (s.recency, s.frequency, s.monetary, s.fm):
        assert arr.min() >= 1 and arr.max() <= bins
    # more orders never means a lower F score; fewer days never a lower R score
    order = np.argsort(f, kind="stable")
    assert np.all(np.diff(s.frequency[order]) >= 0)
    order = np.argsort(r, kind="stable")
    assert np.all(np.diff(s.recency[order]) <= 0)
    # equal values, equal scores
    assert np.all((f[:, None] == f[None, :]) <= (s.frequency[:, None] == s.frequency[None, :]))
    if bins == 5:
        assert set(rfm_segments(s).tolist()) <= set(RFM_SEGMENTS)
