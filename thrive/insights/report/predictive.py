"""Model-based sections: predicted CLV, valuable customers at risk, and the holdout check.

The models live in :mod:`thrive.insights` (summary, bgnbd, gammagamma, clv, holdout); this
module feeds them the order table and keeps what the report shows. Time is measured in
weeks, as in the BG/NBD literature.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from thrive.insights.base_forecast import (
    BaseBacktest,
    BaseForecast,
    backtest_customer_base,
    forecast_customer_base,
)
from thrive.insights.bgnbd import BGNBDFit, fit_bgnbd
from thrive.insights.clv import churn_risk_band, customer_lifetime_value
from thrive.insights.gammagamma import GammaGammaFit, fit_gamma_gamma
from thrive.insights.holdout import (
    CumulativeTracking,
    RepeatPurchasesByFrequency,
    cumulative_tracking,
    repeat_purchases_by_frequency,
)
from thrive.insights.orders_aggregate import Orders
from thrive.insights.orders_strings import StringTable
from thrive.insights.paretonbd import ParetoNBDFit, fit_pareto_nbd
from thrive.insights.report.customers import CustomerTotals
from thrive.insights.report.descriptive import to_date
from thrive.insights.report.formatting import nice_ticks
from thrive.insights.report.sections import (
    AtRisk,
    AtRiskCustomer,
    ChannelRow,
    Channels,
    ClvSection,
    ModelCheck,
    Trend,
)
from thrive.insights.summary import (
    CustomerSummary,
    calibration_holdout_split,
    summarize_transactions,
)

__all__ = [
    "AT_RISK_THRESHOLD",
    "add_forecast",
    "CustomerModel",
    "compute_at_risk",
    "compute_channels",
    "compute_clv",
    "compute_model_check",
    "default_holdout_weeks",
    "fit_customer_model",
]

UNIT_DAYS = 7.0
MIN_CUSTOMERS = 20
MIN_REPEATERS = 10
AT_RISK_THRESHOLD = 0.5
AT_RISK_ROWS = 25
HORIZON_MONTHS = 12
MONTHLY_DISCOUNT = 0.01


class ModelUnavailable(ValueError):
    """The data cannot support the model (too few customers or repeat purchases)."""


@dataclass(frozen=True)
class CustomerModel:
    """BG/NBD + Gamma-Gamma fitted on the whole file, and what they say per customer."""

    customer_ids: np.ndarray
    frequency: np.ndarray
    recency: np.ndarray
    T: np.ndarray
    monetary_value: np.ndarray
    p_alive: np.ndarray
    clv: np.ndarray
    transaction_fit: BGNBDFit
    spend_fit: GammaGammaFit
    zero_spend_repeaters: int = 0  # repeat customers left out of the spend model


def fit_customer_model(orders: Orders, as_of: np.datetime64) -> CustomerModel:
    """Summarise purchases per customer and fit the transaction and spend models."""
    summary = summarize_transactions(
        orders.customer_keys,
        orders.dates,
        orders.amounts,
        observation_end=as_of,
        unit_days=UNIT_DAYS,
    )
    f = np.asarray(summary.frequency, dtype=np.float64)
    r = np.asarray(summary.recency, dtype=np.float64)
    t = np.asarray(summary.T, dtype=np.float64)
    m = np.asarray(summary.monetary_value, dtype=np.float64)
    repeaters = (f > 0) & (m > 0)
    if f.size < MIN_CUSTOMERS or np.count_nonzero(repeaters) < MIN_REPEATERS:
        repeat = int(np.count_nonzero(f > 0))
        raise ModelUnavailable(
            f"the models need at least {MIN_CUSTOMERS} customers and {MIN_REPEATERS} repeat "
            f"customers; the file has {f.size:,} customer{'' if f.size == 1 else 's'} and "
            f"{repeat:,} repeat customer{'' if repeat == 1 else 's'}"
        )
    transaction_fit = fit_bgnbd(f, r, t)
    spend_fit = fit_gamma_gamma(f[repeaters], m[repeaters])
    zero_spend = int(np.count_nonzero((f > 0) & (m <= 0)))
    clv = np.asarray(
        customer_lifetime_value(
            transaction_fit,
            spend_fit,
            f,
            r,
            t,
            m,
            horizon_months=HORIZON_MONTHS,
            monthly_discount_rate=MONTHLY_DISCOUNT,
            unit_days=UNIT_DAYS,
        ),
        dtype=np.float64,
    )
    p_alive = np.asarray(transaction_fit.p_alive(f, r, t), dtype=np.float64)
    return CustomerModel(
        customer_ids=np.asarray(summary.customer_ids),
        frequency=f,
        recency=r,
        T=t,
        monetary_value=m,
        p_alive=p_alive,
        clv=clv,
        transaction_fit=transaction_fit,
        spend_fit=spend_fit,
        zero_spend_repeaters=zero_spend,
    )


def compute_clv(model: CustomerModel, *, bins: int = 40) -> ClvSection:
    """Histogram of predicted value; the last bin is capped at the 99th percentile so one
    whale does not squash every other bar into the first one."""
    clv = model.clv[np.isfinite(model.clv)]
    cap = float(np.quantile(clv, 0.99)) if clv.size else 1.0
    cap = cap if cap > 0 else float(clv.max(initial=1.0)) or 1.0
    # Round bin widths (5, 10, 25, ...) so the axis reads 0, 50, 100 rather than 32.4, 64.8.
    ticks = nice_ticks(0.0, cap, target=bins)
    width = ticks[1] - ticks[0]
    edges = np.arange(0.0, ticks[-1] + width / 2, width)
    cap = float(edges[-1])
    counts, _ = np.histogram(np.clip(clv, 0.0, cap), bins=edges)
    ordered = np.sort(clv)[::-1]
    top = ordered[: max(1, int(np.ceil(ordered.size / 10)))].sum()
    total = float(clv.sum())
    return ClvSection(
        edges=edges,
        counts=counts.astype(np.int64),
        total=total,
        mean=float(clv.mean()) if clv.size else float("nan"),
        median=float(np.median(clv)) if clv.size else float("nan"),
        top_decile_share=float(top / total) if total > 0 else float("nan"),
        horizon_months=HORIZON_MONTHS,
        customers=int(clv.size),
        clipped_above=int(np.count_nonzero(clv > cap)),
        model="BG/NBD",
        parameters={**model.transaction_fit.params, **model.spend_fit.params},
        caveat=_caveat(model.transaction_fit.converged, model.spend_fit.converged),
        spend_note=_spend_note(model.zero_spend_repeaters),
    )


def _caveat(transactions_converged: bool, spend_converged: bool) -> str:
    """Names the model fit that did not converge, when one did not."""
    failed = [
        name
        for name, ok in (
            ("BG/NBD (how often customers buy)", transactions_converged),
            ("Gamma-Gamma (how much they spend)", spend_converged),
        )
        if not ok
    ]
    if not failed:
        return ""
    return (
        f"The {' and the '.join(failed)} fit{'s' if len(failed) > 1 else ''} did not converge "
        "(a parameter ran to the edge "
        "of its range or the optimiser stopped early), so treat these values as rough guides."
    )


def _spend_note(zero_spend: int) -> str:
    if not zero_spend:
        return ""
    who = "customer" if zero_spend == 1 else "customers"
    return (
        f"{zero_spend:,} repeat {who} whose repeat orders came to nothing (free orders, or "
        "refunded to zero) are left out of fitting the spend model, which needs a positive "
        "spend."
    )


def compute_at_risk(
    model: CustomerModel,
    totals: CustomerTotals,
    names: Mapping[str, str] | None = None,
    id_table: np.ndarray | StringTable | None = None,
) -> AtRisk:
    """Repeat customers with P(alive) below the threshold, highest predicted value first.

    Ranking by predicted value (which already weighs in P(alive)) puts first the people
    who are slipping but still likely enough to be reachable; customers who are almost
    surely gone sink to the bottom however much they once spent.
    """
    pos = np.searchsorted(totals.ids, model.customer_ids)
    repeat = model.frequency > 0
    idx = np.flatnonzero(repeat & (model.p_alive < AT_RISK_THRESHOLD))
    order = idx[np.argsort(-model.clv[idx], kind="stable")][:AT_RISK_ROWS]
    bands = churn_risk_band(model.p_alive[order])
    # The model's ids are keys into ``id_table`` (the orders' sorted customer ids) when
    # given: only the customers shown are turned back into their ids.
    shown = model.customer_ids[order]
    ids = [str(v) for v in np.asarray(shown if id_table is None else id_table[shown]).tolist()]
    rows = tuple(
        AtRiskCustomer(
            customer_id=ids[k],
            p_alive=float(model.p_alive[i]),
            risk=str(band),
            predicted_value=float(model.clv[i]),
            # CLV = P(alive) x value-if-alive for BG/NBD, so dividing recovers what the
            # customer is worth if still buying; the floor avoids dividing by ~0.
            value_if_active=float(model.clv[i] / max(model.p_alive[i], 1e-6)),
            orders=int(totals.orders[pos[i]]),
            spent=float(totals.spent[pos[i]]),
            last_order=to_date(totals.last_order[pos[i]]),
            name=(names or {}).get(ids[k], ""),
        )
        for k, (i, band) in enumerate(zip(order, bands, strict=True))
    )
    return AtRisk(customers=rows, threshold=AT_RISK_THRESHOLD, candidates=int(idx.size))


def compute_channels(
    orders: Orders, totals: CustomerTotals, model: CustomerModel | None
) -> Channels | None:
    """Customers, revenue, repeat rate and predicted value by acquisition channel.

    A customer's channel is the one on their first order (orders are sorted by date);
    an empty cell counts as "(none)". Returns None when the file has no channel column.
    """
    if orders.channels is None:
        return None
    first_order = np.unique(totals.index, return_index=True)[1]
    acquired = np.array([orders.channels[i] or "(none)" for i in first_order], dtype=object)
    value = None
    if model is not None:
        value = np.full(totals.ids.size, np.nan)
        value[np.searchsorted(totals.ids, model.customer_ids)] = model.clv
    rows = []
    for name in np.unique(acquired):
        mask = acquired == name
        rows.append(
            ChannelRow(
                channel=str(name),
                customers=int(mask.sum()),
                revenue=float(totals.spent[mask].sum()),
                repeat_rate=float(np.mean(totals.orders[mask] >= 2)),
                average_value=None if value is None else float(np.nanmean(value[mask])),
            )
        )
    rows.sort(key=lambda r: -r.revenue)
    return Channels(rows=tuple(rows), horizon_months=HORIZON_MONTHS)


def default_holdout_weeks(first: np.datetime64, last: np.datetime64) -> int:
    """Half the observed span, at most a year: CDNOW's classic 39 + 39 weeks split."""
    span_weeks = (last - first).astype(np.int64) / UNIT_DAYS
    return int(min(52, round(span_weeks / 2)))


