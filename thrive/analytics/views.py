"""The dashboard and the ecosystem map: they read snapshots, never fit a model."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from thrive.contacts import queries as contact_queries
from thrive.contacts.models import RelationshipRole, Stage
from thrive.core.jobs import status_response
from thrive.core.replica import reads_from_replica
from thrive.core.roles import role_required

from . import charts, money_charts, queries, refresh


def _drawn(payload: dict[str, Any]) -> dict[str, Any]:
    currency = payload.get("currency", "")
    data = payload.get("charts", {})
    names = contact_queries.channel_names()
    for kpi in payload.get("kpis", []):
        # Snapshots keep channel keys; people read the channel's name.
        for row in kpi.get("detail") or []:
            if isinstance(row, dict) and row.get("channel"):
                row["label"] = contact_queries.channel_label(row["channel"], names)
        kpi["spark_svg"] = charts.sparkline(
            kpi.get("spark") or [], label=f"Trend of {kpi['label']}"
        )
    return {
        "revenue_by_channel": charts.revenue_by_channel(
            data.get("revenue_by_channel", {}), currency
        ),
        "cohorts": charts.cohort_heat_map(data.get("cohorts", {})),
        "funnel": charts.funnel_chart(data.get("funnel", {})),
        "clv": charts.clv_histogram(data.get("clv_histogram", {}), currency),
    }


@reads_from_replica
def dashboard(request: HttpRequest) -> HttpResponse:
    snapshot = queries.latest_snapshot()
    run = refresh.ensure_fresh(snapshot)
    payload = snapshot.payload if snapshot else None
    return render(
        request,
        "analytics/dashboard.html",
        {
            "snapshot": snapshot,
            "data": payload,
            "charts": _drawn(payload) if payload else None,
            "money_charts": money_charts.drawn(payload.get("money")) if payload else {},
            "run": run,
            "ecosystem": contact_queries.ecosystem_counts(),
        },
    )


@require_POST
@role_required("edit")
def dashboard_refresh(request: HttpRequest) -> HttpResponse:
    refresh.request_refresh()
    return redirect("home")


def dashboard_status(request: HttpRequest) -> JsonResponse:
    """The refresh's progress in the job kit's status shape, with the snapshot's time."""
    snapshot = queries.latest_snapshot()
    return status_response(
        refresh.latest_run(), snapshot=snapshot.computed_at.isoformat() if snapshot else None
    )


@reads_from_replica
def ecosystem(request: HttpRequest) -> HttpResponse:
    snapshot = queries.latest_snapshot()
    counts = contact_queries.ecosystem_counts()
    funnel = snapshot.payload.get("funnel") if snapshot else None
    stages = []
    order = [Stage.SUSPECT, Stage.PROSPECT, Stage.CLIENT, Stage.ADVOCATE]
    for i, stage in enumerate(order):
        stages.append(
            {
                "key": stage.value,
                "label": stage.label.lower() + ("s" if not stage.label.endswith("s") else ""),
                "count": counts[stage.value],
                "reached": funnel["reached"][i] if funnel else None,
                "conversion": funnel["conversion"][i] if funnel and i < 3 else None,
                "median_days": funnel["median_days"][i] if funnel else None,
                "next": order[i + 1].label.lower() if i < 3 else "",
            }
        )
    activity = contact_queries.role_activity()
    groups = [
        {
            "key": role.value,
            "label": label,
            "count": counts[role.value],
            "people": activity[role.value],
        }
        for role, label in (
            (RelationshipRole.ASSOCIATE, "associates"),
            (RelationshipRole.VENDOR, "vendors"),
            (RelationshipRole.PARTNER, "partners"),
            (RelationshipRole.REFERRAL_PARTNER, "referral partners"),
        )
    ]
    return render(
        request,
        "analytics/ecosystem.html",
        {
            "counts": counts,
            "funnel": funnel,
            "stages": stages,
            "groups": groups,
            "snapshot": snapshot,
            "clv_cac": queries.snapshot_figure("clv_cac"),
        },
    )
