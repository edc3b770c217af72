"""The dashboard's figures: SQL aggregates in, insights-core functions, JSON out.

Every KPI carries its formula and the data behind it, so the page can explain itself.
Windows compare the last 90 days with the 90 days before (``as_of`` excluded).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Min, Q, Sum
from django.db.models.functions import TruncMonth

from thrive.accounts.models import Associate
from thrive.commerce.models import MarketingSpend
from thrive.contacts.models import (
    HUMAN_CONTACT_KINDS,
    Activity,
    ActivityKind,
    Direction,
    Person,
    PersonRole,
    RelationshipRole,
    Stage,
    StageChange,
)
from thrive.core import business
from thrive.insights.acquisition import cac_by_channel, clv_cac_ratio, payback_months
from thrive.insights.cohorts import cohort_matrix_from_counts
from thrive.insights.funnel import FUNNEL_STAGES, funnel_metrics
from thrive.insights.growth import revenue_growth
from thrive.insights.kpis import automation_rate, participation_rate, revenue_per_employee

from . import hooks
from .aggregates import business_zone, cohort_counts, monthly_revenue, revenue_orders
from .scoring import Scoring

WINDOW = dt.timedelta(days=90)
PARTICIPATION_KINDS = [
    ActivityKind.IDEA_VOTE, ActivityKind.SURVEY_ANSWER, ActivityKind.REFERRAL,
    ActivityKind.FORM_SUBMISSION, ActivityKind.STRATEGY_SESSION, ActivityKind.MEETING,
]  # fmt: skip


def as_float(value: Any) -> float | None:
    """JSON-safe float: NaN and infinity become None (shown as "—")."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _window(as_of: dt.date, back: int) -> tuple[dt.datetime, dt.datetime]:
    zone = business_zone()
    end = dt.datetime.combine(as_of, dt.time.min, tzinfo=zone) - back * WINDOW
    return end - WINDOW, end


def _revenue_between(start: dt.datetime, end: dt.datetime) -> float:
    net = ExpressionWrapper(F("total") - F("refunded"), output_field=DecimalField())
    total = revenue_orders().filter(ordered_at__gte=start, ordered_at__lt=end).aggregate(s=Sum(net))
    return float(total["s"] or 0)


def kpi(key: str, label: str, value: Any, *, previous: Any = None, unit: str = "",
         formula: str, data: str, link: str = "", spark: list[float | None] | None = None,
         better: str = "up", detail: Any = None) -> dict[str, Any]:  # fmt: skip
    value, previous = as_float(value), as_float(previous)
    change = None
    if value is not None and previous not in (None, 0):
        change = (value - previous) / abs(previous)
    return {
        "key": key, "label": label, "value": value, "previous": previous, "change": change,
        "unit": unit, "formula": formula, "data": data, "link": link, "spark": spark or [],
        "better": better, "detail": detail,
    }  # fmt: skip