def compute_model_check(
    orders: Orders, first: np.datetime64, last: np.datetime64, holdout_weeks: int
) -> ModelCheck:
    """Fit BG/NBD on the calibration period and compare with the holdout period."""
    span_days = int((last - first).astype(np.int64))
    if span_days < 8 * UNIT_DAYS:
        raise ModelUnavailable(
            f"the file covers {span_days} days; checking the model against a holdout needs "
            "at least 8 weeks of orders"
        )
    if holdout_weeks < 1:
        raise ModelUnavailable("the holdout must be at least one week long")
    calibration_end = last - np.timedelta64(int(holdout_weeks * UNIT_DAYS), "D")
    if (calibration_end - first).astype(np.int64) < 4 * UNIT_DAYS:
        raise ModelUnavailable(
            f"the file covers {int((last - first).astype(np.int64))} days; a {holdout_weeks}-week "
            "holdout leaves under four weeks to fit on (try a smaller --holdout-weeks)"
        )
    summary, holdout_counts = calibration_holdout_split(
        orders.customer_keys,
        orders.dates,
        orders.amounts,
        calibration_end=calibration_end,
        observation_end=last,
        unit_days=UNIT_DAYS,
    )
    f = np.asarray(summary.frequency, dtype=np.float64)
    if np.count_nonzero(f > 0) < 10:
        raise ModelUnavailable("fewer than 10 customers bought again during calibration")
    fit = fit_bgnbd(f, summary.recency, summary.T)
    holdout_length = float((last - calibration_end).astype(np.int64)) / UNIT_DAYS
    by_freq = repeat_purchases_by_frequency(fit, summary, holdout_counts, holdout_length)
    tracking = _tracking(fit, orders.customer_keys, orders.dates, first, last)
    pareto = _pareto_alternative(summary, holdout_counts, holdout_length)
    alternatives = (("BG/NBD", fit.log_likelihood, _holdout_error(by_freq)), pareto[:3])
    unconverged = [
        name for name, ok in (("BG/NBD", fit.converged), ("Pareto/NBD", pareto[3])) if not ok
    ]
    check = _model_check_from(
        by_freq,
        tracking,
        first,
        calibration_end,
        last,
        holdout_length,
        alternatives,
    )
    if unconverged:
        check = replace(
            check,
            caveat=f"The {' and '.join(unconverged)} fit on the calibration period did not "
            "converge (a parameter ran to the edge of its range or the optimiser stopped "
            "early); read its numbers as rough.",
        )
    return check


