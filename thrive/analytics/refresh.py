"""Requesting, running and reporting the analytics refresh (scores + dashboard)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import AnalyticsRefresh, DashboardSnapshot, RefreshStatus

log = logging.getLogger(__name__)

# A snapshot older than this is refreshed in the background when someone looks.
STALE_AFTER = dt.timedelta(hours=6)
# A run that claims to be running for longer than this is assumed dead (worker killed).
RUN_TIMEOUT = dt.timedelta(minutes=30)


def latest_run() -> AnalyticsRefresh | None:
    return AnalyticsRefresh.objects.order_by("-requested_at").first()


def _in_flight() -> AnalyticsRefresh | None:
    cutoff = timezone.now() - RUN_TIMEOUT
    return (
        AnalyticsRefresh.objects.filter(
            status__in=[RefreshStatus.QUEUED, RefreshStatus.RUNNING], requested_at__gte=cutoff
        )
        .order_by("-requested_at")
        .first()
    )


def request_refresh() -> AnalyticsRefresh:
    """Queue a refresh unless one is already queued or running; return that run."""
    from .tasks import refresh_analytics

    with transaction.atomic():
        current = _in_flight()
        if current is not None:
            return current
        run = AnalyticsRefresh.objects.create()
        transaction.on_commit(lambda: refresh_analytics.enqueue(run.pk))
        return run


def ensure_fresh(snapshot: DashboardSnapshot | None) -> AnalyticsRefresh | None:
    """Queue a refresh when there is no snapshot or it is stale; return the run in flight."""
    if snapshot is None or timezone.now() - snapshot.computed_at > STALE_AFTER:
        return request_refresh()
    return _in_flight()


def run_refresh(run_id: int | None = None, *, as_of: dt.date | None = None) -> DashboardSnapshot:
    """Recompute customer scores and the dashboard snapshot, reporting progress on the run.

    Claims a queued run with a conditional update so two workers never run the same one.
    """
    if run_id is None:
        run = AnalyticsRefresh.objects.create()
        run_id = run.pk
    claimed = AnalyticsRefresh.objects.filter(pk=run_id, status=RefreshStatus.QUEUED).update(
        status=RefreshStatus.RUNNING, started_at=timezone.now(), step="Starting", progress=1
    )
    if not claimed:
        latest = DashboardSnapshot.objects.order_by("-computed_at").first()
        if latest is not None:
            return latest

    def progress(step: str, percent: int) -> None:
        AnalyticsRefresh.objects.filter(pk=run_id).update(step=step, progress=percent)

    started = time.perf_counter()
    try:
        from .aggregates import business_zone
        from .dashboard import compute_dashboard
        from .scoring import refresh_scores

        # Figures cover everything before ``as_of``: tomorrow, so today counts too.
        as_of = as_of or timezone.localdate(timezone=business_zone()) + dt.timedelta(days=1)
        progress("Predicting customer value", 5)
        scoring = refresh_scores(
            as_of=as_of, progress=lambda p: progress("Scoring customers", 5 + p * 60 // 100)
        )
        progress("Computing the dashboard", 70)
        payload: dict[str, Any] = compute_dashboard(as_of=as_of, scoring=scoring)
        snapshot = DashboardSnapshot.objects.create(
            computed_at=timezone.now(),
            as_of=as_of,
            payload=payload,
            duration_seconds=time.perf_counter() - started,
        )
        # Keep a short history for comparisons; older snapshots go.
        stale = DashboardSnapshot.objects.order_by("-computed_at").values_list("pk", flat=True)[30:]
        DashboardSnapshot.objects.filter(pk__in=list(stale)).delete()
    except Exception as exc:
        log.exception("Analytics refresh %s failed", run_id)
        AnalyticsRefresh.objects.filter(pk=run_id).update(
            status=RefreshStatus.FAILED, finished_at=timezone.now(), error=str(exc)[:2000]
        )
        raise
    AnalyticsRefresh.objects.filter(pk=run_id).update(
        status=RefreshStatus.DONE, finished_at=timezone.now(), step="Done", progress=100
    )
    return snapshot
