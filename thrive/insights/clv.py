"""Discounted customer lifetime value and churn-risk bands.

CLV combines a transaction model (BG/NBD, MBG/NBD or Pareto/NBD) with the Gamma-Gamma
spend model, in the manner of Fader, Hardie & Lee (2005, "RFM and CLV: using iso-value
curves for customer base analysis", JMR 42(4)) but with the discrete monthly discounting
used in practice:

    CLV = margin * E[M | x, m] * sum_{k=1}^{H} (E[Y(k tau)] - E[Y((k-1) tau)]) / (1+d)**k,

where E[Y(t)] = E[purchases in (T, T+t] | x, t_x, T] is the transaction model's
conditional expectation, E[M | x, m] the Gamma-Gamma expected spend per transaction,
tau = (365.25 / 12) / unit_days the length of a month in the summary's time unit, H the
horizon in months and d the monthly discount rate: each month's expected incremental
purchases are valued at the expected spend and discounted to today from the month's end.

E[Y(t)] = P(alive) * E[Y(t) | alive], and the second factor depends on (x, T) only, so it
is evaluated once per distinct (frequency, T) pair; real customer bases, with T in whole
days, have far fewer distinct pairs than customers.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from .fitting import unique_rows, validate_frequency_recency_T

__all__ = ["TransactionModel", "churn_risk_band", "customer_lifetime_value"]

_DAYS_PER_MONTH = 365.25 / 12.0


class TransactionModel(Protocol):
    """What CLV needs from a continuous-time transaction-model fit."""

    def p_alive(self, frequency: object, recency: object, T: object) -> np.ndarray: ...

    def expected_purchases_if_alive(
        self, t: object, frequency: object, T: object
    ) -> np.ndarray: ...

    # Optional and faster: all horizons at once, shape (len(times), n).
    # def expected_purchases_if_alive_over(self, times, frequency, T) -> np.ndarray


class SpendModel(Protocol):
    def expected_spend(self, frequency: object, monetary_value: object) -> np.ndarray: ...


def customer_lifetime_value(
    transaction_fit: TransactionModel,
    spend_fit: SpendModel,
    frequency: object,
    recency: object,
    T: object,
    monetary_value: object,
    *,
    horizon_months: int = 12,
    monthly_discount_rate: float = 0.01,
    margin: float = 1.0,
    unit_days: float = 7.0,
) -> np.ndarray:
    """Discounted expected margin over the next ``horizon_months`` (formula above).

    ``transaction_fit`` is a BG/NBD, MBG/NBD or Pareto/NBD fit (BG/BB counts discrete
    opportunities, not calendar time, and is not accepted); ``spend_fit`` a Gamma-Gamma
    fit.  Inputs are the customer summary in units of ``unit_days`` days.
    """
    if not hasattr(transaction_fit, "expected_purchases_if_alive"):
        raise TypeError(
            "CLV needs a continuous-time transaction model (BG/NBD, MBG/NBD, Pareto/NBD)"
        )
    if int(horizon_months) != horizon_months or horizon_months < 0:
        raise ValueError("horizon_months must be a non-negative whole number")
    if not (np.isfinite(monthly_discount_rate) and monthly_discount_rate > -1.0):
        raise ValueError("monthly_discount_rate must be greater than -1")
    if not (np.isfinite(margin) and margin >= 0):
        raise ValueError("margin must be non-negative")
    if not (np.isfinite(unit_days) and unit_days > 0):
        raise ValueError("unit_days must be positive")
    x, t_x, big_t = validate_frequency_recency_T(frequency, recency, T)
    shape = x.shape
    x, t_x, big_t = (np.ravel(v) for v in (x, t_x, big_t))
    spend = np.ravel(
        spend_fit.expected_spend(x, np.broadcast_to(np.asarray(monetary_value, float), shape))
    )
    p_alive = transaction_fit.p_alive(x, t_x, big_t)
    (ux, uT), _, inverse = unique_rows((x, big_t), return_inverse=True)
    month = _DAYS_PER_MONTH / float(unit_days)
    months = np.arange(1, int(horizon_months) + 1, dtype=float)
    if hasattr(transaction_fit, "expected_purchases_if_alive_over"):
        alive = transaction_fit.expected_purchases_if_alive_over(months * month, ux, uT)
    else:
        alive = np.array([transaction_fit.expected_purchases_if_alive(k * month, ux, uT)
                          for k in months]).reshape(months.size, ux.size)  # fmt: skip
    discounted = np.zeros(ux.shape)
    previous = np.zeros(ux.shape)
    for k in range(months.size):
        # E[Y(t) | alive] increases with t; the running maximum guards against rounding.
        current = np.maximum(alive[k], previous)
        discounted += (current - previous) * (1.0 + float(monthly_discount_rate)) ** -(k + 1.0)
        previous = current
    assert inverse is not None  # noqa: S101 - requested above
    value = float(margin) * spend * p_alive * discounted[inverse]
    return value.reshape(shape)


def churn_risk_band(
    p_alive: object, *, high_below: float = 0.3, low_from: float = 0.7
) -> np.ndarray:
    """ "low" where P(alive) >= low_from, "high" where it is < high_below, else "medium"."""
    if not 0.0 <= high_below <= low_from <= 1.0:
        raise ValueError("need 0 <= high_below <= low_from <= 1")
    p = np.asarray(p_alive, dtype=float)
    if np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError("p_alive must lie in [0, 1]")
    return np.where(p >= low_from, "low", np.where(p < high_below, "high", "medium"))
