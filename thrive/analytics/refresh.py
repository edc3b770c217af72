"""Requesting, running and reporting the analytics refresh (scores + dashboard)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from thrive.core.jobs import Lease, LeaseLost, claim

from .models import AnalyticsRefresh, DashboardSnapshot, RefreshStatus
from .queries import latest_snapshot

log = logging.getLogger(__name__)

# A snapshot older than this is refreshed in the background when someone looks.
STALE_AFTER = dt.timedelta(hours=6)


def latest_run() -> AnalyticsRefresh | None:
    return AnalyticsRefresh.objects.order_by("-requested_at").first()


def _in_flight() -> AnalyticsRefresh | None:
    """The refresh queued or running (one whose worker died is started again or failed by
    the workers' sweep, so no age limit is needed here)."""
    return (
        AnalyticsRefresh.objects.filter(state__in=[RefreshStatus.QUEUED, RefreshStatus.RUNNING])
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

    Claims the run through the job kit so two workers never run the same one.
    """
    if run_id is None:
        run_id = AnalyticsRefresh.objects.create().pk
    lease: Lease | None = claim(AnalyticsRefresh, run_id, step="Starting", done=1, total=100)
    if lease is None:
        latest = latest_snapshot()
        if latest is not None:
            return latest

    def progress(step: str, percent: int) -> None:
        if lease is not None:
            lease.beat(step=step, done=percent)

    started = time.perf_counter()
    try:
        with lease.kept_alive() if lease is not None else nullcontext():
            snapshot = _compute(as_of, progress, started)
    except LeaseLost:
        log.warning("Analytics refresh %s: another worker took it over; this one stops", run_id)
        raise
    except Exception as exc:
        log.exception("Analytics refresh %s failed", run_id)
        if lease is not None:
            try:
                lease.fail(str(exc))
            except LeaseLost:
                pass
        raise
    if lease is not None:
        lease.finish(step="Done", done=100)
    return snapshot


def _money(as_of: dt.date) -> dict[str, Any]:
    """The forecast, subscription and model-check cards; a failed fit leaves the rest of
    the dashboard standing and says so on the cards."""
    from .money_dashboard import compute_money

    try:
        return compute_money(as_of=as_of)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
        log.exception("The forecast cards could not be computed")
        return {"error": f"The forecast could not be computed this time: {exc}"}


def _compute(
    as_of: dt.date | None, progress: Callable[[str, int], None], started: float
) -> DashboardSnapshot:
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
    progress("Forecasting revenue and subscriptions", 85)
    payload["money"] = _money(as_of)
    snapshot = DashboardSnapshot.objects.create(
        computed_at=timezone.now(),
        as_of=as_of,
        payload=payload,
        duration_seconds=time.perf_counter() - started,
    )
    # Keep a short history for comparisons; older snapshots go.
    stale = DashboardSnapshot.objects.order_by("-computed_at").values_list("pk", flat=True)[30:]
    DashboardSnapshot.objects.filter(pk__in=list(stale)).delete()
    return snapshot