def compute_dashboard(*, as_of: dt.date, scoring: Scoring) -> dict[str, Any]:
    currency = business.currency()
    cur_start, cur_end = _window(as_of, 0)
    prev_start, prev_end = _window(as_of, 1)
    kpis: list[dict[str, Any]] = []

    # Revenue and growth.
    months, revenue = monthly_revenue(as_of=as_of)
    growth = revenue_growth(revenue, months) if months.size else None
    rev_now, rev_prev = _revenue_between(cur_start, cur_end), _revenue_between(prev_start, prev_end)
    kpis.append(kpi(
        "revenue", "Revenue, last 90 days", rev_now, previous=rev_prev, unit=currency,
        formula="Sum of order totals minus refunds, voided orders excluded, in the last 90 "
        "days; compared with the 90 days before.",
        data=f"Orders in {currency}; other currencies are reported separately.",
        spark=[as_float(v) for v in (growth.revenue[-12:] if growth else [])],
    ))  # fmt: skip
    if growth is not None and growth.revenue.size:
        kpis.append(kpi(
            "growth_yoy", "Revenue growth, year on year", growth.yoy[-1],
            unit="%", formula="(this month's revenue − the same month last year) ÷ the same month "
            "last year. CAGR uses trailing-twelve-month revenue.",
            data=f"Monthly revenue since {str(growth.months[0])}; CAGR "
            f"{'n/a' if as_float(growth.cagr) is None else f'{growth.cagr:.1%}'}.",
            spark=[as_float(v) for v in growth.yoy[-12:]],
        ))  # fmt: skip

    # New clients: first time each person entered the client stage.
    firsts = (
        StageChange.objects.filter(to_stage=Stage.CLIENT)
        .values("person_id")
        .annotate(first=Min("changed_at"))
    )
    new_now = firsts.filter(first__gte=cur_start, first__lt=cur_end).count()
    new_prev = firsts.filter(first__gte=prev_start, first__lt=prev_end).count()
    kpis.append(kpi(
        "new_clients", "New clients, last 90 days", new_now, previous=new_prev,
        formula="People whose stage history first reaches “client” in the window.",
        data="From the stage history (every change is recorded with its cause).",
        link="/people/?stage=client&sort=-first_seen",
    ))  # fmt: skip

    # CAC by channel and CLV:CAC.
    cac = _cac(scoring)
    kpis.append(kpi(
        "cac", "Blended CAC", cac["blended"], unit=currency,
        formula="All marketing spend ÷ all new customers, from paid and unpaid channels "
        "alike; each paid channel's own CAC (its spend ÷ its new customers) is listed.",
        data="Spend per channel and month from the spend records; new customers by the "
        "month of their first order and their acquisition channel.",
        better="down", detail=cac["channels"],
    ))  # fmt: skip

    clv = scoring.clv
    clv_mean = as_float(np.mean(clv)) if clv is not None and clv.size else None
    kpis.append(kpi(
        "clv", "Predicted customer value (12 months)", clv_mean, unit=currency,
        formula="Mean over customers of Σ_months expected purchases (BG/NBD) × expected "
        "spend (Gamma-Gamma) × margin ÷ (1 + 1% monthly discount)^month.",
        data=scoring.model.get("reason") or _model_note(scoring),
        link="/people/?sort=-clv",
    ))  # fmt: skip
    kpis.append(kpi(
        "clv_cac", "CLV : CAC", clv_cac_ratio(clv_mean, cac["blended"]) if clv_mean else None,
        unit="×", formula="Predicted 12-month customer value ÷ blended CAC. Above 3 is healthy.",
        data="Both figures above.", detail=cac["clv_cac_by_channel"],
    ))  # fmt: skip
    kpis.append(kpi(
        "payback", "CAC payback", cac["payback"], unit="months", better="down",
        formula="Blended CAC ÷ average monthly margin per active customer.",
        data="Monthly margin = revenue per customer per month of tenure × gross margin.",
    ))  # fmt: skip

    # Retention.
    cohorts = cohort_counts(as_of=as_of)
    retention = None
    if cohorts.offset.size:
        matrix = cohort_matrix_from_counts(
            cohorts.cohort_month, cohorts.offset, cohorts.customers, cohorts.revenue,
            as_of=np.datetime64(as_of, "M"),
        )  # fmt: skip
        retention = matrix
    repeat_rate = (
        float(np.mean(scoring.days.frequency > 0)) if scoring.days.person_ids.size else None
    )
    month3 = (
        as_float(retention.mean_retention[3])
        if retention is not None and retention.mean_retention.size > 3
        else None
    )
    kpis.append(kpi(
        "repeat_rate", "Repeat-purchase rate", repeat_rate, unit="%",
        formula="Customers who bought on more than one day ÷ all customers.",
        data=f"{scoring.days.person_ids.size} customers with orders.",
        link="/people/?stage=client",
    ))  # fmt: skip
    kpis.append(kpi(
        "retention_m3", "Customers still buying in month 3", month3, unit="%",
        formula="Size-weighted mean over cohorts of customers active 3 months after their "
        "first order ÷ cohort size.", data="Cohorts by month of first order.",
    ))  # fmt: skip

    # KPIs the apps above add (NPS and idea time to market from voice), see .hooks.
    for source in hooks.kpi_sources():
        kpis.extend(source(cur_start, cur_end, prev_start, prev_end))

    # Funnel.
    funnel = _funnel(as_of)
    kpis.append(kpi(
        "funnel", "Suspect → client conversion", funnel["suspect_to_client"], unit="%",
        formula="People who reached “client” ÷ people who entered the funnel.",
        data="From every person's stage history.", link="/ecosystem/",
    ))  # fmt: skip

    # Team KPIs.
    employees = PersonRole.objects.filter(role=RelationshipRole.ASSOCIATE).count() or (
        Associate.objects.filter(is_active=True).count()
    )
    trailing_revenue = float(np.sum(revenue[-12:])) if revenue.size else 0.0
    kpis.append(kpi(
        "revenue_per_employee", "Revenue per employee (12 months)",
        revenue_per_employee(trailing_revenue, employees) if employees else None, unit=currency,
        formula="Trailing-twelve-month revenue ÷ associates.", data=f"{employees} associates.",
    ))  # fmt: skip
    actions = Activity.objects.filter(
        occurred_at__gte=cur_start, occurred_at__lt=cur_end, direction=Direction.OUTBOUND
    ).aggregate(total=Count("id"), automated=Count("id", filter=Q(automated=True)))
    kpis.append(kpi(
        "automation_rate", "Process automation rate",
        automation_rate(actions["automated"], actions["total"]) if actions["total"] else None,
        unit="%", formula="Automated outbound actions ÷ all outbound actions, last 90 days.",
        data=f"{actions['automated']} of {actions['total']} outbound actions were automated.",
    ))  # fmt: skip
    contact = _time_with_customers(cur_start, cur_end)
    prev_contact = _time_with_customers(prev_start, prev_end)
    kpis.append(kpi(
        "time_with_customers", "Time with customers, last 90 days", contact["hours"],
        previous=prev_contact["hours"], unit="hours",
        formula="Sum of logged minutes of calls, meetings, strategy sessions and support.",
        data="Logged by associates on each person's timeline.", detail=contact["by_associate"],
    ))  # fmt: skip
    kpis.append(_participation(cur_start, cur_end))

    charts = {
        "revenue_by_channel": _revenue_by_channel(as_of),
        "cohorts": _cohort_chart(retention),
        "funnel": funnel,
        "clv_histogram": _clv_histogram(scoring),
    }
    return {
        "as_of": as_of.isoformat(),
        "through": (as_of - dt.timedelta(days=1)).isoformat(),
        "currency": currency,
        "window_days": WINDOW.days,
        "kpis": kpis,
        "charts": charts,
        "funnel": funnel,
        "model": {k: v for k, v in scoring.model.items() if k != "rfm"},
        "at_risk": _at_risk_count(),
    }


