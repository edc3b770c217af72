"""The numbers of a health check, computed once and frozen in the check's JSON.

Financial trend from the owner's monthly figures (revenue, gross margin = (revenue − cost
of sales) ÷ revenue); revenue from orders when no figures were entered. Customers: NPS of
answers in the period (voice), the repeat-purchase rate at the end of the period (as the
dashboard defines it) and month-3 retention from the latest dashboard snapshot.
Operations: automation rate (automated ÷ all customer touches in the period, as the
dashboard counts them) and the
median hours from a customer's email, call, support request or form to the next personal
(not automated) outbound touch. Team: revenue per full-time employee, annualised.
"""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

import numpy as np

from thrive.accounts.models import Associate
from thrive.analytics import figures
from thrive.analytics import queries as analytics_queries
from thrive.analytics.aggregates import business_zone, monthly_revenue
from thrive.analytics.currencies import other_currency_revenue
from thrive.contacts.models import Activity, Direction
from thrive.core import business
from thrive.voice import queries as voice

# Inbound messages that expect an answer (an order or a vote does not).
ASKING_KINDS = ["email", "call", "support", "form_submission"]
# Inbound messages looked at for response times (the most recent of the period).
RESPONSE_SAMPLE = 5000
RESPONSE_WINDOW = dt.timedelta(days=14)


def _zone() -> Any:
    return business_zone()


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, day after end 00:00) in the business's time zone."""
    zone = _zone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
    )


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    out, m = [], start.replace(day=1)
    while m <= end:
        out.append(m)
        m = (m + dt.timedelta(days=32)).replace(day=1)
    return out


def _financial(start: dt.date, end: dt.date) -> dict[str, Any]:
    from .models import MonthlyFigures

    months = _months(start, end)
    chart_from = (months[0] - dt.timedelta(days=330)).replace(day=1)
    rows = {
        r.month: r for r in MonthlyFigures.objects.filter(month__gte=chart_from, month__lte=end)
    }
    in_period = [rows[m] for m in months if m in rows]
    source = "figures"
    series = [
        {
            "month": m.isoformat()[:7],
            "revenue": float(r.revenue),
            "margin": None if np.isnan(r.gross_margin) else r.gross_margin,
        }
        for m, r in sorted(rows.items())
    ]
    if in_period:
        revenue = sum(float(r.revenue) for r in in_period)
        cost = sum(float(r.cost_of_sales) for r in in_period)
        opex = sum(float(r.operating_costs) for r in in_period)
        employees = statistics.fmean(r.employees for r in in_period)
        margin = (revenue - cost) / revenue if revenue else None
        net = (revenue - cost - opex) / revenue if revenue else None
    else:
        source = "orders"
        got, amounts = monthly_revenue(as_of=end + dt.timedelta(days=1))
        by_month = {str(m): float(a) for m, a in zip(got, amounts, strict=True)}
        revenue = sum(by_month.get(m.isoformat()[:7], 0.0) for m in months)
        series = [
            {"month": k, "revenue": v, "margin": None}
            for k, v in sorted(by_month.items())
            if k >= chart_from.isoformat()[:7]
        ]
        margin = net = None

        employees = float(Associate.objects.filter(is_active=True).count() or 1)
    # Annualised over the months that have numbers (a month not entered is not a zero).
    counted = len(in_period) if in_period else len(months)
    per_employee = revenue / employees * 12 / counted if employees else None
    return {
        "source": source,
        "months_entered": len(in_period),
        "months": len(months),
        "revenue": revenue,
        "gross_margin": margin,
        "net_margin": net,
        "employees": employees,
        "revenue_per_employee": per_employee,
        "series": series,
    }


