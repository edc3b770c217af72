"""Discounted CLV and churn-risk bands."""

from __future__ import annotations

import numpy as np
import pytest

from thrive.insights.bgbb import BGBBFit
from thrive.insights.bgnbd import BGNBDFit, fit_bgnbd
from thrive.insights.clv import churn_risk_band, customer_lifetime_value
from thrive.insights.gammagamma import GammaGammaFit, fit_gamma_gamma
from thrive.insights.paretonbd import ParetoNBDFit

BG = BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=0, aic=0, bic=0,
              n_customers=1)  # fmt: skip
GG = GammaGammaFit(p=6.25, q=3.74, gamma=15.44, log_likelihood=0, aic=0, bic=0, n_customers=1)


@pytest.mark.parametrize(
    "model",
    [BG, ParetoNBDFit(r=0.553, alpha=10.578, s=0.606, beta=11.669, log_likelihood=0, aic=0,
                      bic=0, n_customers=1)],
)  # fmt: skip
def test_clv_is_the_discounted_sum_of_monthly_expected_purchases_times_spend(model) -> None:  # type: ignore[no-untyped-def]
    x = np.array([0.0, 1.0, 2.0, 7.0])
    t_x = np.array([0.0, 10.0, 30.43, 38.0])
    big_t = np.array([20.0, 38.86, 38.86, 38.86])
    m = np.array([0.0, 20.0, 35.0, 50.0])
    got = customer_lifetime_value(model, GG, x, t_x, big_t, m, horizon_months=12,
                                  monthly_discount_rate=0.01, margin=0.3)  # fmt: skip
    month = 365.25 / 12 / 7
    by_hand = np.zeros(4)
    for k in range(1, 13):
        step = model.expected_purchases(k * month, x, t_x, big_t) - model.expected_purchases(
            (k - 1) * month, x, t_x, big_t
        )
        by_hand += step / 1.01**k
    by_hand *= 0.3 * GG.expected_spend(x, m)
    np.testing.assert_allclose(got, by_hand, rtol=1e-10)


def test_clv_scales_with_margin_and_shrinks_with_discounting(cdnow_calibration) -> None:  # type: ignore[no-untyped-def]
    s = cdnow_calibration.summary
    bg = fit_bgnbd(s.frequency, s.recency, s.T)
    gg = fit_gamma_gamma(s.frequency, s.monetary_value)
    args = (bg, gg, s.frequency, s.recency, s.T, s.monetary_value)
    base = customer_lifetime_value(*args)
    assert base.shape == (2357,) and np.all(base > 0)
    np.testing.assert_allclose(customer_lifetime_value(*args, margin=0.5), 0.5 * base)
    assert np.all(customer_lifetime_value(*args, monthly_discount_rate=0.05) < base)
    assert np.all(customer_lifetime_value(*args, horizon_months=24) > base)
    np.testing.assert_array_equal(customer_lifetime_value(*args, horizon_months=0), 0.0)
    # A daily summary gives the same values as a weekly one.
    daily = customer_lifetime_value(
        fit_bgnbd(s.frequency, s.recency * 7, s.T * 7),
        gg,
        s.frequency,
        s.recency * 7,
        s.T * 7,
        s.monetary_value,
        unit_days=1.0,
    )
    np.testing.assert_allclose(daily, base, rtol=1e-5)


def test_clv_refuses_the_discrete_time_bgbb_model() -> None:
    fit = BGBBFit(alpha=1.2, beta=0.75, gamma=0.66, delta=2.8, log_likelihood=0, aic=0, bic=0,
                  n_customers=1)  # fmt: skip
    with pytest.raises(TypeError):
        customer_lifetime_value(fit, GG, [1], [1], [6], [10.0])  # type: ignore[arg-type]


def test_churn_risk_bands_follow_the_thresholds() -> None:
    bands = churn_risk_band([0.0, 0.29, 0.3, 0.69, 0.7, 1.0])
    assert list(bands) == ["high", "high", "medium", "medium", "low", "low"]
    custom = churn_risk_band([0.5, 0.85], high_below=0.6, low_from=0.8)
    assert list(custom) == ["high", "low"]
    with pytest.raises(ValueError):
        churn_risk_band([0.5], high_below=0.8, low_from=0.7)
    with pytest.raises(ValueError):
        churn_risk_band([1.5])
