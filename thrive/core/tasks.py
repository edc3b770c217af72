"""The job sweep as a background task that queues its own next run.

Each ``thrive worker`` sweeps once when it starts and makes sure a sweep is queued; the
sweep then re-queues itself every ``THRIVE_JOB_SWEEP_SECONDS``, so whichever worker is free
runs it. It runs in the worker's main thread: an import forks a reading process, and a
process should be single-threaded when it forks.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from .jobs import sweep

TASK_PATH = "thrive.core.tasks.sweep_jobs"


def sweep_interval() -> dt.timedelta:
    return dt.timedelta(seconds=float(getattr(settings, "THRIVE_JOB_SWEEP_SECONDS", 15)))


def schedule_sweep() -> bool:
    """Queue the next sweep unless one is waiting; True if this call queued it.

    Two workers checking at the same instant may both queue one; the next run of either
    sees the other waiting and stops, so the chains merge back into one.
    """
    if DBTaskResult.objects.ready().filter(task_path=TASK_PATH).exists():
        return False
    due = timezone.now() + sweep_interval()
    transaction.on_commit(lambda: sweep_jobs.using(run_after=due).enqueue())
    return True


@task()
def sweep_jobs() -> int:
    """Resume or fail jobs whose worker died; returns how many. Queues the next sweep."""
    try:
        return len(sweep())
    finally:
        schedule_sweep()