def _tracking(
    fit: BGNBDFit, keys: np.ndarray, dates: np.ndarray, first: np.datetime64, last: np.datetime64
) -> CumulativeTracking:
    """:func:`thrive.insights.holdout.cumulative_tracking` of the purchases from ``first``
    to ``last`` (every purchase of the report), on one int64 cell (customer key, day) a
    purchase sorted in place, where the general function sorts with ``lexsort`` and keeps
    several int64 copies (~300 MB at 10,000,000 rows). The same distinct customer-days,
    births and repeat days, and the expected curve computed as the function does, so the
    same figures."""
    span = int((last - first).astype(np.int64)) + 1
    n_periods = int(np.ceil(span / UNIT_DAYS - 1e-9))
    inside = (dates >= first) & (dates <= last)
    if not inside.all() or keys.size == 0:
        return cumulative_tracking(fit, keys, dates, start=first, end=last, unit_days=UNIT_DAYS)
    del inside
    period_end = np.minimum(np.floor(np.arange(1, n_periods + 1) * UNIT_DAYS) - 1, span - 1)
    cell = keys.astype(np.int64)
    cell *= span
    cell += (dates - first).astype(np.int64)
    cell.sort()
    distinct = np.empty(cell.size, dtype=bool)
    distinct[:1] = True
    np.not_equal(cell[1:], cell[:-1], out=distinct[1:])
    cell = cell[distinct]
    del distinct
    customer, day = np.divmod(cell, span)
    del cell
    birth_row = np.empty(customer.size, dtype=bool)
    birth_row[:1] = True
    np.not_equal(customer[1:], customer[:-1], out=birth_row[1:])
    del customer
    repeat_days = np.sort(day[~birth_row])
    actual = np.searchsorted(repeat_days, period_end, side="right").astype(float)
    del repeat_days
    births, n_born = np.unique(day[birth_row], return_counts=True)
    del day, birth_row
    elapsed = np.maximum(period_end[None, :] - births[:, None], 0.0) / UNIT_DAYS
    curves = np.asarray(fit.expected_purchases_new(elapsed), dtype=float)
    expected = n_born.astype(float) @ curves
    return CumulativeTracking(np.arange(1, n_periods + 1), actual, expected)