def _customers(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    from .services import live_value

    nps = voice.nps_between(start, end)
    snap = analytics_queries.latest_snapshot()
    payload = snap.payload if snap else {}
    return {
        "nps": nps.score if nps else None,
        "nps_n": nps.n if nps else 0,
        "nps_low": nps.adjusted_ci_low if nps else None,
        "nps_high": nps.adjusted_ci_high if nps else None,
        "repeat_rate": repeat_rate_before(end),
        "retention_m3": live_value(payload, "retention_m3"),
        "clv_cac": live_value(payload, "clv_cac"),
        "snapshot_as_of": snap.as_of.isoformat() if snap else None,
    }


def repeat_rate_before(end: dt.datetime) -> float | None:
    """The dashboard's repeat-purchase rate as it stood at ``end`` (midnight in the
    business's zone): the same two people queries the dashboard counts and lists."""
    as_of = end.astimezone(_zone()).date()
    buyers = figures.customers(as_of).count()
    return figures.repeat_customers(as_of).count() / buyers if buyers else None


def _operations(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    period = Activity.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    # The dashboard's definition and count, over the check's period.
    actions = analytics_queries.touch_automation(start, end)
    rate = actions["rate"]
    inbound = list(
        period.filter(direction=Direction.INBOUND, person__isnull=False, kind__in=ASKING_KINDS)
        .order_by("-occurred_at")
        .values_list("person_id", "occurred_at")[:RESPONSE_SAMPLE]
    )
    hours: list[float] = []
    if inbound:
        people = {p for p, _ in inbound}
        first = min(t for _, t in inbound)
        replies: dict[int, list[dt.datetime]] = {}
        for person, at in (
            Activity.objects.filter(
                person_id__in=people,
                direction=Direction.OUTBOUND,
                automated=False,
                occurred_at__gt=first,
                occurred_at__lt=end + RESPONSE_WINDOW,
            )
            .order_by("occurred_at")
            .values_list("person_id", "occurred_at")
        ):
            replies.setdefault(person, []).append(at)
        for person, at in inbound:
            later = [r for r in replies.get(person, []) if at < r <= at + RESPONSE_WINDOW]
            if later:
                hours.append((later[0] - at).total_seconds() / 3600)
    return {
        "automation_rate": float(rate) if rate is not None else None,
        "automated": actions["automated"],
        "outbound": actions["total"],
        "response_hours_median": statistics.median(hours) if hours else None,
        "responses": len(hours),
        "inbound": len(inbound),
    }


def compute_health(period_start: dt.date, period_end: dt.date) -> dict[str, Any]:
    """Every figure of a health check for the period, JSON-ready."""
    start, end = _bounds(period_start, period_end)
    financial = _financial(period_start, period_end)
    # Orders in other currencies, each in its own currency, beside (never in) the revenue.
    financial["other_currencies"] = other_currency_revenue(start=start, end=end)
    return {
        "currency": business.currency(),
        "financial": financial,
        "customers": _customers(start, end),
        "operations": _operations(start, end),
        "computed_at": dt.datetime.now(tz=dt.UTC).isoformat(timespec="seconds"),
    }


# (section, key, label, unit, better) of each compared figure, in report order.
COMPARED = [
    ("financial", "revenue", "Revenue in the period", "money", "up"),
    ("financial", "gross_margin", "Gross margin", "%", "up"),
    ("financial", "net_margin", "Operating margin", "%", "up"),
    ("customers", "nps", "Net Promoter Score", "points", "up"),
    ("customers", "repeat_rate", "Repeat-purchase rate", "%", "up"),
    ("operations", "automation_rate", "Process automation rate", "%", "up"),
    ("operations", "response_hours_median", "Median time to a personal reply", "hours", "down"),
    ("financial", "revenue_per_employee", "Revenue per employee (annualised)", "money", "up"),
]


def compare(figures: dict[str, Any], previous: dict[str, Any] | None) -> list[dict[str, Any]]:
    """One row per compared figure: now, before, change and whether it is an improvement."""
    rows = []
    for section, key, label, unit, better in COMPARED:
        now = (figures.get(section) or {}).get(key)
        before = ((previous or {}).get(section) or {}).get(key)
        change = None
        if now is not None and before is not None:
            change = now - before
        good = None if not change else (change > 0) == (better == "up")
        rows.append(
            {
                "section": section,
                "key": key,
                "label": label,
                "unit": unit,
                "now": now,
                "before": before,
                "change": change,
                "good": good,
            }
        )
    return rows
