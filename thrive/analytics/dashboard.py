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
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncMonth

from thrive.accounts.models import Associate
from thrive.commerce.models import MarketingSpend
from thrive.commerce.queries import REVENUE, net_amount, orders_matching
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
from thrive.insights.kpis import participation_rate, revenue_per_employee

from . import figures, hooks
from .aggregates import business_zone, cohort_counts, monthly_revenue, revenue_orders
from .currencies import other_currency_revenue
from .queries import AUTOMATION_FORMULA, touch_automation
from .scoring import Scoring

WINDOW = figures.WINDOW


def as_float(value: Any) -> float | None:
    """JSON-safe float: NaN and infinity become None (shown as "—")."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _window(as_of: dt.date, back: int) -> tuple[dt.datetime, dt.datetime]:
    return figures.window(as_of, back)


def _revenue_between(start: dt.datetime, end: dt.datetime) -> float:
    net = ExpressionWrapper(F("total") - F("refunded"), output_field=DecimalField())
    total = revenue_orders().filter(ordered_at__gte=start, ordered_at__lt=end).aggregate(s=Sum(net))
    return float(total["s"] or 0)


def people_list(key: str, as_of: dt.date, words: str) -> dict[str, Any]:
    """The people list a figure opens, with the count the figure used (the same query)."""
    lookup = figures.PEOPLE[key][1]
    return {
        "kind": "people", "key": key, "link": figures.people_link(key, as_of),
        "count": lookup(as_of).count(), "words": words,
    }  # fmt: skip


def orders_list(first: dt.date, last: dt.date, words: str) -> dict[str, Any]:
    """The orders counted as revenue from ``first`` to ``last`` (both included), with their
    count and net sum from the orders list's own query."""
    currency = business.currency()
    orders = orders_matching({"status": REVENUE, "currency": currency, "start": first, "end": last})
    totals = orders.aggregate(n=Count("id"), net=Sum(net_amount()))
    return {
        "kind": "orders", "link": figures.orders_link(first, last, currency),
        "count": totals["n"], "net": float(totals["net"] or 0), "words": words,
        "start": first.isoformat(), "end": last.isoformat(),
    }  # fmt: skip


def kpi(key: str, label: str, value: Any, *, previous: Any = None, unit: str = "",
         formula: str, data: str, link: str = "", spark: list[float | None] | None = None,
         better: str = "up", detail: Any = None,
         lists: list[dict[str, Any]] | None = None) -> dict[str, Any]:  # fmt: skip
    """One card. ``lists`` are the lists behind the figure (the first is what the card's
    title opens, a ratio's denominator); each carries the count the figure used."""
    value, previous = as_float(value), as_float(previous)
    change = None
    if unit == "points" and value is not None and previous is not None:
        # A score on a fixed scale (NPS, −100..100) moves in points, not percent.
        change = value - previous
    elif value is not None and previous not in (None, 0):
        change = (value - previous) / abs(previous)
    lists = lists or []
    return {
        "key": key, "label": label, "value": value, "previous": previous, "change": change,
        "unit": unit, "formula": formula, "data": data,
        "link": link or (lists[0]["link"] if lists else ""), "spark": spark or [],
        "better": better, "detail": detail, "lists": lists,
    }  # fmt: skip


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _month_words(month: dt.date) -> str:
    return month.strftime("%b %Y")