def _holdout_error(by_freq: RepeatPurchasesByFrequency) -> float:
    """(predicted - actual) / actual total holdout repeat purchases of the calibration
    customers; NaN when nobody bought in the holdout."""
    n = np.asarray(by_freq.n, dtype=np.float64)
    seen = n > 0
    actual = float(np.sum(by_freq.actual_mean[seen] * n[seen]))
    predicted = float(np.sum(by_freq.predicted_mean[seen] * n[seen]))
    return (predicted - actual) / actual if actual > 0 else float("nan")


def _pareto_alternative(
    summary: CustomerSummary, holdout_counts: np.ndarray, holdout_length: float
) -> tuple[str, float, float, bool]:
    """The Pareto/NBD on the same calibration data, as a second opinion (and whether its
    fit converged)."""
    fit = fit_pareto_nbd(summary.frequency, summary.recency, summary.T)
    by_freq = repeat_purchases_by_frequency(_InChunks(fit), summary, holdout_counts, holdout_length)
    return ("Pareto/NBD", fit.log_likelihood, _holdout_error(by_freq), fit.converged)


class _InChunks:
    """A fitted model whose per-customer expected purchases are computed a slice of
    customers at a time: each customer's value depends on her own figures only, and the
    Pareto/NBD's temporaries take ~1.5 KB a customer (~100 MB at 1,000,000 rows, ~1 GB
    at 10,000,000), ~25 MB a slice."""

    CHUNK = 16_384

    def __init__(self, fit: ParetoNBDFit) -> None:
        self._fit = fit

    def expected_purchases(
        self, t: object, frequency: object, recency: object, T: object
    ) -> np.ndarray:
        x, t_x, big_t = np.asarray(frequency), np.asarray(recency), np.asarray(T)
        n = int(x.size)
        out = np.empty(n, dtype=np.float64)
        for i in range(0, n, self.CHUNK):
            part = slice(i, i + self.CHUNK)
            out[part] = self._fit.expected_purchases(t, x[part], t_x[part], big_t[part])
        return out


