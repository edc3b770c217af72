"""The engine's heartbeat: a background task that runs the engine and queues the next
run a few seconds later, so `thrive worker` does all the work without cron.

Only one tick is ever pending: queuing one first claims ``EngineCursor.tick_due_at``
with a conditional update. Ticking continues while any workflow is active, and starts
again when a workflow is switched on or someone is enrolled by hand. A pending tick that
never ran (e.g. its queue row was removed) is replaced once it is ``TICK_STALE`` late.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from .engine import CURSOR, run_engine
from .models import EngineCursor, Workflow, WorkflowStatus

TICK_EVERY = dt.timedelta(seconds=10)
TICK_STALE = dt.timedelta(minutes=10)


def schedule_tick(*, delay: dt.timedelta = TICK_EVERY) -> bool:
    """Queue the next tick unless one is pending; returns True if this call queued it."""
    now = timezone.now()
    EngineCursor.objects.get_or_create(name=CURSOR)
    due = now + delay
    claimed = (
        EngineCursor.objects.filter(name=CURSOR)
        .filter(Q(tick_due_at__isnull=True) | Q(tick_due_at__lt=now - TICK_STALE))
        .update(tick_due_at=due)
    )
    if claimed:
        transaction.on_commit(lambda: engine_tick.using(run_after=due).enqueue())
    return bool(claimed)


def reschedule_tick() -> int:
    """After a restore: the restored cursor may name a tick that was never queued here, so
    one is queued now, leaving the restored rows as they were. The tick clears the cursor
    and queues its successor; a second chain, if any, stops at its next tick."""
    transaction.on_commit(engine_tick.enqueue)
    return 1


@task()
def engine_tick() -> dict[str, Any]:
    """Run the engine once, then queue the next tick while there is anything to run."""
    EngineCursor.objects.filter(name=CURSOR).update(tick_due_at=None)
    try:
        return run_engine()
    finally:
        if Workflow.objects.filter(status=WorkflowStatus.ACTIVE).exists():
            schedule_tick()