def compute_dashboard(*, as_of: dt.date, scoring: Scoring) -> dict[str, Any]:
    currency = business.currency()
    cur_start, cur_end = _window(as_of, 0)
    prev_start, prev_end = _window(as_of, 1)
    through = as_of - dt.timedelta(days=1)
    kpis: list[dict[str, Any]] = []

    # Revenue and growth. Monthly series stop at the last complete month, so neither the
    # sparklines nor year-on-year growth compare a few days with a whole month.
    last_month = figures.last_complete_month(as_of)
    complete_before = figures.month_after(last_month)
    months, revenue = monthly_revenue(as_of=complete_before)
    growth = revenue_growth(revenue, months) if months.size else None
    window_orders = orders_list(
        as_of - WINDOW, through, f"orders in the {WINDOW.days} days to {through.isoformat()}"
    )
    rev_prev = _revenue_between(prev_start, prev_end)
    kpis.append(kpi(
        "revenue", "Revenue, last 90 days", window_orders["net"], previous=rev_prev,
        unit=currency,
        formula="Sum of order totals minus refunds, voided and pending orders excluded, in "
        "the last 90 days; compared with the 90 days before. The sparkline shows complete "
        "months only.",
        data=f"{window_orders['count']} orders in {currency}; orders in other currencies are "
        "shown beside it, each in its own currency, and never added in.",
        spark=[as_float(v) for v in (growth.revenue[-12:] if growth else [])],
        lists=[window_orders],
    ))  # fmt: skip
    kpis[-1]["others"] = other_currency_revenue(start=cur_start, end=cur_end)
    year_before = last_month.replace(year=last_month.year - 1)
    this_month = orders_list(
        last_month, complete_before - dt.timedelta(days=1), f"orders in {_month_words(last_month)}"
    )
    that_month = orders_list(
        year_before, figures.month_after(year_before) - dt.timedelta(days=1),
        f"orders in {_month_words(year_before)}",
    )  # fmt: skip
    yoy = (this_month["net"] - that_month["net"]) / that_month["net"] if that_month["net"] else None
    kpis.append(kpi(
        "growth_yoy",
        f"Revenue growth, {_month_words(last_month)} vs {_month_words(year_before)}", yoy,
        unit="%", formula="(revenue of the last complete month − the same month a year "
        "before) ÷ the same month a year before. The month in progress is left out so a few "
        "days are never compared with a whole month, as in `thrive report`. CAGR uses "
        "trailing-twelve-month revenue.",
        data=f"{_month_words(last_month)}: {this_month['net']:,.2f} {currency} from "
        f"{this_month['count']} orders; {_month_words(year_before)}: {that_month['net']:,.2f} "
        f"{currency} from {that_month['count']} orders. CAGR "
        f"{'n/a' if growth is None or as_float(growth.cagr) is None else f'{growth.cagr:.1%}'}.",
        spark=[as_float(v) for v in growth.yoy[-12:]] if growth is not None else [],
        lists=[this_month, that_month],
    ))  # fmt: skip

    # New clients: first time each person entered the client stage.
    new_now = people_list("new_clients", as_of, "new clients")
    new_prev = figures.new_clients(as_of, back=1).count()
    kpis.append(kpi(
        "new_clients", "New clients, last 90 days", new_now["count"], previous=new_prev,
        formula="People whose stage history first reaches “client” in the window.",
        data="From the stage history (every change is recorded with its cause).",
        lists=[new_now],
    ))  # fmt: skip

    # CAC by channel and CLV:CAC.
    cac = _cac(scoring)
    acquired = people_list("acquired_customers", as_of, "customers with a known channel")
    free = people_list("free_channel_customers", as_of, "from channels that cost nothing")
    paid = people_list("paid_channel_customers", as_of, "from channels with spend")
    kpis.append(kpi(
        "cac", "Blended CAC", cac["blended"], unit=currency,
        formula="All marketing spend ÷ all new customers with a known channel, from paid "
        "and free channels alike; each paid channel's own CAC (its spend ÷ its new "
        "customers) is listed.",
        data=f"{cac['spend']:,.0f} {currency} of spend over {acquired['count']} customers, "
        f"{free['count']} of them from channels that cost nothing.",
        better="down", detail=cac["channels"], lists=[acquired, free, paid],
    ))  # fmt: skip

    clv = scoring.clv
    clv_mean = as_float(np.mean(clv)) if clv is not None and clv.size else None
    all_customers = people_list("customers", as_of, "customers")
    all_customers["link"] += "&sort=-clv"
    kpis.append(kpi(
        "clv", "Predicted customer value (12 months)", clv_mean, unit=currency,
        formula="Mean over customers of Σ_months expected purchases (BG/NBD) × expected "
        "spend (Gamma-Gamma) × margin ÷ (1 + 1% monthly discount)^month.",
        data=scoring.model.get("reason") or _model_note(scoring),
        lists=[all_customers],
    ))  # fmt: skip
    overall = _clv_cac_overall(clv_mean, cac, free["count"], paid["count"])
    kpis.append(kpi(
        "clv_cac", "CLV : CAC", overall["overall"],
        unit="×", formula="Predicted 12-month customer value ÷ blended CAC. Above 3 is "
        "healthy. Blended CAC spreads the spend over every customer, including those from "
        "free channels (referrals, word of mouth), so the overall ratio is higher than any "
        "paid channel's.",
        data=overall["words"], detail=cac["clv_cac_by_channel"], lists=[free, paid],
    ))  # fmt: skip
    kpis.append(kpi(
        "payback", "CAC payback", cac["payback"], unit="months", better="down",
        formula="Blended CAC ÷ average monthly margin per active customer.",
        data="Monthly margin = revenue per customer per month of tenure × gross margin, "
        f"averaged over {all_customers['count']} customers.",
        lists=[all_customers],
    ))  # fmt: skip

    # Retention: complete months only (the month in progress would read as a drop).
    cohorts = cohort_counts(as_of=complete_before)
    retention = None
    if cohorts.offset.size:
        retention = cohort_matrix_from_counts(
            cohorts.cohort_month, cohorts.offset, cohorts.customers, cohorts.revenue,
            as_of=np.datetime64(last_month, "M"),
        )  # fmt: skip
    buyers = people_list("customers", as_of, "customers")
    repeaters = people_list("repeat_customers", as_of, "bought again")
    kpis.append(kpi(
        "repeat_rate", "Repeat-purchase rate", _ratio(repeaters["count"], buyers["count"]),
        unit="%", formula="Customers who bought on more than one day ÷ all customers.",
        data=f"{repeaters['count']} of {buyers['count']} customers bought again.",
        lists=[buyers, repeaters],
    ))  # fmt: skip
    cohort_people = people_list("retention_cohort", as_of, "customers 3+ months old")
    kept = people_list("retained", as_of, "bought in their 3rd month")
    kpis.append(kpi(
        "retention_m3", "Customers still buying in month 3",
        _ratio(kept["count"], cohort_people["count"]), unit="%",
        formula="Customers who bought in the 3rd month after their first order ÷ customers "
        "whose first order is at least 3 complete months old (the size-weighted mean over "
        "monthly cohorts).",
        data=f"{kept['count']} of {cohort_people['count']} customers; months through "
        f"{_month_words(last_month)}.",
        lists=[cohort_people, kept],
    ))  # fmt: skip

    # KPIs the apps above add (NPS and idea time to market from voice), see .hooks.
    for source in hooks.kpi_sources():
        kpis.extend(source(cur_start, cur_end, prev_start, prev_end))

    # Funnel.
    funnel = _funnel(as_of)
    entered = people_list("funnel_entered", as_of, "entered the funnel")
    reached = people_list("funnel_clients", as_of, "reached client")
    kpis.append(kpi(
        "funnel", "Suspect → client conversion", _ratio(reached["count"], entered["count"]),
        unit="%", formula="People who reached “client” ÷ people who entered the funnel.",
        data=f"{reached['count']} of {entered['count']} people, from every person's stage "
        "history.", lists=[entered, reached],
    ))  # fmt: skip

    # Team KPIs.
    team = people_list("associates", as_of, "associates")
    employees = team["count"] or Associate.objects.filter(is_active=True).count()
    year_orders = orders_list(
        _add_months(last_month, -11), complete_before - dt.timedelta(days=1),
        "orders in the last 12 complete months",
    )  # fmt: skip
    kpis.append(kpi(
        "revenue_per_employee", "Revenue per employee (12 months)",
        revenue_per_employee(year_orders["net"], employees) if employees else None,
        unit=currency, formula="Revenue of the last twelve complete months ÷ associates.",
        data=f"{year_orders['net']:,.2f} {currency} ÷ {employees} associates.",
        lists=[team, year_orders],
    ))  # fmt: skip
    touches = touch_automation(cur_start, cur_end)
    kpis.append(kpi(
        "automation_rate", "Process automation rate", touches["rate"], unit="%",
        formula=AUTOMATION_FORMULA,
        data=f"{touches['automated']} of {touches['total']} customer touches were automated.",
        lists=[{"kind": "touches", "link": f"/automations/?as_of={as_of.isoformat()}",
                "count": touches["total"], "automated": touches["automated"],
                "words": "customer touches"}],
    ))  # fmt: skip
    contact = _time_with_customers(cur_start, cur_end)
    prev_contact = _time_with_customers(prev_start, prev_end)
    met = people_list("contacted", as_of, "people the team spent time with")
    kpis.append(kpi(
        "time_with_customers", "Time with customers, last 90 days", contact["hours"],
        previous=prev_contact["hours"], unit="hours",
        formula="Sum of logged minutes of calls, meetings, strategy sessions, support and "
        "one-to-one emails.",
        data=f"Logged by associates on the timelines of {met['count']} people.",
        detail=contact["by_associate"], lists=[met],
    ))  # fmt: skip
    kpis.append(_participation(as_of))

    charts = {
        "revenue_by_channel": _revenue_by_channel(as_of),
        "cohorts": _cohort_chart(retention),
        "funnel": funnel,
        "clv_histogram": _clv_histogram(scoring),
    }
    return {
        "as_of": as_of.isoformat(),
        "through": through.isoformat(),
        "currency": currency,
        "window_days": WINDOW.days,
        "kpis": kpis,
        "charts": charts,
        "funnel": funnel,
        "model": {k: v for k, v in scoring.model.items() if k != "rfm"},
        "at_risk": _at_risk_count(),
    }