def _model_note(scoring: Scoring) -> str:
    tx = scoring.model.get("transactions") or {}
    return (
        f"BG/NBD fitted on {scoring.days.person_ids.size} customers "
        f"(r={tx.get('r', 0):.3f}, α={tx.get('alpha', 0):.2f}, a={tx.get('a', 0):.3f}, "
        f"b={tx.get('b', 0):.3f})."
    )


def _cac(scoring: Scoring) -> dict[str, Any]:
    currency = business.currency()
    spend = list(
        MarketingSpend.objects.filter(currency=currency).values_list(
            "channel__slug", "month", "amount"
        )
    )
    ids = scoring.days.person_ids
    channel_of = (
        dict(
            Person.objects.filter(
                pk__in=ids.tolist(), acquisition_channel__isnull=False
            ).values_list("pk", "acquisition_channel__slug")
        )
        if ids.size
        else {}
    )
    acquired = [
        (channel_of[int(p)], d)
        for p, d in zip(ids, scoring.days.first_day, strict=True)
        if int(p) in channel_of
    ]
    if not spend:
        return {"blended": None, "channels": [], "clv_cac_by_channel": [], "payback": None}
    table = cac_by_channel(
        np.array([s[0] for s in spend]), np.array([s[1] for s in spend], dtype="datetime64[M]"),
        np.array([float(s[2]) for s in spend]),
        np.array([a[0] for a in acquired] or [], dtype=str),
        np.array([a[1] for a in acquired] or [], dtype="datetime64[M]"),
    )  # fmt: skip
    paid = set(table.channels[table.spend.sum(axis=1) > 0].tolist())
    channels: list[dict[str, Any]] = [
        {"channel": str(c), "spend": as_float(table.spend[i].sum()),
         "new": int(table.new_customers[i].sum()),
         "cac": as_float(table.channel_cac[i])}
        for i, c in enumerate(table.channels) if str(c) in paid
    ]  # fmt: skip
    clv_by_channel: list[dict[str, Any]] = []
    if scoring.clv is not None:
        chan = np.array([channel_of.get(int(p), "") for p in ids], dtype=str)
        for row in channels:
            mask = chan == row["channel"]
            mean_clv = as_float(np.mean(scoring.clv[mask])) if mask.any() else None
            row["clv"] = mean_clv
            ratio = clv_cac_ratio(mean_clv, row["cac"]) if mean_clv and row["cac"] else None
            clv_by_channel.append({"channel": row["channel"], "ratio": as_float(ratio)})
    margin = float(getattr(settings, "THRIVE_GROSS_MARGIN", 1.0))
    tenure_months = np.maximum(
        (np.datetime64(scoring.as_of, "D") - scoring.days.first_day).astype(float) / 30.44, 1.0
    )
    monthly_margin = (
        float(np.mean(scoring.days.revenue / tenure_months) * margin) if ids.size else 0.0
    )
    blended = as_float(table.total_blended_cac)
    return {
        "blended": blended,
        "channels": channels,
        "clv_cac_by_channel": clv_by_channel,
        "payback": (
            as_float(payback_months(blended, monthly_margin)) if blended is not None else None
        ),
    }


