"""BG/BB (Fader, Hardie & Shang 2010)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special

from thrive.insights.bgbb import BGBBFit, fit_bgbb
from thrive.insights.simulate import simulate_bgbb


def test_bgbb_reproduces_fader_hardie_shang_2010_on_the_donations_data(donations) -> None:  # type: ignore[no-untyped-def]
    x, t_x, counts = donations[:, 0], donations[:, 1], donations[:, 2]
    assert counts.sum() == 11104
    fit = fit_bgbb(x, t_x, 6, weights=counts)
    assert fit.converged
    assert fit.n_customers == 11104
    assert round(fit.alpha, 3) == 1.204
    assert round(fit.beta, 3) == 0.750
    assert round(fit.gamma, 3) == 0.657
    assert round(fit.delta, 3) == 2.783
    assert round(fit.log_likelihood, 1) == -33225.6


def _by_hand(fit: BGBBFit, x: int, t_x: int, n: int) -> tuple[float, float, list[float]]:
    al, be, ga, de = fit.alpha, fit.beta, fit.gamma, fit.delta

    def b(p: float, q: float) -> float:
        return float(np.exp(special.betaln(p, q)))

    like = b(al + x, be + n - x) / b(al, be) * b(ga, de + n) / b(ga, de)
    for i in range(n - t_x):
        like += b(al + x, be + t_x - x + i) / b(al, be) * b(ga + 1, de + t_x + i) / b(ga, de)
    alive = b(al + x, be + n - x) / b(al, be) * b(ga, de + n + 1) / b(ga, de) / like
    future = []
    for t in range(4):
        survival = sum(b(ga, de + n + j) / b(ga, de) for j in range(1, t + 1))
        future.append(b(al + x + 1, be + n - x) / b(al, be) * survival / like)
    return like, alive, future


@pytest.mark.parametrize(("x", "t_x"), [(0, 0), (1, 1), (2, 5), (6, 6)])
def test_bgbb_formulas_match_the_paper_by_hand(x: int, t_x: int) -> None:
    fit = BGBBFit(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783, log_likelihood=0, aic=0,
                  bic=0, n_customers=1)  # fmt: skip
    like, alive, future = _by_hand(fit, x, t_x, 6)
    assert float(fit.log_likelihood_per_customer(x, t_x, 6)) == pytest.approx(np.log(like))
    assert float(fit.p_alive(x, t_x, 6)) == pytest.approx(alive, rel=1e-12)
    got = fit.expected_purchases(np.arange(4), x, t_x, 6)
    np.testing.assert_allclose(got, future, rtol=1e-12)


def test_unconditional_expectation_matches_the_closed_form_and_gamma_one() -> None:
    al, be, ga, de = 1.204, 0.750, 0.657, 2.783
    fit = BGBBFit(alpha=al, beta=be, gamma=ga, delta=de, log_likelihood=0, aic=0, bic=0,
                  n_customers=1)  # fmt: skip
    n = 6
    closed = al / (al + be) * de / (ga - 1) * (
        1 - np.exp(special.gammaln(ga + de) + special.gammaln(1 + de + n)
                   - special.gammaln(ga + de + n) - special.gammaln(1 + de))
    )  # fmt: skip
    assert float(fit.expected_purchases_new(n)) == pytest.approx(closed, rel=1e-12)
    one = BGBBFit(alpha=al, beta=be, gamma=1.0, delta=de, log_likelihood=0, aic=0, bic=0,
                  n_customers=1)  # fmt: skip
    harmonic = al / (al + be) * sum(de / (de + j) for j in range(1, n + 1))
    assert float(one.expected_purchases_new(n)) == pytest.approx(harmonic, rel=1e-12)
    with pytest.raises(ValueError):
        fit.expected_purchases_new(2.5)


def test_refitting_simulated_bgbb_customers_recovers_the_true_parameters() -> None:
    truth = {"alpha": 1.2, "beta": 0.75, "gamma": 0.66, "delta": 2.8}
    x, t_x, n = simulate_bgbb(*truth.values(), n_periods=6, size=40_000, seed=4)
    fit = fit_bgbb(x, t_x, n, standard_errors=True)
    assert fit.converged
    for name, value in truth.items():
        se = fit.standard_errors[name]
        assert abs(fit.params[name] - value) < 4 * se, (name, fit.params[name], se)


def test_bgbb_rejects_impossible_histories() -> None:
    with pytest.raises(ValueError):
        fit_bgbb([3], [2], [6])
    with pytest.raises(ValueError):
        fit_bgbb([1], [7], [6])
    with pytest.raises(ValueError):
        fit_bgbb([0], [1], [6])
