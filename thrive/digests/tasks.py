"""The digest's heartbeat: a background task that sends the digests whose local morning
hour has come, then queues the next run, so `thrive worker` does it with no cron.

Only one tick is ever pending: queuing one claims ``DigestCursor.tick_due_at`` with a
conditional update (as the webhook sender does). Two workers running the same tick at
once still send each digest once: see :mod:`thrive.digests.services`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from .models import DigestCursor
from .services import send_due_digests

TICK_EVERY = dt.timedelta(minutes=5)
TICK_STALE = dt.timedelta(minutes=30)


def schedule_tick(*, delay: dt.timedelta = TICK_EVERY) -> bool:
    """Queue the next digest tick unless one is pending; True if this call queued it."""
    now = timezone.now()
    DigestCursor.objects.get_or_create(pk=1)
    due = now + delay
    claimed = (
        DigestCursor.objects.filter(pk=1)
        .filter(Q(tick_due_at__isnull=True) | Q(tick_due_at__lt=now - TICK_STALE))
        .update(tick_due_at=due)
    )
    if claimed:
        transaction.on_commit(lambda: digest_tick.using(run_after=due).enqueue())
    return bool(claimed)


def reschedule_tick() -> int:
    """After a restore: queue a tick now; it queues its successor."""
    transaction.on_commit(digest_tick.enqueue)
    return 1


@task()
def digest_tick() -> dict[str, Any]:
    """Send what is due, then queue the next tick."""
    DigestCursor.objects.filter(pk=1).update(tick_due_at=None)
    try:
        return send_due_digests()
    finally:
        schedule_tick()