def _add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


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
        return {"blended": None, "channels": [], "clv_cac_by_channel": [], "payback": None,
                "spend": 0.0, "paid_clv": None, "paid_cac": None}  # fmt: skip
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
    total_spend = float(table.spend.sum())
    paid_new = sum(row["new"] for row in channels)
    paid_clv = None
    if scoring.clv is not None and paid_new:
        chan = np.array([channel_of.get(int(p), "") for p in ids], dtype=str)
        mask = np.isin(chan, [row["channel"] for row in channels])
        paid_clv = as_float(np.mean(scoring.clv[mask])) if mask.any() else None
    return {
        "spend": total_spend,
        "paid_clv": paid_clv,
        "paid_cac": total_spend / paid_new if paid_new else None,
        "blended": blended,
        "channels": channels,
        "clv_cac_by_channel": clv_by_channel,
        "payback": (
            as_float(payback_months(blended, monthly_margin)) if blended is not None else None
        ),
    }


def _clv_cac_overall(
    clv_mean: float | None, cac: dict[str, Any], free: int, paid: int
) -> dict[str, Any]:
    """The overall CLV:CAC and why it differs from every paid channel's: blended CAC
    divides the spend by customers from free channels too."""
    overall = as_float(clv_cac_ratio(clv_mean, cac["blended"])) if clv_mean else None
    paid_only = (
        as_float(clv_cac_ratio(cac["paid_clv"], cac["paid_cac"]))
        if cac.get("paid_clv") and cac.get("paid_cac")
        else None
    )
    words = (
        f"Overall includes {free} customers from free channels that cost nothing to "
        f"acquire and {paid} from paid channels"
        + (f"; paid channels alone: {paid_only:.1f}×." if paid_only is not None else ".")
    )
    return {"overall": overall, "paid_only": paid_only, "free": free, "paid": paid,
            "words": words}  # fmt: skip


