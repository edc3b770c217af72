"""The dashboard's money cards, computed in the background refresh (never on page load):

* the 12-month revenue forecast from the customer base, with its back-test on the
  business's own history (``thrive.insights.base_forecast``);
* the MRR bridge, subscription churn and NRR/GRR (``thrive.insights.subscriptions``);
* the model check: BG/NBD against Pareto/NBD, both fitted on the history up to the
  back-test's cut and judged on how well they predict the purchases after it
  (``thrive.insights.holdout``).

Each card is JSON for the snapshot: numbers, the formula in words and the links to what
it counts. A card that cannot be computed says why instead (``{"reason": ...}``).
"""

from __future__ import annotations

import datetime as dt
import math
from operator import itemgetter
from typing import Any

import numpy as np
from django.db.models import Sum
from django.db.models.functions import TruncDate

from thrive.commerce.models import Subscription
from thrive.commerce.queries import net_amount
from thrive.core import business
from thrive.insights.base_forecast import (
    UNIT_DAYS,
    backtest_customer_base,
    forecast_customer_base,
    monthly_purchase_revenue,
)
from thrive.insights.holdout import repeat_purchases_by_frequency
from thrive.insights.model_check import choose_model, grouped_error
from thrive.insights.paretonbd import fit_pareto_nbd
from thrive.insights.subscriptions import cohort_retention, subscription_metrics
from thrive.insights.summary import summarize_transactions

from . import figures
from .aggregates import business_zone, revenue_orders

HORIZON = 12
HISTORY_MONTHS = 24


