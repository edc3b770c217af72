"""Gamma-Gamma spend model (Fader & Hardie 2013; Colombo & Jiang 1999)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from thrive.insights.gammagamma import GammaGammaFit, fit_gamma_gamma
from thrive.insights.simulate import simulate_gamma_gamma


def test_gamma_gamma_reproduces_fader_hardie_2013_on_cdnow(cdnow_calibration) -> None:  # type: ignore[no-untyped-def]
    s = cdnow_calibration.summary
    fit = fit_gamma_gamma(s.frequency, s.monetary_value)
    assert fit.converged
    assert fit.n_customers == 946
    assert round(fit.p, 2) == 6.25
    assert round(fit.q, 2) == 3.74
    assert round(fit.gamma, 2) == 15.44
    assert round(fit.log_likelihood, 1) == -4055.9
    assert fit.aic == pytest.approx(6 - 2 * fit.log_likelihood)


def test_expected_spend_is_the_credibility_weighted_mean() -> None:
    fit = GammaGammaFit(p=6.25, q=3.74, gamma=15.44, log_likelihood=0, aic=0, bic=0,
                        n_customers=1)  # fmt: skip
    x, m = 3.0, 40.0
    weight = 6.25 * x / (6.25 * x + 3.74 - 1)
    expected = (1 - weight) * 6.25 * 15.44 / (3.74 - 1) + weight * m
    assert float(fit.expected_spend(x, m)) == pytest.approx(expected, rel=1e-12)
    assert float(fit.expected_spend(0, 123.0)) == pytest.approx(6.25 * 15.44 / 2.74, rel=1e-12)
    assert fit.mean_defined


def test_expected_spend_stays_finite_where_the_mean_is_undefined() -> None:
    fit = GammaGammaFit(p=0.2, q=0.5, gamma=10.0, log_likelihood=0, aic=0, bic=0, n_customers=1)
    assert not fit.mean_defined
    values = fit.expected_spend([0, 1, 2, 10], [0.0, 5.0, 5.0, 5.0])
    assert np.all(np.isfinite(values)) and np.all(values > 0)
    # p x + q <= 1 for x in {0, 1, 2}: posterior median of p / nu; x = 10: posterior mean.
    from scipy import special

    median_0 = 0.2 * 10.0 / special.gammaincinv(0.5, 0.5)
    assert values[0] == pytest.approx(median_0, rel=1e-12)
    assert values[3] == pytest.approx(0.2 * (10 + 50) / (2.0 + 0.5 - 1), rel=1e-12)


def test_gamma_gamma_log_likelihood_matches_the_density_by_hand() -> None:
    p, q, g = 6.25, 3.74, 15.44
    fit = GammaGammaFit(p=p, q=q, gamma=g, log_likelihood=0, aic=0, bic=0, n_customers=1)
    x, m = 4.0, 31.5
    by_hand = (math.lgamma(p * x + q) - math.lgamma(p * x) - math.lgamma(q) + q * math.log(g)
               + p * x * math.log(x) + (p * x - 1) * math.log(m)
               - (p * x + q) * math.log(g + x * m))  # fmt: skip
    assert float(fit.log_likelihood_per_customer(x, m)) == pytest.approx(by_hand, rel=1e-13)


def test_refitting_simulated_spend_recovers_the_true_parameters() -> None:
    truth = {"p": 6.0, "q": 3.5, "gamma": 15.0}
    frequency = np.random.default_rng(1).integers(1, 8, 30_000).astype(float)
    m = simulate_gamma_gamma(*truth.values(), frequency=frequency, seed=2)
    fit = fit_gamma_gamma(frequency, m, standard_errors=True)
    for name, value in truth.items():
        se = fit.standard_errors[name]
        assert abs(fit.params[name] - value) < 4 * se, (name, fit.params[name], se)


def test_customers_without_repeats_are_left_out_of_the_fit() -> None:
    m = simulate_gamma_gamma(6.0, 3.5, 15.0, frequency=np.full(500, 2.0), seed=3)
    with_zeros = fit_gamma_gamma(np.r_[np.full(500, 2.0), np.zeros(300)], np.r_[m, np.zeros(300)])
    without = fit_gamma_gamma(np.full(500, 2.0), m)
    assert with_zeros.n_customers == 500
    assert with_zeros.params == pytest.approx(without.params)
