"""Finding jobs whose worker died (lease expired) and resuming or failing them.

Every ``thrive worker`` runs ``sweep()`` every few seconds; several at once are safe: each
job is taken with a conditional UPDATE on its state and old lease owner (and, on
PostgreSQL, rows another sweeper has locked are skipped), so exactly one sweeper acts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.apps import apps
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from .models import BackgroundJob, JobState

log = logging.getLogger("thrive.jobs")

# Jobs looked at per model and sweep: the rest wait for the next sweep.
SWEEP_LIMIT = 50


@dataclass(frozen=True)
class Swept:
    job: BackgroundJob
    resumed: bool

    def __str__(self) -> str:
        verb = self.job.resume_words if self.resumed else "failed"
        return f"{self.job.summary_lost()} — worker stopped; {verb}"


def job_models() -> list[type[BackgroundJob]]:
    """Every installed concrete model built on the kit (no registration needed)."""
    return [
        m
        for m in apps.get_models()
        if issubclass(m, BackgroundJob) and not m._meta.abstract and not m._meta.proxy
    ]


def sweep(models: list[type[BackgroundJob]] | None = None) -> list[Swept]:
    """Resume or fail every running job (of ``models``, default: every job model) whose
    lease has expired; returns what was done."""
    swept: list[Swept] = []
    now = timezone.now()
    for model in job_models() if models is None else models:
        expired = model._default_manager.filter(state=JobState.RUNNING, lease_expires_at__lt=now)
        try:
            pks = list(expired.order_by("pk").values_list("pk", flat=True)[:SWEEP_LIMIT])
        except OperationalError as exc:  # a busy SQLite: the next sweep looks again
            log.debug("sweep of %s skipped: %s", model.__name__, exc)
            continue
        for pk in pks:
            try:
                outcome = _take_over(model, pk, now)
            except OperationalError as exc:
                log.debug("sweep of %s %s skipped: %s", model.__name__, pk, exc)
                continue
            if outcome is not None:
                swept.append(outcome)
                log.warning("%s", outcome)
    return swept


def _take_over(model: type[BackgroundJob], pk: int, now: object) -> Swept | None:
    with transaction.atomic():
        rows = model._default_manager.filter(
            pk=pk, state=JobState.RUNNING, lease_expires_at__lt=now
        )
        if connection.vendor == "postgresql":
            rows = rows.select_for_update(skip_locked=True)
        job = rows.first()
        if job is None:
            return None
        same = model._default_manager.filter(
            pk=pk, state=JobState.RUNNING, lease_owner=job.lease_owner
        )
        if job.can_resume():
            if not same.update(state=JobState.QUEUED, lease_owner="", lease_expires_at=None):
                return None
            job.refresh_from_db()
            transaction.on_commit(job.enqueue)
            return Swept(job, resumed=True)
        words = job.lost_error()
        if not same.update(
            state=JobState.FAILED,
            lease_owner="",
            lease_expires_at=None,
            finished_at=now,
            error=words,
        ):
            return None
        job.refresh_from_db()
        job.on_given_up(now)
        return Swept(job, resumed=False)