def _num(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _series(values: Any) -> list[float | None]:
    return [_num(v) for v in np.asarray(values, dtype=np.float64)]


def _months(values: np.ndarray) -> list[str]:
    return [str(m) for m in np.asarray(values, dtype="datetime64[M]")]


def purchase_days(*, before: dt.date, currency: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(person ids, days, net revenue): one row per customer per day in the business's zone,
    revenue orders in ``currency`` before ``before``."""
    rows = list(
        revenue_orders(currency=currency, before=before)
        .annotate(day=TruncDate("ordered_at", tzinfo=business_zone()))
        .values("person_id", "day")
        .annotate(rev=Sum(net_amount()))
        .values_list("person_id", "day", "rev")
        .order_by()
    )
    ids = np.fromiter(map(itemgetter(0), rows), dtype=np.int64, count=len(rows))
    days = np.array([str(r[1])[:10] for r in rows], dtype="datetime64[D]")
    amounts = np.fromiter((float(r[2] or 0) for r in rows), dtype=np.float64, count=len(rows))
    return ids, days, amounts


def _last_day(month: np.datetime64) -> dt.date:
    day = (np.datetime64(month, "M") + np.timedelta64(1, "M")).astype("datetime64[D]")
    return (day - np.timedelta64(1, "D")).astype(dt.date)


def _first_day(month: np.datetime64) -> dt.date:
    return np.datetime64(month, "M").astype("datetime64[D]").astype(dt.date)


def backtest_length(history_months: int) -> int:
    """Months the back-test leaves out: six with 18 months of history or more, else a
    third of the history (at least one), so the fit keeps two thirds."""
    return 6 if history_months >= 18 else max(1, history_months // 3)


def forecast_card(
    ids: np.ndarray, days: np.ndarray, amounts: np.ndarray, *, last_month: dt.date, currency: str
) -> dict[str, Any]:
    end = np.datetime64(last_month, "M")
    as_of = np.datetime64(_last_day(end), "D")
    fc = forecast_customer_base(ids, days, amounts, as_of=as_of, horizon=HORIZON)
    history = np.arange(end - np.timedelta64(HISTORY_MONTHS - 1, "M"), end + np.timedelta64(1, "M"))
    actual = monthly_purchase_revenue(days, amounts, history)
    first_seen = days.min().astype("datetime64[M]") if days.size else end
    span = int((end - first_seen).astype(np.int64)) + 1
    card: dict[str, Any] = {
        "history_months": _months(history),
        "history": _series(actual),
        "months": _months(fc.months),
        "existing": _series(fc.existing),
        "new": _series(fc.new),
        "total": _series(fc.total),
        "sum": _num(fc.total.sum()),
        "sum_existing": _num(fc.existing.sum()),
        "sum_new": _num(fc.new.sum()),
        "last_12": _num(actual[-12:].sum()),
        "customers": fc.customers,
        "acquisition_per_month": _num(fc.acquisition_per_month),
        "acquisition_months": fc.acquisition_months,
        "first_order_value": _num(fc.first_order_value),
        "repeat_order_value": _num(fc.repeat_order_value),
        "as_of": str(fc.as_of),
        "params": {k: _num(v) for k, v in fc.transaction_fit.params.items()},
        "history_link": figures.orders_link(_first_day(history[-12]), _last_day(end), currency),
        "customers_link": "/people/?sort=-clv",
    }
    holdout = backtest_length(span)
    try:
        bt = backtest_customer_base(ids, days, amounts, last_full_month=end, holdout_months=holdout)
    except ValueError as exc:
        card["backtest"] = {"reason": f"No back-test: {exc}."}
        return card
    card["backtest"] = {
        "months": _months(bt.months),
        "predicted": _series(bt.predicted),
        "actual": _series(bt.actual),
        "cut": str(bt.forecast.as_of),
        "total_error": _num(bt.total_error),
        "monthly_error": _num(bt.monthly_error),
        "predicted_sum": _num(bt.predicted.sum()),
        "actual_sum": _num(bt.actual.sum()),
        "link": figures.orders_link(_first_day(bt.months[0]), _last_day(bt.months[-1]), currency),
    }
    card["_backtest_fit"] = bt  # for the model check; removed before saving
    return card


def model_check(
    ids: np.ndarray, days: np.ndarray, amounts: np.ndarray, backtest: Any
) -> dict[str, Any]:
    """BG/NBD and Pareto/NBD fitted on the history up to the back-test's cut, each
    predicting every customer's purchases in the months after it."""
    cut = np.datetime64(backtest.forecast.as_of, "D")
    end = np.datetime64(_last_day(backtest.months[-1]), "D")
    seen = days <= cut
    summary = summarize_transactions(
        ids[seen], days[seen], amounts[seen], observation_end=cut, unit_days=UNIT_DAYS
    )
    customers = np.unique(ids[seen])  # the summary's order: sorted ids
    later = (days > cut) & (days <= end)
    position = np.searchsorted(customers, ids[later])
    known = (position < customers.size) & (
        customers[np.minimum(position, customers.size - 1)] == ids[later]
    )
    counts = np.bincount(position[known], minlength=customers.size).astype(np.float64)
    length = float((end - cut).astype(np.int64)) / UNIT_DAYS
    f, r, t = (
        np.asarray(a, dtype=np.float64) for a in (summary.frequency, summary.recency, summary.T)
    )
    bgnbd = backtest.forecast.transaction_fit
    pareto = fit_pareto_nbd(f, r, t)
    models: list[dict[str, Any]] = []
    errors: dict[str, float] = {}
    for name, fit in (("BG/NBD", bgnbd), ("Pareto/NBD", pareto)):
        bins = repeat_purchases_by_frequency(fit, summary, counts, length, max_bin=7)
        gap = grouped_error(bins.n, bins.predicted_mean, bins.actual_mean)
        predicted = float(np.sum(fit.expected_purchases(length, f, r, t)))
        models.append(
            {
                "name": name,
                "predicted": _num(predicted),
                "bin_error": _num(gap),
                "total_error": _num((predicted - counts.sum()) / counts.sum())
                if counts.sum()
                else None,
                "bic": _num(fit.bic),
                "log_likelihood": _num(fit.log_likelihood),
                "by_frequency": _series(bins.predicted_mean),
                "converged": bool(getattr(fit, "converged", True)),
            }
        )
        errors[name] = gap
    bins = repeat_purchases_by_frequency(bgnbd, summary, counts, length, max_bin=7)
    supported = choose_model(errors)
    if not supported:
        words = "Neither model could be judged on the months after the cut."
    elif supported == "both":
        words = (
            "Both models predict the months after the cut about equally well; the dashboard "
            "uses BG/NBD, the simpler and faster of the two."
        )
    else:
        words = f"{supported} predicts the months after the cut better on this business's data" + (
            "; the dashboard's forecasts use BG/NBD, whose error is shown beside it."
            if supported != "BG/NBD"
            else "; it is the one the dashboard uses."
        )
    return {
        "cut": str(cut),
        "end": str(end),
        "customers": int(customers.size),
        "actual": _num(counts.sum()),
        "bins": [
            str(int(v)) + ("+" if i == bins.bins.size - 1 else "") for i, v in enumerate(bins.bins)
        ],
        "bin_customers": [int(v) for v in bins.n],
        "actual_by_frequency": _series(bins.actual_mean),
        "models": models,
        "supported": supported,
        "words": words,
    }


def subscriptions_card(*, last_month: dt.date, currency: str) -> dict[str, Any]:
    rows = list(
        Subscription.objects.filter(currency=currency).values_list(
            "person_id", "started_on", "ended_on", "monthly_amount"
        )
    )
    if not rows:
        return {
            "reason": "No subscriptions recorded: this card fills in once the business sells "
            "a subscription (recorded under Records → Subscriptions, or imported)."
        }
    end = np.datetime64(last_month, "M")
    months = np.arange(end - np.timedelta64(11, "M"), end + np.timedelta64(1, "M"))
    start = np.array([str(r[1]) for r in rows], dtype="datetime64[D]")
    stop = np.array([str(r[2]) if r[2] else "NaT" for r in rows], dtype="datetime64[D]")
    m = subscription_metrics(
        start,
        stop,
        np.array([float(r[3]) for r in rows]),
        months=months,
        customer_ids=np.array([r[0] for r in rows]),
    )
    opening = float(m.opening_mrr[0])
    # The customers paying when the year opened, a year (twelve month ends) later.
    year_nrr, year_grr = cohort_retention(
        start,
        stop,
        np.array([float(r[3]) for r in rows]),
        customer_ids=np.array([r[0] for r in rows]),
        from_day=np.datetime64(_last_day(months[0] - np.timedelta64(1, "M")), "D"),
        to_day=np.datetime64(_last_day(end), "D"),
    )
    churned = int(m.churned_customers.sum())
    opened = int(m.opening_customers.sum())
    return {
        "months": _months(months),
        "mrr": _series(m.mrr),
        "opening": _series(m.opening_mrr),
        "new": _series(m.first_time_mrr),
        "reactivation": _series(m.reactivation_mrr),
        "expansion": _series(m.expansion_mrr),
        "contraction": _series(m.contraction_mrr),
        "churned": _series(m.churned_mrr),
        "churn_rate": _series(m.customer_churn_rate),
        "nrr": _series(m.net_revenue_retention),
        "grr": _series(m.gross_revenue_retention),
        "customers": [int(v) for v in m.customers],
        "last": {
            "month": str(months[-1]),
            "opening": _num(m.opening_mrr[-1]),
            "new": _num(m.first_time_mrr[-1]),
            "reactivation": _num(m.reactivation_mrr[-1]),
            "expansion": _num(m.expansion_mrr[-1]),
            "contraction": _num(m.contraction_mrr[-1]),
            "churned": _num(m.churned_mrr[-1]),
            "closing": _num(m.mrr[-1]),
            "nrr": _num(m.net_revenue_retention[-1]),
            "grr": _num(m.gross_revenue_retention[-1]),
            "churn_rate": _num(m.customer_churn_rate[-1]),
            "customers": int(m.customers[-1]),
        },
        "year": {
            "from": str(months[0] - np.timedelta64(1, "M")),
            "nrr": _num(year_nrr),
            "grr": _num(year_grr),
            "opening": _num(opening),
            "churn_rate": _num(churned / opened) if opened else None,
            "churned_customers": churned,
            "customer_months": opened,
        },
        "active": sum(1 for r in rows if r[2] is None or r[2] > _last_day(end)),
        "link": "/admin/commerce/subscription/",
    }


def compute_money(*, as_of: dt.date) -> dict[str, Any]:
    """Every money card for the snapshot; figures end with the last complete month."""
    currency = business.currency()
    last_month = figures.last_complete_month(as_of)
    out: dict[str, Any] = {"currency": currency, "last_month": last_month.isoformat()[:7]}
    ids, days, amounts = purchase_days(before=figures.month_after(last_month), currency=currency)
    try:
        forecast = forecast_card(ids, days, amounts, last_month=last_month, currency=currency)
    except ValueError as exc:
        out["forecast"] = {"reason": f"No forecast yet: {exc}."}
        out["model_check"] = {"reason": "The model check needs the forecast's history."}
    else:
        bt = forecast.pop("_backtest_fit", None)
        out["forecast"] = forecast
        if bt is None:
            out["model_check"] = {"reason": "The model check needs a back-test."}
        else:
            try:
                out["model_check"] = model_check(ids, days, amounts, bt)
            except ValueError as exc:
                out["model_check"] = {"reason": f"No model check: {exc}."}
    out["subscriptions"] = subscriptions_card(last_month=last_month, currency=currency)
    return out
