"""Long sends as background jobs: a survey to a segment, an idea's news to its voters.

The page starts a job (:func:`start_survey_send`, or :func:`change_idea_status` for an
idea) and shows its progress; ``thrive worker`` runs it (:func:`run_send_job`).

Nothing is sent twice when a job is retried: the job is claimed through the job kit
(``thrive.core.jobs``: a conditional update and a lease, so two workers never run it at
once; the sweep queues it again when its worker dies), it goes through people in id order
keeping a checkpoint every ``CHECKPOINT_EVERY`` people (each one a heartbeat that stops a
worker whose lease was taken over), and every message carries an idempotency key naming
the job (or status change) and the person, so redoing the people after the last
checkpoint returns the messages already queued instead of queueing new ones.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from thrive.contacts.models import Activity, ActivityChannel, ActivityKind, Direction, Person
from thrive.contacts.services import record_activity
from thrive.core.jobs import Lease, LeaseLost, claim
from thrive.core.roles import check_actor
from thrive.outreach.models import TRANSACTIONAL
from thrive.outreach.services import queue_delivery

from ..models import (
    IdeaStatus,
    IdeaStatusChange,
    InviteStatus,
    JobKind,
    JobStatus,
    SendJob,
    Survey,
    Vote,
)

log = logging.getLogger(__name__)

# People between checkpoints (tests that kill a worker mid-send make it small).
CHECKPOINT_EVERY = int(os.environ.get("THRIVE_SEND_CHECKPOINT_EVERY", "50"))


def _enqueue(job: SendJob) -> None:
    from ..tasks import run_send_job_task

    transaction.on_commit(lambda: run_send_job_task.enqueue(job.pk))


def survey_audience(survey: Survey) -> QuerySet[Person]:
    """Everyone in the survey's segment with an email address."""
    if survey.segment is None:
        return Person.objects.none()
    return survey.segment.people().filter(email__isnull=False).exclude(email="")


def start_survey_send(survey: Survey, *, actor: Any) -> SendJob:
    """Queue sending ``survey`` to its segment; the job already under way if there is
    one (a double click starts one job)."""
    check_actor(actor)
    if survey.segment is None:
        raise ValidationError({"segment": "Choose a segment to send this survey to."})
    with transaction.atomic():
        Survey.objects.select_for_update().get(pk=survey.pk)
        current = survey.jobs.filter(state__in=[JobStatus.QUEUED, JobStatus.RUNNING]).first()
        if current is not None:
            return current
        job = SendJob.objects.create(
            kind=JobKind.SURVEY, survey=survey, total=survey_audience(survey).count(),
            created_by=actor,
        )  # fmt: skip
        _enqueue(job)
    return job


def idea_voters(change: IdeaStatusChange) -> QuerySet[Vote]:
    """The idea's voters when its status changed (a later vote hears the next change)."""
    return Vote.objects.filter(idea_id=change.idea_id, created_at__lte=change.changed_at)


def start_idea_status_job(change: IdeaStatusChange, *, actor: Any) -> SendJob:
    """Queue telling an idea's voters about ``change``; call inside its transaction."""
    job = SendJob.objects.create(
        kind=JobKind.IDEA_STATUS, status_change=change, total=idea_voters(change).count(),
        created_by=actor,
    )  # fmt: skip
    _enqueue(job)
    return job


# -- running ------------------------------------------------------------------------------


CHECKPOINT_FIELDS = ("last_person_id", "queued", "skipped", "cooling_down", "reasons")


def _checkpoint(lease: Lease) -> None:
    job = lease.job
    assert isinstance(job, SendJob)  # noqa: S101 - the lease is on a send job
    lease.beat(done=job.done, **{name: getattr(job, name) for name in CHECKPOINT_FIELDS})


def _in_id_order(people: QuerySet[Person], after: int, chunk: int = 200) -> Iterator[Person]:
    """People with an id above ``after``, read a chunk at a time (the query is re-run
    per chunk, so writes in between never disturb an open cursor)."""
    while True:
        batch = list(people.filter(pk__gt=after).order_by("pk")[:chunk])
        if not batch:
            return
        yield from batch
        after = batch[-1].pk


def _step(lease: Lease, person_id: int) -> None:
    job = lease.job
    assert isinstance(job, SendJob)  # noqa: S101 - the lease is on a send job
    job.done += 1
    job.last_person_id = person_id
    if job.done % CHECKPOINT_EVERY == 0:
        _checkpoint(lease)


