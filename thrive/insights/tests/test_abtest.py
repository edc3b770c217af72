"""A/B analysis equals statsmodels and scipy on the same numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_effectsize,
    proportions_ztest,
)

from thrive.insights.abtest import (
    PEEKING_FALSE_POSITIVE,
    bayes_means,
    bayes_proportions,
    means_test,
    peeking_warning,
    proportions_test,
    sample_size_means,
    sample_size_proportions,
)

# Two win-back emails: A (control) and B, people who bought again within 30 days.
CASES = [(1200, 96, 1180, 124), (400, 40, 410, 41), (5000, 600, 5000, 540), (30, 0, 30, 3)]


@pytest.mark.parametrize(("n_a", "x_a", "n_b", "x_b"), CASES)
def test_difference_of_proportions_equals_statsmodels(n_a, x_a, n_b, x_b):
    ours = proportions_test(n_a, x_a, n_b, x_b)
    z, p = proportions_ztest([x_b, x_a], [n_b, n_a])
    low, high = confint_proportions_2indep(x_b, n_b, x_a, n_a, method="wald", compare="diff")
    assert ours.z == pytest.approx(z, rel=1e-12)
    assert ours.p_value == pytest.approx(p, rel=1e-10)
    assert ours.ci_low == pytest.approx(low, abs=1e-12)
    assert ours.ci_high == pytest.approx(high, abs=1e-12)
    assert ours.difference == pytest.approx(x_b / n_b - x_a / n_a)


def test_a_clear_win_is_significant_and_a_tie_is_not():
    assert proportions_test(1200, 96, 1180, 124).significant  # 8.0% → 10.5%, p ≈ 0.033
    assert not proportions_test(400, 40, 410, 41).significant


def test_proportions_reject_impossible_counts():
    with pytest.raises(ValueError, match="variant"):
        proportions_test(100, 5, 100, 101)
    with pytest.raises(ValueError, match="control"):
        proportions_test(0, 0, 100, 1)


@pytest.mark.parametrize(
    "stats_",
    [
        (32.5, 11.0, 140, 35.9, 12.5, 150),
        (20.0, 4.0, 12, 20.5, 9.0, 40),
        (5.0, 1.0, 3, 7.0, 2.0, 5),
    ],
)
def test_difference_of_means_equals_scipy_welch(stats_):
    ma, sa, na, mb, sb, nb = stats_
    ours = means_test(ma, sa, na, mb, sb, nb)
    ref = stats.ttest_ind_from_stats(mb, sb, nb, ma, sa, na, equal_var=False)
    assert ours.t == pytest.approx(ref.statistic, rel=1e-12)
    assert ours.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    # The interval against statsmodels' Welch interval on raw data with those moments.
    from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

    def sample(mean, sd, n):
        z = np.arange(n, dtype=float)
        z = (z - z.mean()) / z.std(ddof=1)
        return mean + sd * z

    cm = CompareMeans(DescrStatsW(sample(mb, sb, nb)), DescrStatsW(sample(ma, sa, na)))
    low, high = cm.tconfint_diff(usevar="unequal")
    assert ours.ci_low == pytest.approx(low, rel=1e-9)
    assert ours.ci_high == pytest.approx(high, rel=1e-9)


def test_bayes_probability_equals_numerical_integration():
    n_a, x_a, n_b, x_b = 1200, 96, 1180, 124
    ours = bayes_proportions(n_a, x_a, n_b, x_b)
    a = stats.beta(1 + x_a, 1 + n_a - x_a)
    b = stats.beta(1 + x_b, 1 + n_b - x_b)
    exact, _ = integrate.quad(lambda p: b.pdf(p) * a.cdf(p), 0, 1, points=[0.08, 0.105], limit=200)
    assert ours.prob_b_beats_a == pytest.approx(exact, abs=1e-7)
    assert ours.a_low == pytest.approx(a.ppf(0.025))
    assert ours.b_high == pytest.approx(b.ppf(0.975))
    # The difference's interval from 200,000 draws sits near the normal approximation.
    sd = math.sqrt(a.var() + b.var())
    assert ours.diff_low == pytest.approx(b.mean() - a.mean() - 1.96 * sd, abs=2e-3)
    assert ours.diff_high == pytest.approx(b.mean() - a.mean() + 1.96 * sd, abs=2e-3)


def test_bayes_probability_of_equal_arms_is_one_half_and_symmetric():
    assert bayes_proportions(100, 10, 100, 10).prob_b_beats_a == pytest.approx(0.5, abs=1e-9)
    ab = bayes_proportions(300, 20, 280, 31).prob_b_beats_a
    ba = bayes_proportions(280, 31, 300, 20).prob_b_beats_a
    assert ab + ba == pytest.approx(1.0, abs=1e-9)


def test_bayes_means_uses_student_t_posteriors():
    ours = bayes_means(32.5, 11.0, 140, 35.9, 12.5, 150)
    post_b = stats.t(df=149, loc=35.9, scale=12.5 / math.sqrt(150))
    assert ours.b_low == pytest.approx(post_b.ppf(0.025))
    # Large samples: P(B > A) ≈ Φ(difference ÷ combined posterior sd).
    scale = math.sqrt(11.0**2 / 140 * 139 / 137 + 12.5**2 / 150 * 149 / 147)
    assert ours.prob_b_beats_a == pytest.approx(stats.norm.cdf(3.4 / scale), abs=3e-3)


@pytest.mark.parametrize(("p1", "p2"), [(0.08, 0.10), (0.28, 0.35), (0.5, 0.45), (0.02, 0.03)])
def test_sample_size_for_proportions_equals_statsmodels(p1, p2):
    h = proportion_effectsize(p2, p1)
    ref = NormalIndPower().solve_power(effect_size=h, alpha=0.05, power=0.8, ratio=1.0)
    assert sample_size_proportions(p1, p2) == math.ceil(ref)


@pytest.mark.parametrize(("delta", "sd", "power"), [(2.0, 10.0, 0.8), (5.0, 12.0, 0.9)])
def test_sample_size_for_means_equals_statsmodels(delta, sd, power):
    ref = NormalIndPower().solve_power(effect_size=delta / sd, alpha=0.05, power=power)
    assert sample_size_means(delta, sd, power=power) == math.ceil(ref)


def test_sample_size_by_hand_for_a_textbook_case():
    # 28% → 35%: h = 2 asin√.35 − 2 asin√.28 = 0.150906; the one-tailed approximation
    # 2(1.959964 + 0.841621)²/h² = 689.33; the far tail adds a hair, so 690 per group.
    assert sample_size_proportions(0.28, 0.35) == 690


def test_peeking_warning_until_the_planned_sample_and_silence_after():
    text = peeking_warning(300, 1000, looks=5)
    assert "300 of 1,000" in text and "14%" in text
    assert peeking_warning(1000, 1000) == ""
    assert PEEKING_FALSE_POSITIVE[1] == 0.05


def test_sample_size_refuses_no_effect():
    with pytest.raises(ValueError):
        sample_size_proportions(0.1, 0.1)
