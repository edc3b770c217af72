"""Start computing the dashboard when the site starts serving."""

from __future__ import annotations

from .models import DashboardSnapshot
from .refresh import ensure_fresh


def warm_dashboard() -> None:
    ensure_fresh(DashboardSnapshot.objects.order_by("-computed_at").first())
