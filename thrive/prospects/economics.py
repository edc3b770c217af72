"""Where acquisition pays: the channel and first-product table of journey step 4.

The database gives one row per scored client and one per client-month of revenue; the
insights core computes CAC (:func:`cac_by_channel`), the cohort matrix and the per-group
economics (:func:`group_economics`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from django.conf import settings

from thrive.analytics.aggregates import business_zone
from thrive.analytics.currencies import other_currency_revenue
from thrive.commerce.models import MarketingSpend
from thrive.core import business
from thrive.insights import cac_by_channel, cohort_matrix, group_economics
from thrive.insights.channels import GroupEconomics

from .clients import UNKNOWN, ClientMonths, ClientTable, client_months, client_table

RETENTION_MONTHS = 3
# First products bought by fewer clients are pooled: a row of two people says nothing.
MIN_GROUP = 5
OTHER = "Other products (fewer than 5 clients each)"
DAYS_PER_MONTH = 30.44


def acquisition_costs(table: ClientTable, months: ClientMonths) -> np.ndarray:
    """Each client's acquisition cost: their channel's CAC over the whole period (NaN
    when their channel is unknown). Spend in the business's currency only."""
    first_month: dict[int, np.datetime64] = {}
    for pid, month in zip(months.person_ids.tolist(), months.months, strict=True):
        first_month.setdefault(pid, month)
    spend = list(
        MarketingSpend.objects.filter(currency=business.currency()).values_list(
            "channel__slug", "month", "amount"
        )
    )
    known = [
        (slug, first_month[int(pid)])
        for pid, slug in zip(table.person_ids, table.channel_slug, strict=True)
        if slug and int(pid) in first_month
    ]
    cac = cac_by_channel(
        np.array([s[0] for s in spend], dtype=str),
        np.array([s[1] for s in spend], dtype="datetime64[M]"),
        np.array([float(s[2]) for s in spend], dtype=np.float64),
        np.array([k[0] for k in known], dtype=str),
        np.array([k[1] for k in known], dtype="datetime64[M]"),
    )
    by_slug = {str(c): float(v) for c, v in zip(cac.channels, cac.channel_cac, strict=True)}
    return np.array([by_slug.get(str(s), np.nan) if s else np.nan for s in table.channel_slug])


def monthly_margins(table: ClientTable) -> np.ndarray:
    """Revenue per month of tenure (at least one month) times the gross margin, as the
    dashboard's payback uses."""
    margin = float(getattr(settings, "THRIVE_GROSS_MARGIN", 1.0))
    tenure_months = np.maximum(table.tenure_days.astype(float) / DAYS_PER_MONTH, 1.0)
    return table.revenue / tenure_months * margin


def economics_by(
    labels: np.ndarray, table: ClientTable, months: ClientMonths, costs: np.ndarray
) -> GroupEconomics:
    label_of = dict(zip(table.person_ids.tolist(), labels.tolist(), strict=True))
    keep = np.isin(months.person_ids, table.person_ids)
    cohorts = cohort_matrix(
        months.person_ids[keep], months.months[keep], months.revenue[keep],
        channels=np.array([label_of[int(p)] for p in months.person_ids[keep]], dtype=str),
        as_of=np.datetime64(table.as_of - dt.timedelta(days=1), "D"),
    )  # fmt: skip
    return group_economics(
        labels, table.clv, costs, monthly_margins(table), table.revenue,
        cohorts=cohorts, retention_offset=RETENTION_MONTHS,
    )  # fmt: skip


def pooled(labels: np.ndarray, min_group: int = MIN_GROUP) -> np.ndarray:
    """``labels`` with every label held by fewer than ``min_group`` clients as OTHER."""
    values, counts = np.unique(labels, return_counts=True)
    small = set(values[counts < min_group].tolist())
    return np.array([OTHER if x in small else x for x in labels.tolist()], dtype=object).astype(str)


def _rows(econ: GroupEconomics) -> list[dict[str, Any]]:
    def f(x: float) -> float | None:
        return float(x) if np.isfinite(x) else None

    rows = [
        {
            "group": str(g), "customers": int(econ.customers[i]), "clv": f(econ.mean_clv[i]),
            "cac": f(econ.cac[i]), "clv_cac": f(econ.clv_cac[i]),
            "retention": f(econ.retention[i]), "payback": f(econ.payback_months[i]),
            "revenue": f(econ.revenue[i]),
        }
        for i, g in enumerate(econ.groups)
    ]  # fmt: skip
    # Pooled and unrecorded groups go last: they are not a choice the owner can make.
    last = {OTHER, UNKNOWN}
    return sorted(rows, key=lambda r: (r["group"] in last, -(r["clv"] or 0), r["group"]))


def verdict(ratio: float | None) -> str:
    """CLV:CAC in words: 3 or more is the usual bar for acquisition that pays."""
    if ratio is None:
        return ""
    return "pays" if ratio >= 3 else "pays back" if ratio >= 1 else "loses money"


def channel_table(*, as_of: dt.date | None = None) -> dict[str, Any]:
    """Both tables (by channel, by first product) ready for the page, with the verdict
    "pays" / "does not pay" per row where CLV:CAC is known."""
    table = client_table(as_of=as_of)
    months = client_months(as_of=table.as_of)
    costs = acquisition_costs(table, months)
    by_channel = _rows(economics_by(table.channel, table, months, costs))
    by_product = _rows(economics_by(pooled(table.first_product), table, months, costs))
    for row in by_channel + by_product:
        ratio = row["clv_cac"]
        row["verdict"] = verdict(ratio)
    end = dt.datetime.combine(table.as_of, dt.time.min, tzinfo=business_zone())
    return {
        "as_of": table.as_of.isoformat(),
        "currency": business.currency(),
        "others": other_currency_revenue(end=end),
        "clients": table.size,
        "retention_months": RETENTION_MONTHS,
        "channels": by_channel,
        "products": by_product,
    }
