"""BG/NBD (Fader, Hardie & Lee 2005) and MBG/NBD (Batislam et al. 2007)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special

from thrive.insights.bgnbd import BGNBDFit, MBGNBDFit, fit_bgnbd, fit_mbgnbd
from thrive.insights.simulate import simulate_bgnbd, simulate_mbgnbd


def test_bgnbd_reproduces_fader_hardie_lee_2005_on_cdnow(cdnow_calibration) -> None:  # type: ignore[no-untyped-def]
    s = cdnow_calibration.summary
    fit = fit_bgnbd(s.frequency, s.recency, s.T)
    assert fit.converged
    assert round(fit.r, 3) == 0.243
    assert round(fit.alpha, 3) == 4.414
    assert round(fit.a, 3) == 0.793
    assert round(fit.b, 3) == 2.426
    assert round(fit.log_likelihood, 1) == -9582.4
    assert fit.n_customers == 2357
    assert fit.aic == pytest.approx(8 - 2 * fit.log_likelihood)
    assert fit.bic == pytest.approx(4 * math.log(2357) - 2 * fit.log_likelihood)
    assert fit.standard_errors is None
    assert fit.params == {"r": fit.r, "alpha": fit.alpha, "a": fit.a, "b": fit.b}


def test_bgnbd_fit_on_collapsed_rows_equals_fit_on_customers(cdnow_calibration) -> None:  # type: ignore[no-untyped-def]
    s = cdnow_calibration.summary
    rows = np.stack([s.frequency, s.recency, s.T], axis=1)
    unique, counts = np.unique(rows, axis=0, return_counts=True)
    by_customer = fit_bgnbd(s.frequency, s.recency, s.T)
    by_row = fit_bgnbd(unique[:, 0], unique[:, 1], unique[:, 2], weights=counts)
    assert by_row.log_likelihood == pytest.approx(by_customer.log_likelihood, abs=1e-6)
    for name, value in by_customer.params.items():
        assert by_row.params[name] == pytest.approx(value, rel=1e-5)


def test_bgnbd_log_likelihood_matches_the_papers_formula_by_hand() -> None:
    fit = BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=0, aic=0, bic=0,
                   n_customers=1)  # fmt: skip
    r, alpha, a, b = 0.243, 4.414, 0.793, 2.426
    x, t_x, big_t = 2, 30.43, 38.86

    def beta(p: float, q: float) -> float:
        return math.exp(math.lgamma(p) + math.lgamma(q) - math.lgamma(p + q))

    common = math.gamma(r + x) * alpha**r / math.gamma(r)
    expected = beta(a, b + x) / beta(a, b) * common / (alpha + big_t) ** (r + x) + beta(
        a + 1, b + x - 1
    ) / beta(a, b) * common / (alpha + t_x) ** (r + x)
    got = fit.log_likelihood_per_customer(x, t_x, big_t)
    assert float(got) == pytest.approx(math.log(expected), rel=1e-12)
    zero = fit.log_likelihood_per_customer(0, 0, big_t)
    assert float(zero) == pytest.approx(r * math.log(alpha / (alpha + big_t)), rel=1e-12)


def test_bgnbd_p_alive_is_one_without_repeat_purchases_and_matches_eq_11() -> None:
    fit = BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=0, aic=0, bic=0,
                   n_customers=1)  # fmt: skip
    np.testing.assert_array_equal(fit.p_alive([0, 0], [0, 0], [1.0, 1e4]), [1.0, 1.0])
    x, t_x, big_t = 3, 20.0, 38.86
    by_hand = 1 / (1 + 0.793 / (2.426 + x - 1) * ((4.414 + big_t) / (4.414 + t_x)) ** (0.243 + x))
    assert float(fit.p_alive(x, t_x, big_t)) == pytest.approx(by_hand, rel=1e-12)


def test_bgnbd_expectations_match_the_closed_forms_and_their_limits() -> None:
    r, alpha, a, b = 0.243, 4.414, 0.793, 2.426
    fit = BGNBDFit(r=r, alpha=alpha, a=a, b=b, log_likelihood=0, aic=0, bic=0, n_customers=1)
    t = 39.0
    z = t / (alpha + t)
    eq7 = (
        (a + b - 1)
        / (a - 1)
        * (1 - (alpha / (alpha + t)) ** r * special.hyp2f1(r, b, a + b - 1, z))
    )
    assert float(fit.expected_purchases_new(t)) == pytest.approx(eq7, rel=1e-10)
    x, t_x, big_t = 2, 30.43, 38.86
    z = t / (alpha + big_t + t)
    numerator = (
        (a + b + x - 1)
        / (a - 1)
        * (
            1
            - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x)
            * special.hyp2f1(r + x, b + x, a + b + x - 1, z)
        )
    )
    eq10 = numerator / (1 + a / (b + x - 1) * ((alpha + big_t) / (alpha + t_x)) ** (r + x))
    assert float(fit.expected_purchases(t, x, t_x, big_t)) == pytest.approx(eq10, rel=1e-10)
    assert float(fit.expected_purchases(0.0, x, t_x, big_t)) == 0.0
    # For a short horizon a live customer buys at her posterior mean rate (r+x)/(alpha+T).
    short = float(fit.expected_purchases_if_alive(1e-6, x, big_t)) / 1e-6
    assert short == pytest.approx((r + x) / (alpha + big_t), rel=1e-5)


def test_mbgnbd_log_likelihood_matches_batislam_et_al_by_hand() -> None:
    r, alpha, a, b = 0.5, 6.0, 0.9, 1.6
    fit = MBGNBDFit(r=r, alpha=alpha, a=a, b=b, log_likelihood=0, aic=0, bic=0, n_customers=1)

    def beta(p: float, q: float) -> float:
        return math.exp(math.lgamma(p) + math.lgamma(q) - math.lgamma(p + q))

    for x, t_x, big_t in [(0, 0.0, 10.0), (1, 4.0, 10.0), (5, 9.5, 10.0)]:
        common = math.gamma(r + x) * alpha**r / math.gamma(r)
        expected = beta(a, b + x + 1) / beta(a, b) * common / (alpha + big_t) ** (r + x) + beta(
            a + 1, b + x
        ) / beta(a, b) * common / (alpha + t_x) ** (r + x)
        got = float(fit.log_likelihood_per_customer(x, t_x, big_t))
        assert got == pytest.approx(math.log(expected), rel=1e-12)
    # Unlike BG/NBD, a customer without repeat purchases may already have left.
    p0 = 1 / (1 + a / b * ((alpha + 10.0) / alpha) ** r)
    assert float(fit.p_alive(0, 0, 10.0)) == pytest.approx(p0, rel=1e-12)
    eq = b / (a - 1) * (1 - (alpha / (alpha + 10)) ** r
                        * special.hyp2f1(r, b + 1, a + b, 10 / (alpha + 10)))  # fmt: skip
    assert float(fit.expected_purchases_new(10.0)) == pytest.approx(eq, rel=1e-10)


def test_mbgnbd_fits_cdnow_a_little_better_than_bgnbd(cdnow_calibration) -> None:  # type: ignore[no-untyped-def]
    s = cdnow_calibration.summary
    bg = fit_bgnbd(s.frequency, s.recency, s.T)
    mbg = fit_mbgnbd(s.frequency, s.recency, s.T)
    assert mbg.converged
    assert bg.log_likelihood - 1 < mbg.log_likelihood < bg.log_likelihood + 5


@pytest.mark.parametrize(
    ("simulate", "fit", "truth"),
    [
        (simulate_bgnbd, fit_bgnbd, {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}),
        (simulate_mbgnbd, fit_mbgnbd, {"r": 0.5, "alpha": 6.0, "a": 0.9, "b": 1.6}),
    ],
)
def test_refitting_simulated_customers_recovers_the_true_parameters(simulate, fit, truth) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(7)
    big_t = rng.integers(26, 79, 40_000).astype(float)
    x, t_x, big_t = simulate(*truth.values(), T=big_t, size=40_000, seed=11)
    result = fit(x, t_x, big_t, standard_errors=True)
    assert result.converged
    for name, value in truth.items():
        se = result.standard_errors[name]
        assert 0 < se < value
        assert abs(result.params[name] - value) < 4 * se, (name, result.params[name], se)


def test_standard_errors_are_reported_only_on_request(cdnow_calibration) -> None:  # type: ignore[no-untyped-def]
    s = cdnow_calibration.summary
    fit = fit_bgnbd(s.frequency, s.recency, s.T, standard_errors=True)
    assert fit.standard_errors is not None
    assert set(fit.standard_errors) == {"r", "alpha", "a", "b"}
    assert all(0 < v < 1 for v in fit.standard_errors.values())


def test_invalid_summaries_are_rejected() -> None:
    with pytest.raises(ValueError):
        fit_bgnbd([1], [5.0], [4.0])
    with pytest.raises(ValueError):
        fit_bgnbd([0], [1.0], [4.0])
    with pytest.raises(ValueError):
        fit_bgnbd([1.5], [1.0], [4.0])
    with pytest.raises(ValueError):
        fit_bgnbd([1], [1.0], [4.0], weights=[-1])


def test_a_fit_with_very_many_rows_via_a_subsample_reaches_the_same_optimum() -> None:
    """Above 200,000 unique rows the fit starts on a subsample and polishes with quasi-Newton
    steps on all rows; the optimum must be the one L-BFGS-B finds on all rows."""
    from thrive.insights import bgnbd as module
    from thrive.insights.fitting import maximize_log_likelihood

    big_t = np.random.default_rng(5).uniform(1, 78, 250_000)
    x, t_x, big_t = simulate_bgnbd(0.25, 4.0, 0.8, 2.5, T=big_t, size=250_000, seed=6)
    fast = fit_bgnbd(x, t_x, big_t)
    rows, n, scale = module._prepare(x, t_x, big_t, None)
    assert rows.systematic_subsample() is not None
    plain = maximize_log_likelihood(module._log_likelihood(rows, 0), module._start(rows),
                                    total_weight=n)  # fmt: skip
    # _prepare rescales time (alpha is a time); the likelihood shifts by sum(x) ln(scale).
    expected = plain.params * np.array([1.0, scale, 1.0, 1.0])
    np.testing.assert_allclose(list(fast.params.values()), expected, rtol=1e-6)
    shift = float(np.dot(rows.w, rows.x)) * np.log(scale)
    assert fast.log_likelihood == pytest.approx(plain.log_likelihood - shift, abs=1e-4)


def test_many_horizon_tables_agree_with_direct_evaluation() -> None:
    fit = BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=0, aic=0, bic=0,
                   n_customers=1)  # fmt: skip
    rng = np.random.default_rng(2)
    x = np.sort(rng.integers(0, 4, 20_000)).astype(float)
    big_t = rng.uniform(0.1, 78, x.size)
    times = np.arange(1, 13) * 365.25 / 12 / 7
    table = fit.expected_purchases_if_alive_over(times, x, big_t)
    direct = np.array([
        np.asarray(fit.expected_purchases_if_alive(t, x[:500], big_t[:500])) for t in times
    ])  # fmt: skip
    np.testing.assert_allclose(table[:, :500], direct, rtol=1e-10)
    shuffled = rng.permutation(x.size)
    again = fit.expected_purchases_if_alive_over(times, x[shuffled], big_t[shuffled])
    np.testing.assert_allclose(again, table[:, shuffled], rtol=1e-14)
