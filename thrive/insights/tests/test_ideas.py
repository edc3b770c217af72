"""Idea ranking: hand-computed cases, including three keen votes against three hundred."""

from __future__ import annotations

import math

import numpy as np
import pytest

from thrive.insights.ideas import (
    PRIOR_WEIGHT,
    normalised_entropy,
    rank_ideas,
    supporter_weight,
    wilson_lower_bound,
)

Z = 1.645


def test_wilson_lower_bound_by_hand():
    # k = 50 of n = 100: p = .5, z² = 2.706025
    # centre = .5 + 2.706025/200 = .51353; spread = 1.645·sqrt(.0025 + 2.706025/40000)
    #        = 1.645 · .0506689 = .0833504; bound = (.51353 − .08335) / 1.02706025 = .41884
    assert wilson_lower_bound(np.array([50]), 100)[0] == pytest.approx(0.41884, abs=1e-5)
    # Everyone of one: (1 + z²/2 − z·z/2) / (1 + z²) = 1 / (1 + z²) = .26983
    assert wilson_lower_bound(np.array([1]), 1)[0] == pytest.approx(1 / (1 + Z * Z))
    assert wilson_lower_bound(np.array([0]), 10)[0] == 0.0


def test_wilson_refuses_more_supporters_than_base():
    with pytest.raises(ValueError):
        wilson_lower_bound(np.array([11]), 10)


def test_supporter_weight_is_importance_times_log_value():
    # Critical at ten times the mean value: 3 · (1 + ln 11); nice at the mean: 1 + ln 2.
    u = supporter_weight(np.array([3, 1, 2]), np.array([1000.0, 100.0, -5.0]), 100.0)
    assert u == pytest.approx([3 * (1 + math.log(11)), 1 + math.log(2), 2.0])


def test_entropy_is_even_spread_over_the_base_categories():
    # 2 supporters in each of 2 segments of a base with 4 segments: ln 2 / ln 4 = 0.5.
    assert normalised_entropy(np.array([[2, 2, 0, 0]]), 4)[0] == pytest.approx(0.5)
    assert normalised_entropy(np.array([[3, 3, 3]]), 3)[0] == pytest.approx(1.0)
    assert normalised_entropy(np.array([[5, 0]]), 2)[0] == 0.0
    assert normalised_entropy(np.array([[0, 0]]), 2)[0] == 0.0
    assert normalised_entropy(np.array([[4]]), 1)[0] == 0.0


def test_three_keen_big_spenders_do_not_beat_three_hundred_ordinary_customers():
    # Idea A: 3 customers, all "critical", each worth ten times the mean (u = 3(1 + ln 11)
    # = 10.1937), spread over 3 of 3 segments and 3 of 3 channels (H = 1, B = 1.5).
    # Idea B: 300 customers, "nice to have", at the mean value (u = 1 + ln 2), all in one
    # segment and one channel (H = 0, B = 1). Base N = 1000.
    u_a = 3 * (1 + math.log(11))
    u_b = 1 + math.log(2)
    ranking = rank_ideas(
        np.array([3, 300]),
        np.array([3 * u_a, 300 * u_b]),
        np.array([[1, 1, 1], [300, 0, 0]]),
        np.array([[1, 1, 1], [300, 0, 0]]),
        base_size=1000,
    )
    # L_A = Wilson(3, 1000) = .0011995; V_A = (30.581 + 5·1.6931) / 8 = 4.8808; B_A = 1.5
    # L_B = Wilson(300, 1000) = .27673;  V_B = 1.6931;                         B_B = 1
    assert ranking.lower_bound == pytest.approx([0.0011995, 0.2767275], rel=1e-4)
    assert ranking.value_factor == pytest.approx([4.8808492, u_b], rel=1e-6)
    assert ranking.breadth == pytest.approx([1.5, 1.0])
    assert ranking.score == pytest.approx([0.0011995 * 4.8808492 * 1.5, 0.2767275 * u_b], rel=1e-4)
    assert list(ranking.order) == [1, 0]
    # Raw mean importance would have put A first (3 against 1): the bound is what saves B.


def test_value_breaks_a_tie_in_support():
    # Same 20 supporters of 200, same spread; B's supporters are worth more.
    ranking = rank_ideas(
        np.array([20, 20]),
        np.array([20 * PRIOR_WEIGHT, 20 * 1.0 * (1 + math.log(5))]),
        np.zeros((2, 0)),
        np.zeros((2, 0)),
        base_size=200,
    )
    # V_A = (20·u0 + 5·u0)/25 = u0 = 1.6931; V_B = (20·(1 + ln 5) + 5·u0)/25 = 2.4261
    assert ranking.value_factor == pytest.approx([PRIOR_WEIGHT, 2.4261], rel=1e-4)
    assert list(ranking.order) == [1, 0]


def test_breadth_breaks_a_tie_in_support_and_value():
    ranking = rank_ideas(
        np.array([4, 4]),
        np.array([4 * PRIOR_WEIGHT, 4 * PRIOR_WEIGHT]),
        np.array([[4, 0, 0, 0], [1, 1, 1, 1]]),
        np.array([[4, 0], [4, 0]]),
        base_size=50,
    )
    # Segments: H = 0 against H = 1; channels H = 0 for both: B = 1 and 1 + .5·(1+0)/2.
    assert ranking.breadth == pytest.approx([1.0, 1.25])
    assert list(ranking.order) == [1, 0]


def test_an_idea_without_supporters_scores_zero_and_the_base_grows_to_fit():
    ranking = rank_ideas(np.array([0, 5]), np.array([0.0, 5.0]), np.zeros((2, 1)),
                         np.zeros((2, 1)), base_size=3)  # fmt: skip
    assert ranking.score[0] == 0.0 and ranking.value_factor[0] == 0.0
    # base raised to 5: everyone supports idea 2, L = 1/(1 + z²/5) · (1 + z²/10 − z·z/10)
    assert ranking.lower_bound[1] == pytest.approx(1 / (1 + Z * Z / 5))
    assert list(ranking.order) == [1, 0]


def test_empty_input_gives_empty_ranking():
    ranking = rank_ideas(np.array([]), np.array([]), np.zeros((0, 0)), np.zeros((0, 0)),
                         base_size=0)  # fmt: skip
    assert ranking.score.size == 0 and ranking.order.size == 0


def test_mismatched_or_negative_inputs_are_refused():
    with pytest.raises(ValueError):
        rank_ideas(np.array([1, 2]), np.array([1.0]), np.zeros((2, 0)), np.zeros((2, 0)),
                   base_size=10)  # fmt: skip
    with pytest.raises(ValueError):
        rank_ideas(np.array([-1]), np.array([1.0]), np.zeros((1, 0)), np.zeros((1, 0)),
                   base_size=10)  # fmt: skip
