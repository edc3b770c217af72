"""Reads of the dashboard's snapshots and of figures shared with the apps above."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q

from thrive.contacts.models import Activity, Direction

from .models import DashboardSnapshot


def latest_snapshot() -> DashboardSnapshot | None:
    """The most recently computed dashboard snapshot, or None before the first refresh."""
    return DashboardSnapshot.objects.order_by("-computed_at").first()


AUTOMATION_FORMULA = (
    "Customer touches done by automation ÷ all customer touches in the window. A touch is "
    "anything the business sent or did towards a person (an outbound entry on their "
    "timeline: emails, calls, meetings, messages); it is automated when a campaign, "
    "sequence or workflow did it rather than an associate."
)


def touch_automation(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """The process automation rate: the one definition the dashboard, the automations page
    and the health check share. Outbound timeline entries in [start, end); automated ones
    over all of them (rate None when there were none)."""
    counts = Activity.objects.filter(
        occurred_at__gte=start, occurred_at__lt=end, direction=Direction.OUTBOUND,
        person__isnull=False,
    ).aggregate(total=Count("id"), automated=Count("id", filter=Q(automated=True)))  # fmt: skip
    total, automated = counts["total"], counts["automated"]
    return {
        "automated": automated,
        "manual": total - automated,
        "total": total,
        "rate": automated / total if total else None,
    }


def snapshot_figure(key: str) -> dict[str, Any] | None:
    """One dashboard card from the latest snapshot, so another page showing the same
    figure (CLV:CAC on Reach, the ecosystem, a health check) shows the same number."""
    snapshot = latest_snapshot()
    if snapshot is None:
        return None
    for card in snapshot.payload.get("kpis", []):
        if card.get("key") == key:
            return {**card, "as_of": snapshot.as_of.isoformat()}
    return None
