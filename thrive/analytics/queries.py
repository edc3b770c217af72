"""Reads of the dashboard's snapshots, for the pages here and the apps above."""

from __future__ import annotations

from .models import DashboardSnapshot


def latest_snapshot() -> DashboardSnapshot | None:
    """The most recently computed dashboard snapshot, or None before the first refresh."""
    return DashboardSnapshot.objects.order_by("-computed_at").first()