def _funnel(as_of: dt.date) -> dict[str, Any]:
    cutoff = dt.datetime.combine(as_of, dt.time.min, tzinfo=business_zone()).astimezone(dt.UTC)
    rows = list(
        StageChange.objects.filter(changed_at__lt=cutoff)
        .order_by("person_id", "changed_at", "id")
        .values_list("person_id", "from_stage", "to_stage", "changed_at")
    )
    if not rows:
        return {
            "stages": list(FUNNEL_STAGES), "reached": [0] * 4, "conversion": [None] * 3,
            "median_days": [None] * 4, "in_stage_now": [0] * 4, "suspect_to_client": None,
        }  # fmt: skip
    ids, frm, to, when = zip(*rows, strict=True)
    utc = [t.astimezone(dt.UTC).replace(tzinfo=None) for t in when]
    metrics = funnel_metrics(
        np.asarray(ids), np.asarray(frm, dtype=str), np.asarray(to, dtype=str),
        np.asarray(utc, dtype="datetime64[s]"),
        now=np.datetime64(cutoff.replace(tzinfo=None), "s"),
    )  # fmt: skip
    reached = metrics.reached.tolist()
    return {
        "stages": list(metrics.stages),
        "reached": reached,
        "conversion": [as_float(c) for c in metrics.conversion_rate],
        "median_days": [as_float(d) for d in metrics.median_days_in_stage],
        "in_stage_now": metrics.in_stage_now.tolist(),
        "lost": metrics.lost.tolist(),
        "suspect_to_client": as_float(reached[2] / reached[0]) if reached[0] else None,
    }


