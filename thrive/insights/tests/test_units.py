"""The models do not depend on the unit of time or money the caller happens to use."""

from __future__ import annotations

import numpy as np
import pytest

from thrive.insights.bgnbd import fit_bgnbd
from thrive.insights.fitting import maximize_log_likelihood
from thrive.insights.gammagamma import fit_gamma_gamma
from thrive.insights.paretonbd import fit_pareto_nbd

from .conftest import CalibrationHoldout

DAYS_PER_WEEK = 7.0
MS_PER_WEEK = 7.0 * 86_400_000.0


@pytest.mark.parametrize("per_week", [1.0, DAYS_PER_WEEK, MS_PER_WEEK])
def test_bgnbd_on_cdnow_gives_the_same_fit_in_weeks_days_and_milliseconds(
    cdnow_calibration: CalibrationHoldout, per_week: float
) -> None:
    s = cdnow_calibration.summary
    x, t_x, big_t = s.frequency, s.recency * per_week, s.T * per_week
    fit = fit_bgnbd(x, t_x, big_t)
    assert fit.converged
    # Fader, Hardie & Lee (2005), weeks: r 0.243, alpha 4.414, a 0.793, b 2.426, LL -9582.4.
    assert fit.r == pytest.approx(0.2426, rel=1e-3)
    assert fit.alpha / per_week == pytest.approx(4.4137, rel=1e-3)
    assert (fit.a, fit.b) == (pytest.approx(0.7929, rel=1e-3), pytest.approx(2.4259, rel=1e-3))
    # The likelihood of times carries one 1/unit factor per repeat purchase.
    shift = float(np.sum(x)) * np.log(per_week)
    assert fit.log_likelihood + shift == pytest.approx(-9582.43, abs=0.05)
    # Predictions in the caller's unit match: 39 weeks of purchases for every customer.
    weeks = fit_bgnbd(s.frequency, s.recency, s.T)
    np.testing.assert_allclose(
        fit.expected_purchases(39.0 * per_week, x, t_x, big_t),
        weeks.expected_purchases(39.0, s.frequency, s.recency, s.T),
        rtol=1e-4,
    )


def test_pareto_nbd_on_cdnow_gives_the_same_fit_in_weeks_and_milliseconds(
    cdnow_calibration: CalibrationHoldout,
) -> None:
    s = cdnow_calibration.summary
    weeks = fit_pareto_nbd(s.frequency, s.recency, s.T)
    ms = fit_pareto_nbd(s.frequency, s.recency * MS_PER_WEEK, s.T * MS_PER_WEEK)
    assert ms.converged
    assert (ms.r, ms.s) == (pytest.approx(weeks.r, rel=1e-4), pytest.approx(weeks.s, rel=1e-4))
    assert ms.alpha / MS_PER_WEEK == pytest.approx(weeks.alpha, rel=1e-4)
    assert ms.beta / MS_PER_WEEK == pytest.approx(weeks.beta, rel=1e-4)
    shift = float(np.sum(s.frequency)) * np.log(MS_PER_WEEK)
    assert ms.log_likelihood + shift == pytest.approx(weeks.log_likelihood, abs=1e-3)


def test_gamma_gamma_on_cdnow_spend_times_ten_million_gives_the_same_fit(
    cdnow_calibration: CalibrationHoldout,
) -> None:
    s = cdnow_calibration.summary
    repeat = s.frequency > 0
    x, m = s.frequency[repeat], s.monetary_value[repeat]
    dollars = fit_gamma_gamma(x, m)
    scaled = fit_gamma_gamma(x, m * 1e7)
    assert scaled.converged
    assert scaled.p == pytest.approx(dollars.p, rel=1e-4)
    assert scaled.q == pytest.approx(dollars.q, rel=1e-4)
    assert scaled.gamma / 1e7 == pytest.approx(dollars.gamma, rel=1e-4)
    # One 1/money factor per customer's mean spend.
    assert scaled.log_likelihood + x.size * np.log(1e7) == pytest.approx(
        dollars.log_likelihood, abs=1e-3
    )
    np.testing.assert_allclose(
        scaled.expected_spend(x, m * 1e7) / 1e7, dollars.expected_spend(x, m), rtol=1e-5
    )


def test_a_fit_that_ends_on_the_search_bound_is_not_converged() -> None:
    # log(theta) rises forever: the optimiser can only stop on the upper bound (1e8).
    def rising(theta: np.ndarray) -> tuple[float, np.ndarray]:
        return float(np.log(theta[0])), np.array([1.0 / theta[0]])

    result = maximize_log_likelihood(rising, np.array([1.0]), total_weight=1.0)
    assert result.at_bound
    assert not result.converged


def test_repeat_purchases_at_recency_zero_are_refused_with_the_row() -> None:
    with pytest.raises(ValueError, match=r"recency must be above 0 .* first is row 1"):
        fit_bgnbd([0, 2, 1], [0.0, 0.0, 3.0], [10.0, 10.0, 10.0])
