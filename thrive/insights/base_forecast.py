"""Monthly revenue forecast from the customer base, and its back-test on the file's history.

A trend line through monthly revenue extrapolates whatever the past did: when a shop
stops acquiring customers, revenue that rose with acquisition keeps "rising" on paper.
This forecast instead adds up what the customers are expected to do (Fader, Hardie & Lee
2005, "Counting your customers the easy way"; Fader & Hardie 2013 for spend):

* **Existing customers**: BG/NBD gives each customer's expected purchases in each future
  month, E[X(T, T + t)] differenced at month ends; each is valued at the customer's
  Gamma-Gamma expected spend per purchase (the population mean for one-time buyers).
* **New customers**: acquisition continues at the recent rate (new customers per month
  over the last ``acquisition_months`` full months; zero when acquisition has stopped).
  Each month's newcomers arrive mid-month, make a first purchase worth the recent average
  first order, then repeat as BG/NBD's new customer, E[X(t)], at the population spend.

:func:`backtest_customer_base` refits everything on the history up to ``holdout_months``
before the end and compares the forecast of those months with what happened, so the
report can show how well the method did on this business.

Purchases are counted as the models count them: one per customer per day (same-day orders
merged), valued at their net amount; stand-alone refunds are not forecast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from thrive.insights.bgnbd import BGNBDFit, fit_bgnbd
from thrive.insights.gammagamma import GammaGammaFit, fit_gamma_gamma
from thrive.insights.summary import summarize_transactions

__all__ = [
    "BaseBacktest",
    "BaseForecast",
    "backtest_customer_base",
    "forecast_customer_base",
    "monthly_purchase_revenue",
]

UNIT_DAYS = 7.0
MIN_CUSTOMERS = 20
MIN_REPEATERS = 10


@dataclass(frozen=True)
class BaseForecast:
    """Forecast revenue per future month, split into existing and new customers."""

    months: np.ndarray  # datetime64[M], the forecast months
    existing: np.ndarray  # float64, from customers already in the data
    new: np.ndarray  # float64, from customers acquired at the recent rate
    as_of: np.datetime64  # last day of the data the models saw
    customers: int
    acquisition_per_month: float
    acquisition_months: int
    first_order_value: float
    repeat_order_value: float
    transaction_fit: BGNBDFit
    spend_fit: GammaGammaFit

    @property
    def total(self) -> np.ndarray:
        return self.existing + self.new

    @property
    def converged(self) -> bool:
        return bool(self.transaction_fit.converged and self.spend_fit.converged)


@dataclass(frozen=True)
class BaseBacktest:
    """The forecast made at ``as_of`` for the months after it, beside what happened."""

    forecast: BaseForecast
    actual: np.ndarray  # float64 revenue of purchases in forecast.months

    @property
    def months(self) -> np.ndarray:
        return self.forecast.months

    @property
    def predicted(self) -> np.ndarray:
        return self.forecast.total

    @property
    def total_error(self) -> float:
        """(predicted - actual) / actual over the whole back-test; NaN without revenue."""
        actual = float(self.actual.sum())
        return (float(self.predicted.sum()) - actual) / actual if actual > 0 else float("nan")

    @property
    def monthly_error(self) -> float:
        """Mean |predicted - actual| / actual over the months with revenue."""
        seen = self.actual > 0
        if not np.any(seen):
            return float("nan")
        gap = np.abs(self.predicted[seen] - self.actual[seen]) / self.actual[seen]
        return float(gap.mean())


def monthly_purchase_revenue(
    dates: np.ndarray, amounts: np.ndarray, months: np.ndarray
) -> np.ndarray:
    """Revenue of the purchases dated in each of ``months`` (datetime64[M])."""
    bins = np.asarray(dates, dtype="datetime64[D]").astype("datetime64[M]")
    out = np.zeros(months.size)
    for i, month in enumerate(months):
        out[i] = float(np.asarray(amounts, dtype=np.float64)[bins == month].sum())
    return out


def forecast_customer_base(
    customer_ids: np.ndarray,
    dates: np.ndarray,
    amounts: np.ndarray,
    *,
    as_of: np.datetime64,
    horizon: int = 6,
    acquisition_months: int = 3,
) -> BaseForecast:
    """Revenue for the ``horizon`` calendar months after ``as_of``'s month.

    ``as_of`` should be the last day of a month (the data's last full month); purchases
    after it are ignored. Raises ValueError when there are too few customers or repeat
    customers for the models.
    """
    if horizon < 1:
        raise ValueError("horizon must be at least one month")
    as_of = np.datetime64(as_of, "D")
    ids = np.asarray(customer_ids)
    days = np.asarray(dates, dtype="datetime64[D]")
    values = np.asarray(amounts, dtype=np.float64)
    seen = days <= as_of
    ids, days, values = ids[seen], days[seen], values[seen]
    summary = summarize_transactions(ids, days, values, observation_end=as_of, unit_days=UNIT_DAYS)
    f = np.asarray(summary.frequency, dtype=np.float64)
    r = np.asarray(summary.recency, dtype=np.float64)
    t = np.asarray(summary.T, dtype=np.float64)
    m = np.asarray(summary.monetary_value, dtype=np.float64)
    spenders = (f > 0) & (m > 0)
    if f.size < MIN_CUSTOMERS or np.count_nonzero(spenders) < MIN_REPEATERS:
        raise ValueError(
            f"the customer models need at least {MIN_CUSTOMERS} customers and "
            f"{MIN_REPEATERS} repeat customers up to {as_of}; there are {f.size} customers "
            f"and {int(np.count_nonzero(f > 0))} repeat customers"
        )
    transactions = fit_bgnbd(f, r, t)
    spend = fit_gamma_gamma(f[spenders], m[spenders])

    first_month = np.datetime64(as_of, "M") + np.timedelta64(1, "M")
    months = np.arange(first_month, first_month + np.timedelta64(horizon, "M"))
    starts = np.concatenate([months, [months[-1] + np.timedelta64(1, "M")]])
    # Month boundaries in model time units after the end of the data (as_of + 1 day = 0).
    edges = (starts.astype("datetime64[D]") - (as_of + np.timedelta64(1, "D"))).astype(
        np.float64
    ) / UNIT_DAYS

    value = np.asarray(spend.expected_spend(f, np.where(f > 0, m, 0.0)), dtype=np.float64)
    cumulative = np.array(
        [0.0]
        + [float(np.dot(value, transactions.expected_purchases(e, f, r, t))) for e in edges[1:]]
    )
    existing = np.diff(cumulative)

    # Recent acquisition: customers whose first purchase is in the last full months.
    window_start = (np.datetime64(as_of, "M") - np.timedelta64(acquisition_months - 1, "M")).astype(
        "datetime64[D]"
    )
    first_days = np.asarray(summary.first_purchase, dtype="datetime64[D]")
    recent = first_days >= window_start
    rate = float(np.count_nonzero(recent)) / acquisition_months
    first_value = _first_order_value(ids, days, values, recent)
    repeat_value = float(spend.expected_spend(0.0, 0.0)[()])

    new = np.zeros(horizon)
    if rate > 0:
        for j in range(horizon):
            arrival = (edges[j] + edges[j + 1]) / 2.0
            new[j] += rate * first_value
            for k in range(j, horizon):
                lo = max(edges[k] - arrival, 0.0)
                hi = edges[k + 1] - arrival
                gained = transactions.expected_purchases_new(np.array([lo, hi]))
                new[k] += rate * repeat_value * float(gained[1] - gained[0])
    return BaseForecast(
        months=months,
        existing=existing,
        new=new,
        as_of=as_of,
        customers=int(f.size),
        acquisition_per_month=rate,
        acquisition_months=acquisition_months,
        first_order_value=first_value,
        repeat_order_value=repeat_value,
        transaction_fit=transactions,
        spend_fit=spend,
    )


def _first_order_value(
    ids: np.ndarray,
    days: np.ndarray,
    values: np.ndarray,
    recent: np.ndarray,
) -> float:
    """Mean first-day spend of the recently acquired customers (of everyone if none)."""
    order = np.lexsort((days, ids))
    ids_s, days_s, values_s = ids[order], days[order], values[order]
    starts = np.flatnonzero(np.r_[True, ids_s[1:] != ids_s[:-1]])
    first_day = np.repeat(days_s[starts], np.diff(np.r_[starts, ids_s.size]))
    on_first = days_s == first_day
    owner = np.cumsum(np.r_[True, ids_s[1:] != ids_s[:-1]]) - 1
    per_customer = np.bincount(owner[on_first], weights=values_s[on_first], minlength=starts.size)
    # Customers come out of lexsort in sorted-id order, as in the summary.
    chosen = per_customer[recent] if np.any(recent) else per_customer
    return float(chosen.mean()) if chosen.size else 0.0


def backtest_customer_base(
    customer_ids: np.ndarray,
    dates: np.ndarray,
    amounts: np.ndarray,
    *,
    last_full_month: np.datetime64,
    holdout_months: int,
    acquisition_months: int = 3,
) -> BaseBacktest:
    """Fit on the data up to ``holdout_months`` before the end of ``last_full_month`` and
    forecast those months; ``actual`` is the revenue of the purchases made in them."""
    if holdout_months < 1:
        raise ValueError("the back-test needs at least one month")
    end_month = np.datetime64(last_full_month, "M")
    cut = (end_month - np.timedelta64(holdout_months - 1, "M")).astype(
        "datetime64[D]"
    ) - np.timedelta64(1, "D")
    fc = forecast_customer_base(
        customer_ids,
        dates,
        amounts,
        as_of=cut,
        horizon=holdout_months,
        acquisition_months=acquisition_months,
    )
    return BaseBacktest(forecast=fc, actual=monthly_purchase_revenue(dates, amounts, fc.months))
