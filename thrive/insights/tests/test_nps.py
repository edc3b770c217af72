"""Tests for thrive.insights.nps."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thrive.insights.nps import nps, nps_from_counts

Z95 = 1.959963984540054


def test_known_answer_100_responses() -> None:
    # 50 promoters, 30 passives, 20 detractors: NPS = 50% - 20% = 30.
    # Var = (0.5 + 0.2 - 0.3^2)/100 = 0.61/100 -> SE = sqrt(0.0061) = 0.0781025 -> 7.81 pts
    scores = np.array([10] * 30 + [9] * 20 + [8] * 15 + [7] * 15 + [6] * 10 + [0] * 10)
    r = nps(scores)
    assert (r.promoters, r.passives, r.detractors, r.n) == (50, 30, 20, 100)
    assert r.score == pytest.approx(30.0)
    assert r.std_error == pytest.approx(100 * math.sqrt(0.0061))
    assert r.ci_low == pytest.approx(30 - Z95 * 7.810249675906654)
    assert r.ci_high == pytest.approx(30 + Z95 * 7.810249675906654)
    # adjusted: n~ = 103, p~ = 50.75/103, d~ = 20.75/103, diff = 30/103
    p, d = 50.75 / 103, 20.75 / 103
    se = math.sqrt((p + d - (p - d) ** 2) / 103)
    assert r.adjusted_ci_low == pytest.approx(100 * (p - d - Z95 * se))
    assert r.adjusted_ci_high == pytest.approx(100 * (p - d + Z95 * se))


def test_small_n_all_promoters() -> None:
    r = nps([10, 9, 9])
    assert r.score == 100.0
    # Wald collapses to a point; the adjusted interval does not
    assert r.ci_low == r.ci_high == 100.0
    assert r.adjusted_ci_low < 60 and r.adjusted_ci_high == 100.0


def test_confidence_level_widens_interval_and_counts_entry() -> None:
    a = nps_from_counts(40, 40, 20, confidence=0.8)
    b = nps_from_counts(40, 40, 20, confidence=0.99)
    assert b.ci_low < a.ci_low < a.score < a.ci_high < b.ci_high
    assert a.score == pytest.approx(20.0)


def test_invalid_inputs() -> None:
    with pytest.raises(ValueError, match="at least one"):
        nps([])
    with pytest.raises(ValueError, match="0 to 10"):
        nps([11])
    with pytest.raises(ValueError, match="0 to 10"):
        nps([7.5])
    with pytest.raises(ValueError, match="non-negative"):
        nps_from_counts(-1, 2, 3)
    with pytest.raises(ValueError, match="confidence"):
        nps([9], confidence=1.0)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=1, max_size=300))
def test_bounds_and_order(scores: list[int]) -> None:
    r = nps(scores)
    for v in (r.score, r.ci_low, r.ci_high, r.adjusted_ci_low, r.adjusted_ci_high):
        assert -100.0 <= v <= 100.0 and math.isfinite(v)
    assert r.ci_low <= r.score <= r.ci_high
    assert r.adjusted_ci_low < r.adjusted_ci_high
    assert r.promoters + r.passives + r.detractors == r.n == len(scores)


def test_adjusted_interval_coverage_small_n() -> None:
    # Simulation: true shares 0.6 / 0.25 / 0.15 (NPS 45), n = 20.  The adjusted interval
    # should cover close to 95%, and no worse than Wald.
    rng = np.random.default_rng(5)
    true = 45.0
    draws = rng.multinomial(20, [0.6, 0.25, 0.15], size=4000)
    wald = adj = 0
    for p, q, d in draws:
        r = nps_from_counts(int(p), int(q), int(d))
        wald += r.ci_low <= true <= r.ci_high
        adj += r.adjusted_ci_low <= true <= r.adjusted_ci_high
    assert 0.92 <= adj / 4000 <= 0.985
    assert adj >= wald
