"""Sequences: enrolling people and sending each step when its delay has passed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from thrive.contacts.models import Person
from thrive.core.roles import check_actor

from .. import conf
from ..models import (
    EmailTemplate,
    EnrollmentStatus,
    Sequence,
    SequenceEnrollment,
    SequenceStep,
)
from .scheduling import request_pump

SEQUENCE_EXPIRY = dt.timedelta(days=14)


def create_sequence(
    *, actor: Any, name: str, purpose: str, on_cap: str, description: str = ""
) -> Sequence:
    check_actor(actor)
    sequence = Sequence(
        name=name.strip(),
        purpose=purpose,
        on_cap=on_cap,
        description=description,
        created_by=actor,
    )
    sequence.full_clean()
    sequence.save()
    return sequence


def add_step(
    sequence: Sequence, *, actor: Any, template: EmailTemplate, delay_hours: int
) -> SequenceStep:
    """Append a step ``delay_hours`` after the previous one (after enrolment if first)."""
    check_actor(actor)
    if delay_hours < 0:
        raise ValidationError({"delay_hours": "A delay cannot be negative."})
    with transaction.atomic():
        last = sequence.steps.order_by("-position").values_list("position", flat=True).first()
        return SequenceStep.objects.create(
            sequence=sequence, position=(last or 0) + 1, delay_hours=delay_hours, template=template
        )


def enroll(
    person: Person,
    sequence: Sequence,
    *,
    actor: Any = None,
    reason: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> SequenceEnrollment:
    """Start ``person`` on ``sequence`` (a welcome series, education on request…).

    Someone already going through it keeps their place: the active enrolment is returned.
    """
    if actor is not None:
        check_actor(actor)
    if not sequence.is_active:
        raise ValidationError("This sequence is paused.")
    first = sequence.steps.order_by("position").first()
    if first is None:
        raise ValidationError("This sequence has no steps yet.")
    start = at or timezone.now()
    why = dict(reason or {})
    why.setdefault("why", f"Enrolled in the sequence “{sequence.name}”.")
    if actor is not None:
        why.setdefault("enrolled_by", str(actor))
    try:
        with transaction.atomic():
            enrollment = SequenceEnrollment.objects.create(
                sequence=sequence,
                person=person,
                enrolled_at=start,
                next_position=first.position,
                next_run_at=start + dt.timedelta(hours=first.delay_hours),
                reason=why,
            )
            request_pump(enrollment.next_run_at)
    except IntegrityError:
        return SequenceEnrollment.objects.get(
            sequence=sequence, person=person, status=EnrollmentStatus.ACTIVE
        )
    return enrollment


def stop_enrollment(enrollment: SequenceEnrollment, *, actor: Any = None) -> bool:
    if actor is not None:
        check_actor(actor)
    return bool(
        SequenceEnrollment.objects.filter(pk=enrollment.pk, status=EnrollmentStatus.ACTIVE).update(
            status=EnrollmentStatus.STOPPED, finished_at=timezone.now()
        )
    )


def _due(now: dt.datetime) -> Q:
    return Q(status=EnrollmentStatus.ACTIVE, next_run_at__lte=now, sequence__is_active=True) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def advance_due_enrollments(*, now: dt.datetime, limit: int = 500) -> int:
    """Queue the due step of each due enrolment; returns how many steps were queued.

    A step is queued with the key ``sequence:<id>:step:<n>:person:<id>``, so running this
    twice (two workers, or a crash between queueing and moving on) never sends twice.
    """
    lease = dt.timedelta(seconds=conf.lease_seconds())
    with transaction.atomic():
        candidates = SequenceEnrollment.objects.filter(_due(now)).order_by("next_run_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        claimed_until = now + lease
        SequenceEnrollment.objects.filter(pk__in=ids).filter(_due(now)).update(
            claimed_until=claimed_until
        )
    queued = 0
    for enrollment in SequenceEnrollment.objects.filter(
        pk__in=ids, claimed_until=claimed_until
    ).select_related("sequence", "person"):
        queued += _queue_step(enrollment, now=now)
    return queued


def _queue_step(enrollment: SequenceEnrollment, *, now: dt.datetime) -> int:
    from ..services import queue_delivery

    sequence = enrollment.sequence
    steps = list(sequence.steps.filter(position__gte=enrollment.next_position).order_by("position"))
    with transaction.atomic():
        if not steps:
            SequenceEnrollment.objects.filter(pk=enrollment.pk).update(
                status=EnrollmentStatus.COMPLETED, finished_at=now, claimed_until=None
            )
            return 0
        step = steps[0]
        total = sequence.steps.count()
        queue_delivery(
            enrollment.person,
            template=step.template,
            idempotency_key=(
                f"sequence:{sequence.pk}:step:{step.position}:person:{enrollment.person_id}"
            ),
            reason={
                **enrollment.reason,
                "source": "sequence",
                "sequence": sequence.pk,
                "sequence_name": sequence.name,
                "step": step.position,
                "steps": total,
            },
            automated=True,
            purpose=sequence.purpose,
            on_cap=sequence.on_cap,
            sequence_step=step,
            expires_in=SEQUENCE_EXPIRY,
        )
        following = steps[1] if len(steps) > 1 else None
        if following is None:
            SequenceEnrollment.objects.filter(pk=enrollment.pk).update(
                status=EnrollmentStatus.COMPLETED,
                finished_at=now,
                claimed_until=None,
                next_position=step.position + 1,
                next_run_at=None,
            )
        else:
            # Delays run from when the step was due, so a late worker does not stretch them.
            base = enrollment.next_run_at or now
            SequenceEnrollment.objects.filter(pk=enrollment.pk).update(
                next_position=following.position,
                claimed_until=None,
                next_run_at=base + dt.timedelta(hours=following.delay_hours),
            )
    return 1