def _model_check_from(
    by_freq: RepeatPurchasesByFrequency,
    tracking: CumulativeTracking,
    first: np.datetime64,
    calibration_end: np.datetime64,
    last: np.datetime64,
    holdout_length: float,
    alternatives: tuple[tuple[str, float, float], ...],
) -> ModelCheck:
    bins = [int(b) for b in by_freq.bins]
    labels = tuple(str(b) for b in bins[:-1]) + (f"{bins[-1]}+",)
    weeks = np.concatenate([[0.0], np.asarray(tracking.weeks, dtype=np.float64)])
    return ModelCheck(
        calibration_start=to_date(first),
        calibration_end=to_date(calibration_end),
        holdout_end=to_date(last),
        holdout_weeks=holdout_length,
        frequency_labels=labels,
        customers_per_bin=tuple(int(v) for v in by_freq.n),
        predicted=np.asarray(by_freq.predicted_mean, dtype=np.float64),
        actual=np.asarray(by_freq.actual_mean, dtype=np.float64),
        weeks=weeks,
        # Both curves start at zero repeat purchases when the file starts.
        cumulative_actual=np.concatenate([[0.0], np.asarray(tracking.actual, float)]),
        cumulative_predicted=np.concatenate([[0.0], np.asarray(tracking.expected, float)]),
        # Period k of the tracking ends on day 7k - 1 after the start, so the last
        # calibration day d sits at week (d + 1) / 7 on the same axis.
        calibration_weeks=float((calibration_end - first).astype(np.int64) + 1) / UNIT_DAYS,
        holdout_error=_holdout_error(by_freq),
        alternatives=alternatives,
    )


FORECAST_HORIZON = 6
MIN_BAND = 0.05


def add_forecast(trend: Trend, orders: Orders, *, horizon: int = FORECAST_HORIZON) -> Trend:
    """``trend`` with a customer-base forecast (:mod:`thrive.insights.base_forecast`) of the
    ``horizon`` months after the last full month, and its back-test on the file's history.

    The back-test refits on all but the last k full months (k = a third of the full
    months, at most six) and forecasts them; the shaded range around the forecast is that
    back-test's mean monthly error (at least 5%), so it shows how far off the method has
    been on this business, not a textbook interval.
    """
    if trend.forecast_note:  # too short: compute_trend already said why
        return trend
    n_full = len(trend.months) - (1 if trend.partial_last_month else 0)
    last_full = np.datetime64(trend.months[n_full - 1], "M")
    as_of = (last_full + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    try:
        fc = forecast_customer_base(
            orders.customer_keys, orders.dates, orders.amounts, as_of=as_of, horizon=horizon
        )
    except ValueError as exc:
        return replace(trend, forecast_note=f"No forecast: {exc}.")
    k = min(6, n_full // 3)
    backtest: BaseBacktest | None = None
    backtest_note = ""
    try:
        backtest = backtest_customer_base(
            orders.customer_keys,
            orders.dates,
            orders.amounts,
            last_full_month=last_full,
            holdout_months=k,
        )
    except ValueError as exc:
        backtest_note = f"No back-test: fitted on all but the last {k} months, {exc}."
    total = fc.total
    band = MIN_BAND
    band_label = ""
    if backtest is not None and np.isfinite(backtest.monthly_error):
        band = max(backtest.monthly_error, MIN_BAND)
        band_label = f"± {band:.0%} (back-test error)"
    note = _forecast_note(fc)
    caveat = _caveat(fc.transaction_fit.converged, fc.spend_fit.converged)
    return replace(
        trend,
        forecast_months=tuple(str(m) for m in fc.months),
        forecast=total,
        forecast_low=np.maximum(total * (1 - band), 0.0) if band_label else None,
        forecast_high=total * (1 + band) if band_label else None,
        forecast_note=note,
        forecast_band_label=band_label,
        forecast_existing=fc.existing,
        forecast_new=fc.new,
        forecast_caveat=caveat,
        backtest_months=() if backtest is None else tuple(str(m) for m in backtest.months),
        backtest_predicted=None if backtest is None else backtest.predicted,
        backtest_actual=None if backtest is None else backtest.actual,
        backtest_error=None if backtest is None else backtest.total_error,
        backtest_monthly_error=None if backtest is None else backtest.monthly_error,
        backtest_note=backtest_note,
    )


def _forecast_note(fc: BaseForecast) -> str:
    months = len(fc.months)
    rate = fc.acquisition_per_month
    acquisition = (
        f"new customers keep coming at {rate:,.1f} a month (the average of the last "
        f"{fc.acquisition_months} full months), each with a first order of "
        f"{fc.first_order_value:,.2f} on average"
        if rate > 0
        else f"no new customers: none arrived in the last {fc.acquisition_months} full months"
    )
    return (
        f"The forecast adds up what customers are expected to do, not a trend line: the "
        f"{fc.customers:,} customers up to {fc.as_of} buy as the BG/NBD model expects from "
        f"their own history, each purchase worth their Gamma-Gamma expected spend; and "
        f"{acquisition}. Of the {months} months' {fc.total.sum():,.0f}, "
        f"{fc.existing.sum():,.0f} comes from existing customers and {fc.new.sum():,.0f} "
        "from new ones."
    )
