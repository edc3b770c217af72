"""Property tests: every valid input gives finite, non-negative outputs.

Valid means 0 <= recency <= T, whole frequency >= 0, recency = 0 exactly when frequency is
0, and positive parameters, including the awkward corners: a + b < 1, a close to 1,
q < 1 for the spend model, frequency and T up to 10**4.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thrive.insights.bgbb import BGBBFit
from thrive.insights.bgnbd import BGNBDFit, MBGNBDFit
from thrive.insights.clv import churn_risk_band, customer_lifetime_value
from thrive.insights.gammagamma import GammaGammaFit
from thrive.insights.paretonbd import ParetoNBDFit

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

positive = st.one_of(
    st.floats(-2.5, 2.5).map(lambda e: float(10.0**e)),
    st.sampled_from([1.0, 1.0 + 1e-9, 1.0 - 1e-9, 0.999, 1.0005]),
)
frequency = st.one_of(st.integers(0, 20), st.integers(0, 10_000), st.just(10_000))
horizon = st.one_of(st.floats(0.0, 1e4), st.just(0.0), st.just(1e4))


@st.composite
def customers(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(1, 6))
    x, t_x, big_t = [], [], []
    for _ in range(n):
        t = draw(st.one_of(st.floats(1e-3, 1e4), st.just(1e4)))
        f = draw(frequency)
        share = draw(st.one_of(st.floats(1e-6, 1.0), st.just(1.0)))
        x.append(float(f))
        t_x.append(0.0 if f == 0 else t * share)
        big_t.append(t)
    return np.array(x), np.array(t_x), np.array(big_t)


def _check_transaction_model(fit, data, t) -> None:  # type: ignore[no-untyped-def]
    x, t_x, big_t = data
    ll = fit.log_likelihood_per_customer(x, t_x, big_t)
    assert np.all(np.isfinite(ll))
    p = fit.p_alive(x, t_x, big_t)
    assert np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= 1))
    e = fit.expected_purchases(t, x, t_x, big_t)
    assert np.all(np.isfinite(e)) and np.all(e >= 0)
    new = fit.expected_purchases_new(t)
    assert np.isfinite(new) and new >= 0
    bands = churn_risk_band(p)
    assert set(bands) <= {"low", "medium", "high"}


@SETTINGS
@given(r=positive, alpha=positive, a=positive, b=positive, data=customers(), t=horizon)
def test_bgnbd_outputs_are_finite_and_non_negative(r, alpha, a, b, data, t) -> None:  # type: ignore[no-untyped-def]
    fit = BGNBDFit(r=r, alpha=alpha, a=a, b=b, log_likelihood=0, aic=0, bic=0, n_customers=1)
    _check_transaction_model(fit, data, t)


@SETTINGS
@given(r=positive, alpha=positive, a=positive, b=positive, data=customers(), t=horizon)
def test_mbgnbd_outputs_are_finite_and_non_negative(r, alpha, a, b, data, t) -> None:  # type: ignore[no-untyped-def]
    fit = MBGNBDFit(r=r, alpha=alpha, a=a, b=b, log_likelihood=0, aic=0, bic=0, n_customers=1)
    _check_transaction_model(fit, data, t)


@SETTINGS
@given(r=positive, alpha=positive, s=positive, beta=positive, data=customers(), t=horizon)
def test_pareto_nbd_outputs_are_finite_and_non_negative(r, alpha, s, beta, data, t) -> None:  # type: ignore[no-untyped-def]
    fit = ParetoNBDFit(r=r, alpha=alpha, s=s, beta=beta, log_likelihood=0, aic=0, bic=0,
                       n_customers=1)  # fmt: skip
    _check_transaction_model(fit, data, t)


@SETTINGS
@given(
    al=positive, be=positive, ga=positive, de=positive,
    n=st.integers(0, 300), picks=st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)),
                                          min_size=1, max_size=5),
    t=st.integers(0, 500),
)  # fmt: skip
def test_bgbb_outputs_are_finite_and_non_negative(al, be, ga, de, n, picks, t) -> None:  # type: ignore[no-untyped-def]
    fit = BGBBFit(alpha=al, beta=be, gamma=ga, delta=de, log_likelihood=0, aic=0, bic=0,
                  n_customers=1)  # fmt: skip
    t_x = np.array([np.floor(u * n) for u, _ in picks])
    x = np.array(
        [
            0.0 if tx == 0 else 1 + np.floor(v * (tx - 1))
            for (_, v), tx in zip(picks, t_x, strict=True)
        ]
    )
    nn = np.full(x.size, float(n))
    assert np.all(np.isfinite(fit.log_likelihood_per_customer(x, t_x, nn)))
    p = fit.p_alive(x, t_x, nn)
    assert np.all((p >= 0) & (p <= 1))
    e = fit.expected_purchases(t, x, t_x, nn)
    assert np.all(np.isfinite(e)) and np.all(e >= 0)
    assert np.isfinite(fit.expected_purchases_new(t)) and fit.expected_purchases_new(t) >= 0


@SETTINGS
@given(
    r=positive, alpha=positive, a=positive, b=positive, p=positive, q=positive, g=positive,
    data=customers(), spend=st.floats(0.0, 1e5), pareto=st.booleans(),
    rate=st.floats(0.0, 0.5), months=st.integers(0, 24),
)  # fmt: skip
def test_clv_is_finite_and_non_negative(
    r, alpha, a, b, p, q, g, data, spend, pareto, rate, months
) -> None:  # type: ignore[no-untyped-def]
    x, t_x, big_t = data
    if pareto:
        model = ParetoNBDFit(r=r, alpha=alpha, s=a, beta=b, log_likelihood=0, aic=0, bic=0,
                             n_customers=1)  # fmt: skip
    else:
        model = BGNBDFit(r=r, alpha=alpha, a=a, b=b, log_likelihood=0, aic=0, bic=0,
                         n_customers=1)  # fmt: skip
    spend_fit = GammaGammaFit(p=p, q=q, gamma=g, log_likelihood=0, aic=0, bic=0, n_customers=1)
    m = np.where(x > 0, spend, 0.0)
    assert np.all(np.isfinite(spend_fit.expected_spend(x, m)))
    clv = customer_lifetime_value(model, spend_fit, x, t_x, big_t, m, horizon_months=months,
                                  monthly_discount_rate=rate)  # fmt: skip
    assert np.all(np.isfinite(clv)) and np.all(clv >= 0)
