"""The webhook sender's heartbeat: a background task that reads the activity log into
deliveries, sends what is due, and queues the next run, so `thrive worker` does it all.

Only one tick is ever pending: queuing one claims ``WebhookCursor.tick_due_at`` with a
conditional update. Ticking continues while a subscription is active or a delivery is
waiting; creating a subscription or replaying a delivery starts it again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from .models import DUE_STATUSES, WebhookCursor, WebhookDelivery, WebhookSubscription
from .services import CURSOR, run_webhooks

TICK_EVERY = dt.timedelta(seconds=5)
TICK_STALE = dt.timedelta(minutes=10)


def schedule_tick(*, delay: dt.timedelta = TICK_EVERY) -> bool:
    """Queue the next delivery tick unless one is pending; True if this call queued it."""
    now = timezone.now()
    WebhookCursor.objects.get_or_create(name=CURSOR)
    due = now + delay
    claimed = (
        WebhookCursor.objects.filter(name=CURSOR)
        .filter(Q(tick_due_at__isnull=True) | Q(tick_due_at__lt=now - TICK_STALE))
        .update(tick_due_at=due)
    )
    if claimed:
        transaction.on_commit(lambda: webhook_tick.using(run_after=due).enqueue())
    return bool(claimed)


def reschedule_tick() -> int:
    """After a restore: the restored cursor may name a tick that was never queued here, so
    one is queued now, leaving the restored rows as they were. The tick clears the cursor
    and queues its successor; a second chain, if any, stops at its next tick."""
    transaction.on_commit(webhook_tick.enqueue)
    return 1


def _busy() -> bool:
    return (
        WebhookSubscription.objects.filter(active=True).exists()
        or WebhookDelivery.objects.filter(status__in=DUE_STATUSES).exists()
    )


@task()
def webhook_tick() -> dict[str, Any]:
    """Run one round, then queue the next while there is anything to do."""
    WebhookCursor.objects.filter(name=CURSOR).update(tick_due_at=None)
    try:
        return run_webhooks()
    finally:
        if _busy():
            schedule_tick()
