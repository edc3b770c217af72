"""Waking the outreach pump: one background job that starts campaigns, advances
sequences and sends due mail, queued through Django's tasks framework.

A job is queued only when it would run earlier than the earliest one already known
(:class:`PumpSchedule`), so a campaign of ten thousand messages queues one job, not ten
thousand. A job that dies (SIGKILL) leaves a successor queued for when its leases expire
(see :func:`thrive.outreach.sending.sender.run_pump`), so nothing waits for a person to notice.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import PumpSchedule


def request_pump(at: dt.datetime | None = None) -> bool:
    """Make sure a pump job runs no later than ``at`` (now when None), after commit.

    Returns True when a new job was queued.
    """
    now = timezone.now()
    at = at or now
    with transaction.atomic():
        PumpSchedule.objects.get_or_create(pk=1)
        queued = (
            PumpSchedule.objects.filter(pk=1)
            .filter(Q(next_run_at__isnull=True) | Q(next_run_at__gt=at))
            .update(next_run_at=at)
        )
        if queued:
            transaction.on_commit(lambda: _enqueue(at))
    return bool(queued)


def reschedule_pump() -> int:
    """After a restore: the restored schedule names a run that was never queued here, so
    one is queued for that time (or now), leaving the restored row as it was. The pump
    queues its own next run for the next scheduled send."""
    now = timezone.now()
    planned = PumpSchedule.objects.filter(pk=1).values_list("next_run_at", flat=True).first()
    at = max(planned or now, now)
    transaction.on_commit(lambda: _enqueue(at))
    return 1


def forget_due_runs(now: dt.datetime) -> None:
    """Called by a starting job: runs due by now are this one, so the next request for a
    later time must queue its own job."""
    PumpSchedule.objects.filter(pk=1, next_run_at__lte=now).update(next_run_at=None)


def _enqueue(at: dt.datetime) -> None:
    from ..tasks import run_outreach

    if at > timezone.now():
        run_outreach.using(run_after=at).enqueue()
    else:
        run_outreach.enqueue()
