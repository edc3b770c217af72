"""Pareto/NBD (Schmittlein, Morrison & Colombo 1987; Fader & Hardie 2005 note)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, special

from thrive.insights.paretonbd import ParetoNBDFit, fit_pareto_nbd
from thrive.insights.simulate import simulate_pareto_nbd
from thrive.insights.summary import summarize_transactions

PUBLISHED = ParetoNBDFit(r=0.553, alpha=10.578, s=0.606, beta=11.669, log_likelihood=0, aic=0,
                         bic=0, n_customers=1)  # fmt: skip


def _closed_form_log_likelihood(x: float, t_x: float, big_t: float, fit: ParetoNBDFit) -> float:
    """Fader & Hardie (2005) eqs. 7-8 with scipy's hyp2f1 (fine in this benign range)."""
    r, alpha, s, beta = fit.r, fit.alpha, fit.s, fit.beta
    m = r + s + x
    if alpha >= beta:

        def term(t: float) -> float:
            return special.hyp2f1(m, s + 1, m + 1, (alpha - beta) / (alpha + t)) / (alpha + t) ** m
    else:

        def term(t: float) -> float:
            return special.hyp2f1(m, r + x, m + 1, (beta - alpha) / (beta + t)) / (beta + t) ** m

    a0 = term(t_x) - term(big_t)
    bracket = 1 / ((alpha + big_t) ** (r + x) * (beta + big_t) ** s) + s / m * a0
    return (math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha) + s * math.log(beta)
            + math.log(bracket))  # fmt: skip


def test_pareto_nbd_reproduces_the_published_cdnow_estimates(cdnow_calibration) -> None:  # type: ignore[no-untyped-def]
    s = cdnow_calibration.summary
    fit = fit_pareto_nbd(s.frequency, s.recency, s.T)
    assert fit.converged
    assert round(fit.r, 3) == 0.553
    assert round(fit.alpha, 3) == 10.578
    assert round(fit.s, 3) == 0.606
    assert round(fit.beta, 3) == 11.669
    assert round(fit.log_likelihood, 1) == -9595.0
    assert fit.params == {"r": fit.r, "alpha": fit.alpha, "s": fit.s, "beta": fit.beta}


@pytest.mark.parametrize(
    ("x", "t_x", "big_t"),
    [(0, 0.0, 38.86), (1, 5.0, 38.0), (2, 30.43, 38.86), (7, 38.0, 39.0), (50, 1.0, 39.0),
     (3, 0.1, 78.0), (4, 10.0, 10.0)],
)  # fmt: skip
@pytest.mark.parametrize(
    "fit",
    [
        PUBLISHED,
        ParetoNBDFit(r=0.24, alpha=4.4, s=2.0, beta=0.5, log_likelihood=0, aic=0, bic=0,
                     n_customers=1),
    ],
)  # fmt: skip
def test_integral_form_of_the_likelihood_matches_the_hypergeometric_form(
    x, t_x, big_t, fit
) -> None:  # type: ignore[no-untyped-def]
    got = float(fit.log_likelihood_per_customer(x, t_x, big_t))
    # 24-point quadrature: ~1e-11 at the CDNOW estimates, ~1e-6 where h varies a lot.
    tolerance = 1e-9 if fit is PUBLISHED else 2e-6
    assert got == pytest.approx(_closed_form_log_likelihood(x, t_x, big_t, fit), abs=tolerance)


def test_p_alive_and_expectations_match_the_closed_forms() -> None:
    fit = PUBLISHED
    r, alpha, s, beta = fit.r, fit.alpha, fit.s, fit.beta
    x, t_x, big_t = 2, 30.43, 38.86

    def integrand(tau: float) -> float:
        return (alpha + tau) ** -(r + x) * (beta + tau) ** -(s + 1)

    integral, _ = integrate.quad(integrand, t_x, big_t, epsabs=0, epsrel=1e-13)
    p = 1 / (1 + s * integral * (alpha + big_t) ** (r + x) * (beta + big_t) ** s)
    assert float(fit.p_alive(x, t_x, big_t)) == pytest.approx(p, rel=1e-9)
    t = 39.0
    alive = (
        (r + x)
        * (beta + big_t)
        / ((alpha + big_t) * (s - 1))
        * (1 - ((beta + big_t) / (beta + big_t + t)) ** (s - 1))
    )
    assert float(fit.expected_purchases(t, x, t_x, big_t)) == pytest.approx(p * alive, rel=1e-9)
    new = r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + t)) ** (s - 1))
    assert float(fit.expected_purchases_new(t)) == pytest.approx(new, rel=1e-12)


def test_expected_purchases_are_continuous_through_s_equal_to_one() -> None:
    def at(s: float) -> float:
        fit = ParetoNBDFit(r=0.5, alpha=10, s=s, beta=12, log_likelihood=0, aic=0, bic=0,
                           n_customers=1)  # fmt: skip
        return float(fit.expected_purchases_new(52.0))

    limit = 0.5 / 10 * 12 * math.log1p(52 / 12)
    assert at(1.0) == pytest.approx(limit, rel=1e-14)
    assert at(1.0 + 1e-9) == pytest.approx(limit, rel=1e-8)
    assert at(1.0 - 1e-9) == pytest.approx(limit, rel=1e-8)


def test_pareto_nbd_fits_the_full_cdnow_cohort(cdnow_master) -> None:  # type: ignore[no-untyped-def]
    s = summarize_transactions(cdnow_master.customer_ids, cdnow_master.dates,
                               cdnow_master.amounts, observation_end="1997-09-30")  # fmt: skip
    assert len(s) == 23570
    fit = fit_pareto_nbd(s.frequency, s.recency, s.T)
    assert fit.converged
    # The tenfold sample is a systematic 1/10 sample of this cohort: similar estimates.
    assert 0.4 < fit.r < 0.7 and 0.3 < fit.s < 1.0


def test_refitting_simulated_pareto_nbd_customers_recovers_the_true_parameters() -> None:
    truth = {"r": 0.55, "alpha": 10.0, "s": 0.6, "beta": 12.0}
    big_t = np.random.default_rng(3).integers(26, 79, 50_000).astype(float)
    x, t_x, big_t = simulate_pareto_nbd(*truth.values(), T=big_t, size=50_000, seed=5)
    fit = fit_pareto_nbd(x, t_x, big_t, standard_errors=True)
    assert fit.converged
    for name, value in truth.items():
        se = fit.standard_errors[name]
        assert abs(fit.params[name] - value) < 4 * se, (name, fit.params[name], se)
