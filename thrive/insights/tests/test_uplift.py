"""Campaign uplift against a holdout: intervals with known answers and honest verdicts."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from thrive.insights.uplift import (
    arm_outcome,
    compare_arms,
    newcombe_interval,
    welch_interval,
    wilson_interval,
    without_top_spenders,
)


def test_wilson_interval_matches_the_score_interval_worked_by_hand() -> None:
    # 56 of 70: p = 0.8, z = 1.959964; centre (0.8 + z²/140) / (1 + z²/70) = 0.784393,
    # half-width z·√(0.8·0.2/70 + z²/19600) / (1 + z²/70) = 0.092560.
    low, high = wilson_interval(56, 70)
    assert low == pytest.approx(0.691834, abs=1e-6)
    assert high == pytest.approx(0.876953, abs=1e-6)


def test_newcombe_interval_reproduces_newcombes_published_example() -> None:
    # Newcombe (1998), Table II, example (a): 56/70 − 48/80, method 10: 0.0524 to 0.3339.
    d, low, high = newcombe_interval(56, 70, 48, 80)
    assert d == pytest.approx(0.2)
    assert low == pytest.approx(0.0524, abs=5e-5)
    assert high == pytest.approx(0.3339, abs=5e-5)


def test_newcombe_interval_stays_sensible_when_nobody_ordered() -> None:
    d, low, high = newcombe_interval(0, 40, 0, 40)
    assert d == 0
    assert -1 < low < 0 < high < 1


def test_welch_interval_matches_the_formula_worked_by_hand() -> None:
    treated = np.array([0.0, 0.0, 10.0, 30.0])  # mean 10, variance 200
    control = np.array([0.0, 5.0, 10.0])  # mean 5, variance 25
    # se² = 200/4 + 25/3 = 58.3333; ν = 58.3333² / (50²/3 + 8.3333²/2) = 3.91999
    se = math.sqrt(50 + 25 / 3)
    nu = (50 + 25 / 3) ** 2 / (50**2 / 3 + (25 / 3) ** 2 / 2)
    assert nu == pytest.approx(3.91999, abs=1e-5)
    q = stats.t.ppf(0.975, nu)
    d, low, high = welch_interval(10, math.sqrt(200), 4, 5, 5, 3)
    assert d == 5
    assert (low, high) == pytest.approx((5 - q * se, 5 + q * se))
    # And scipy's own Welch test agrees.
    ci = stats.ttest_ind(treated, control, equal_var=False).confidence_interval()
    assert (low, high) == pytest.approx((ci.low, ci.high))


def test_arm_outcome_counts_people_buyers_orders_and_revenue() -> None:
    arm = arm_outcome([0, 2, 1, 0], [0.0, 30.0, 10.0, 0.0])
    assert (arm.people, arm.buyers, arm.orders, arm.revenue) == (4, 2, 3, 40.0)
    assert arm.conversion == 0.5
    assert arm.revenue_per_person == 10.0
    assert arm.revenue_sd == pytest.approx(math.sqrt((100 + 400 + 0 + 100) / 3))


def test_arm_outcome_refuses_mismatched_or_negative_input() -> None:
    with pytest.raises(ValueError, match="one entry per person"):
        arm_outcome([1, 2], [1.0])
    with pytest.raises(ValueError, match="negative"):
        arm_outcome([-1], [1.0])


def _arm(people: int, buyers: int, each: float) -> object:
    orders = [1] * buyers + [0] * (people - buyers)
    return arm_outcome(orders, [each * o for o in orders])


def test_a_campaign_that_clearly_sold_more_is_called_likely_more_revenue() -> None:
    # 20 of 100 bought 50 each (10 per person) against 5 of 100 in the holdout (2.50):
    # +7.50 per person; Welch se = √(404.04/100 + 119.95/100) = 2.289, so the interval
    # starts near 7.5 − 1.97 × 2.289 ≈ 2.99, above zero.
    result = compare_arms(_arm(100, 20, 50.0), _arm(100, 5, 50.0))
    assert result.revenue_difference == pytest.approx(7.5)
    assert result.revenue_low == pytest.approx(2.99, abs=0.02)
    assert result.conversion_difference == pytest.approx(0.15)
    assert result.conversion_low > 0
    assert result.verdict == "more"
    assert result.words.startswith("Likely more revenue: +7.50 per person")


def test_a_campaign_that_sold_less_is_called_likely_less_revenue() -> None:
    result = compare_arms(_arm(100, 5, 50.0), _arm(100, 20, 50.0))
    assert result.verdict == "less"
    assert result.revenue_high < 0


def test_equal_arms_give_no_clear_difference_with_the_range_allowed() -> None:
    result = compare_arms(_arm(200, 20, 40.0), _arm(200, 20, 40.0))
    assert result.verdict == "unclear"
    assert result.revenue_low < 0 < result.revenue_high
    assert "No clear difference" in result.words


def test_a_small_holdout_is_not_enough_people_to_tell() -> None:
    result = compare_arms(_arm(300, 60, 50.0), _arm(12, 0, 0.0))
    assert result.verdict == "too_few_people"
    assert "smaller group has 12 people" in result.words


def test_almost_no_buyers_is_not_enough_orders_to_tell() -> None:
    result = compare_arms(_arm(100, 3, 50.0), _arm(100, 1, 50.0))
    assert result.verdict == "too_few_buyers"


def test_the_revenue_interval_covers_a_known_uplift_about_95_times_in_100() -> None:
    # A business whose truth we know: everyone buys with probability 0.1 (control) or
    # 0.14 (treated), spending a gamma amount of mean 40. True uplift 0.04 × 40 = 1.60 per
    # person. Over 1,000 seeded replications the 95% interval should cover it 93–97% of
    # the time (binomial sd of the coverage is √(0.95·0.05/1000) ≈ 0.7 points).
    rng = np.random.default_rng(2026)
    truth, covered = 0.04 * 40.0, 0
    reps = 1000
    for _ in range(reps):
        t_buy = rng.random(400) < 0.14
        c_buy = rng.random(400) < 0.10
        t_rev = np.where(t_buy, rng.gamma(4.0, 10.0, 400), 0.0)
        c_rev = np.where(c_buy, rng.gamma(4.0, 10.0, 400), 0.0)
        result = compare_arms(arm_outcome(t_buy, t_rev), arm_outcome(c_buy, c_rev))
        covered += result.revenue_low <= truth <= result.revenue_high
    assert 0.93 <= covered / reps <= 0.97


def test_leaving_out_the_top_spenders_drops_the_biggest_one_percent_at_least_one() -> None:
    orders, revenue = without_top_spenders([1, 0, 1, 2], [20.0, 0.0, 900.0, 35.0])
    assert list(revenue) == [20.0, 0.0, 35.0]
    assert list(orders) == [1, 0, 2]
    _, many = without_top_spenders([1] * 300, np.arange(300.0))
    assert many.size == 297 and many.max() == 296.0