def _funnel(as_of: dt.date) -> dict[str, Any]:
    cutoff = dt.datetime.combine(as_of, dt.time.min, tzinfo=business_zone()).astimezone(dt.UTC)
    rows = list(
        StageChange.objects.filter(changed_at__lt=cutoff)
        # Staff are associates, not customers moving through the funnel.
        .exclude(
            person__in=PersonRole.objects.filter(role=RelationshipRole.ASSOCIATE).values("person")
        )
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
            # One-to-one emails an associate wrote count too (never automated mail).
            Q(kind__in=list(HUMAN_CONTACT_KINDS))
            | Q(
                kind=ActivityKind.EMAIL,
                automated=False,
                direction=Direction.OUTBOUND,
                associate__isnull=False,
            ),
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


def _participation(as_of: dt.date) -> dict[str, Any]:
    base = people_list("participation_base", as_of, "customers and partners")
    took_part = people_list("participants", as_of, "took part")
    result = participation_rate(took_part["count"], base["count"]) if base["count"] else None
    return kpi(
        "participation", "Ecosystem participation, last 90 days",
        result.rate if result else None, unit="%",
        formula="Distinct people who took part ÷ the ecosystem: prospects, clients and "
        "advocates who voted, answered a survey, referred someone, submitted a form or met "
        "the team, and partners, referral partners and vendors the business worked with "
        "(any touchpoint) ÷ all of them.",
        data=f"{took_part['count']} of {base['count']} people took part.",
        lists=[base, took_part],
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
    # The people list's "churn risk: high" (contacts.queries): not Lost, predicted value > 0.
    risky = CustomerScore.objects.filter(churn_risk="high", predicted_clv__gt=0).exclude(
        person__stage=Stage.LOST
    )
    top = list(risky.order_by("-revenue").values_list("revenue", flat=True)[:50])
    return {"high_risk": risky.count(), "top50_revenue": as_float(sum(top)) if top else 0.0}