def _time_with_customers(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    rows = (
        Activity.objects.filter(
            kind__in=list(HUMAN_CONTACT_KINDS),
            occurred_at__gte=start,
            occurred_at__lt=end,
            duration_minutes__isnull=False,
        )  # fmt: skip
        .values("associate__username", "associate__first_name", "associate__last_name")
        .annotate(minutes=Sum("duration_minutes"))
        .order_by("-minutes")
    )
    by = [
        {"associate": (f"{r['associate__first_name']} {r['associate__last_name']}".strip()
                       or r["associate__username"] or "Unassigned"), "hours": r["minutes"] / 60}
        for r in rows
    ]  # fmt: skip
    return {"hours": sum(r["hours"] for r in by), "by_associate": by}


def _participation(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    base = (
        Person.objects.exclude(stage__in=[Stage.LOST])
        .filter(stage__in=[Stage.PROSPECT, Stage.CLIENT, Stage.ADVOCATE])
        .count()
    )
    recent = Activity.objects.filter(
        kind__in=PARTICIPATION_KINDS, occurred_at__gte=start, occurred_at__lt=end,
        person__stage__in=[Stage.PROSPECT, Stage.CLIENT, Stage.ADVOCATE],
    )  # fmt: skip
    participants = recent.values("person_id").distinct().count()
    result = participation_rate(participants, base) if base else None
    return kpi(
        "participation", "Ecosystem participation, last 90 days",
        result.rate if result else None, unit="%",
        formula="Distinct prospects, clients and advocates who voted, answered a survey, "
        "referred someone, submitted a form or met the team ÷ all of them.",
        data=f"{participants} of {base} people took part.",
    )  # fmt: skip


def _revenue_by_channel(as_of: dt.date) -> dict[str, Any]:
    start = (np.datetime64(as_of, "M") - np.timedelta64(11, "M")).astype("datetime64[D]").item()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=business_zone())
    net = ExpressionWrapper(F("total") - F("refunded"), output_field=DecimalField())
    rows = (
        revenue_orders(before=as_of)
        .filter(ordered_at__gte=since)
        .annotate(month=TruncMonth("ordered_at", tzinfo=business_zone()))
        .values("month", "person__acquisition_channel__name")
        .annotate(rev=Sum(net))
        .order_by("month")
    )
    months = [str(np.datetime64(start, "M") + np.timedelta64(i, "M")) for i in range(12)]
    series: dict[str, list[float]] = {}
    for row in rows:
        name = row["person__acquisition_channel__name"] or "No channel recorded"
        month = str(row["month"])[:7]
        if month in months:
            series.setdefault(name, [0.0] * 12)[months.index(month)] += float(row["rev"] or 0)
    ordered = sorted(series.items(), key=lambda kv: -sum(kv[1]))
    return {"months": months, "series": [{"name": k, "values": v} for k, v in ordered]}


def _cohort_chart(matrix: Any) -> dict[str, Any]:
    if matrix is None:
        return {"rows": [], "cols": [], "values": [], "sizes": []}
    keep = min(12, matrix.cohorts.size)
    cols = min(13, matrix.offsets.size)
    values = matrix.retention[-keep:, :cols]
    return {
        "rows": [str(c)[:7] for c in matrix.cohorts[-keep:]],
        "cols": [int(o) for o in matrix.offsets[:cols]],
        "values": [[as_float(v) for v in row] for row in values],
        "sizes": [int(s) for s in matrix.cohort_sizes[-keep:]],
        "mean": [as_float(v) for v in matrix.mean_retention[:cols]],
    }


def _clv_histogram(scoring: Scoring) -> dict[str, Any]:
    if scoring.clv is None:
        return {"edges": [], "counts": []}
    top = float(np.quantile(scoring.clv, 0.98)) if scoring.clv.size else 0.0
    edges = np.linspace(0.0, max(top, 1.0), 21)
    counts, _ = np.histogram(np.clip(scoring.clv, 0, edges[-1]), bins=edges)
    return {"edges": edges.tolist(), "counts": counts.tolist()}


def _at_risk_count() -> dict[str, Any]:
    from .models import CustomerScore

    # Valuable customers slipping away: high past revenue, low chance they still buy.
    risky = CustomerScore.objects.filter(churn_risk="high")
    top = list(risky.order_by("-revenue").values_list("revenue", flat=True)[:50])
    return {"high_risk": risky.count(), "top50_revenue": as_float(sum(top)) if top else 0.0}
