"""The shared inbox's background work: the automatic first answer to a new conversation,
and the heartbeat: every minute the worker checks SLA deadlines and polls the IMAP
mailboxes, then queues the next run.

Only one tick is ever pending: queuing one claims ``ServiceCursor.tick_due_at`` with a
conditional update (the webhook sender's pattern).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from . import auto_answer, imap, services
from .models import Message, ServiceCursor

CURSOR = "service"
TICK_EVERY = dt.timedelta(seconds=60)
TICK_STALE = dt.timedelta(minutes=10)


def schedule_tick(*, delay: dt.timedelta = TICK_EVERY) -> bool:
    """Queue the next tick unless one is pending; True if this call queued it."""
    now = timezone.now()
    ServiceCursor.objects.get_or_create(name=CURSOR)
    due = now + delay
    claimed = (
        ServiceCursor.objects.filter(name=CURSOR)
        .filter(Q(tick_due_at__isnull=True) | Q(tick_due_at__lt=now - TICK_STALE))
        .update(tick_due_at=due)
    )
    if claimed:
        transaction.on_commit(lambda: service_tick.using(run_after=due).enqueue())
    return bool(claimed)


@task()
def service_tick() -> dict[str, Any]:
    """Poll mailboxes, make SLA tasks, queue the next tick."""
    ServiceCursor.objects.filter(name=CURSOR).update(tick_due_at=None)
    try:
        polled = imap.poll_all()
        return {"polled": polled, "sla_tasks": services.check_sla()}
    finally:
        schedule_tick()


@task()
def answer_first_message(message_id: int) -> bool:
    """Send the automatic first answer to a new conversation's first message; True if
    sent. Claimed on the conversation row, so a retried job never sends it twice."""
    message = Message.objects.select_related("conversation__person").filter(pk=message_id).first()
    if message is None:  # erased since it arrived
        return False
    return auto_answer.answer_new_conversation(message) is not None