def _run_survey(lease: Lease, job: SendJob) -> None:
    from .surveys import send_survey_to

    survey = job.survey
    if survey is None or survey.segment is None:
        raise ValidationError("The survey's segment was removed; choose one and send again.")
    why = f"Asked for feedback by the survey “{survey.name}” (sent to “{survey.segment}”)."
    for person in _in_id_order(survey_audience(survey), job.last_person_id):
        invite = send_survey_to(
            survey, person, reason={"why": why, "job": job.pk},
            idempotency_key=f"survey:{survey.pk}:job:{job.pk}:person:{person.pk}",
        )  # fmt: skip
        if invite is None:
            job.cooling_down += 1
        elif invite.status == InviteStatus.SKIPPED:
            job.skipped += 1
            reason = invite.delivery.skip_reason if invite.delivery else "unknown"
            job.reasons[reason] = job.reasons.get(reason, 0) + 1
        else:
            job.queued += 1
        _step(lease, person.pk)


def _run_idea_status(lease: Lease, job: SendJob) -> None:
    from .ideas import status_email

    change = job.status_change
    if change is None:
        raise ValidationError("The status change was removed.")
    idea = change.idea
    rendered = status_email(idea, change)
    label = IdeaStatus(change.to_status).label.lower()
    votes = {v.person_id: v for v in idea_voters(change).filter(person_id__gt=job.last_person_id)}
    people = Person.objects.filter(pk__in=list(votes))
    for person in _in_id_order(people, job.last_person_id):
        vote = votes[person.pk]
        recorded = Activity.objects.filter(
            person=person, kind=ActivityKind.IDEA_STATUS, ref=f"idea:{idea.pk}",
            data__change=change.pk,
        ).exists()  # fmt: skip
        if not recorded:  # redone after a stop: the timeline has it once
            record_activity(
                person, ActivityKind.IDEA_STATUS, channel=ActivityChannel.SYSTEM,
                direction=Direction.OUTBOUND, associate=change.actor,
                subject=f"“{idea.title}” is now {label}",
                data={"idea": idea.pk, "status": change.to_status, "from": change.from_status,
                      "change": change.pk},
                ref=f"idea:{idea.pk}",
            )  # fmt: skip
        if vote.notify and person.email:
            delivery = queue_delivery(
                person, template=None,
                idempotency_key=f"idea:{idea.pk}:status:{change.pk}:person:{person.pk}",
                reason={"why": "Voted for this idea and asked to hear back.",
                        "idea": idea.pk, "status": change.to_status},
                automated=True, purpose=TRANSACTIONAL, prerendered=rendered,
            )  # fmt: skip
            if delivery.status == "skipped":
                job.skipped += 1
                job.reasons[delivery.skip_reason] = job.reasons.get(delivery.skip_reason, 0) + 1
            else:
                job.queued += 1
        _step(lease, person.pk)
    IdeaStatusChange.objects.filter(pk=change.pk).update(voters_notified=job.queued)


def run_send_job(job_id: int) -> SendJob:
    """Run (or resume) one job; a job another worker is running is left alone."""
    lease = claim(SendJob, job_id)
    if lease is None:
        return SendJob.objects.get(pk=job_id)
    job = SendJob.objects.select_related("survey__segment", "status_change__idea").get(pk=job_id)
    lease.job = job
    try:
        with lease.kept_alive():
            if job.kind == JobKind.SURVEY:
                _run_survey(lease, job)
            else:
                _run_idea_status(lease, job)
            _checkpoint(lease)
    except LeaseLost:
        log.warning("Send job %s: another worker took it over; this one stops", job_id)
        return SendJob.objects.get(pk=job_id)
    except Exception as exc:
        log.exception("Send job %s failed", job_id)
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        try:
            _checkpoint(lease)
            lease.fail(message or exc.__class__.__name__)
        except LeaseLost:
            pass
        return SendJob.objects.get(pk=job_id)
    lease.finish(total=max(job.total, job.done))
    return SendJob.objects.get(pk=job_id)


def retry_job(job: SendJob, *, actor: Any) -> SendJob:
    """Queue a failed job again; it resumes after its last checkpoint."""
    check_actor(actor)
    if job.state != JobStatus.FAILED:
        return job
    with transaction.atomic():
        if SendJob.objects.filter(pk=job.pk, state=JobStatus.FAILED).update(
            state=JobStatus.QUEUED, error="", finished_at=None, attempts=0
        ):
            _enqueue(job)
    job.refresh_from_db()
    return job
