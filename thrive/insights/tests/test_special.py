"""The Beta-geometric expectation G behind every BG/NBD-family prediction."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, special

from thrive.insights._special import beta_geometric_expectation, log1mexp


def _by_quadrature(t: float, k: float, c: float, a: float, b: float) -> float:
    def f(p: float) -> float:
        if p == 0.0:
            return k * t / c
        return -np.expm1(-k * np.log1p(p * t / c)) / p

    # quad's algebraic weight p**(a-1) (1-p)**(b-1) takes the Beta density's endpoints.
    value, _ = integrate.quad(f, 0, 1, weight="alg", wvar=(a - 1, b - 1), epsabs=0,
                              epsrel=1e-12, limit=400)  # fmt: skip
    return value / special.beta(a, b)


@pytest.mark.parametrize(
    ("t", "k", "c", "a", "b"),
    [
        (39.0, 0.243, 4.414, 0.793, 2.426),   # new CDNOW customer, closed form
        (39.0, 2.243, 43.3, 0.793, 4.426),    # CDNOW repeat buyer
        (1.0, 0.5, 200.0, 1.5, 3.0),          # short horizon: series
        (52.0, 1.5, 4.0, 1.0, 2.0),           # a = 1 exactly: interpolation
        (52.0, 1.5, 4.0, 1.0004, 2.0),        # a near 1
        (52.0, 0.3, 2.0, 0.2, 0.3),           # a + b < 1: Beta recursion
        (5.0, 3.0, 1.0, 2.5, 1.0),            # t > c
    ],
)  # fmt: skip
def test_g_matches_numerical_integration_of_its_definition(t, k, c, a, b) -> None:  # type: ignore[no-untyped-def]
    got = float(beta_geometric_expectation(t, k, c, a, b))
    assert got == pytest.approx(_by_quadrature(t, k, c, a, b), rel=1e-7)


def test_g_is_continuous_in_a_through_one() -> None:
    values = [float(beta_geometric_expectation(52.0, 1.2, 5.0, a, 2.4))
              for a in (0.998, 0.9995, 1.0, 1.0005, 1.002)]  # fmt: skip
    assert np.all(np.diff(values) < 0)  # E[1/p] falls as a grows
    assert values[2] == pytest.approx((values[1] + values[3]) / 2, rel=1e-6)


def test_g_is_zero_at_zero_and_bounded_by_the_no_dropout_expectation() -> None:
    t = np.array([0.0, 1e-8, 1.0, 1e3, 1e6])
    g = beta_geometric_expectation(t, 1e4 + 0.2, 1e4 + 3.0, 0.3, 1e4 + 0.5)
    assert g[0] == 0.0
    assert np.all(np.isfinite(g)) and np.all(g >= 0)
    assert np.all(g <= t * (1e4 + 0.2) / (1e4 + 3.0) * (1 + 1e-12))
    assert np.all(np.diff(g) > 0)


def test_log1mexp_is_accurate_at_both_ends() -> None:
    x = np.array([-1e-20, -0.5, -50.0])
    np.testing.assert_allclose(log1mexp(x), [np.log(1e-20), np.log(1 - np.exp(-0.5)),
                                             -np.exp(-50.0)], rtol=1e-12)  # fmt: skip
    assert special.expit(0.0) == 0.5
