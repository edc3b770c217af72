"""What a deal's move along the pipeline writes besides the deal: its stage history, an
entry on its person's timeline (the deal workflow triggers listen to it), and the task
that carries its next step.

A deal with only an organization writes its moves to the organization's primary contact
(the first person recorded at it): workflows enrol people and a timeline is a person's,
so an entry there is what lets "deal won" or "deal stage changed" fire for a company's
deal; an organization has no timeline of its own to write to.

Called by :func:`thrive.commerce.services.save_deal` inside its transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from thrive.contacts import services as contact_services
from thrive.contacts.models import ActivityChannel, ActivityKind, Direction, Person
from thrive.core import business
from thrive.tasks import services as task_services
from thrive.tasks.models import Task, TaskKind, TaskStatus

from .models import Deal, DealStage, DealStageChange

# A next step's task falls due at this local time on its day.
NEXT_STEP_HOUR = dt.time(9, 0)
LOST_REASON_NEEDED = "Say why the deal was lost: choose a reason or write one."


def check_move(deal: Deal, *, moved: bool) -> None:
    """Refuse what a move may not leave behind: a lost deal without its reason, a next
    step without a due date (or a date without a step)."""
    errors: dict[str, str] = {}
    if moved and deal.stage.is_lost and not deal.lost_reason:
        errors["lost_reason"] = LOST_REASON_NEEDED
    if deal.next_step and deal.next_step_due is None:
        errors["next_step_due"] = "Give the next step a due date."
    if deal.next_step_due is not None and not deal.next_step:
        errors["next_step"] = "Say what the next step is, or clear its date."
    if errors:
        raise ValidationError(errors)


def _move_words(deal: Deal, before: DealStage | None) -> str:
    stage = deal.stage
    if stage.is_won:
        return f"Deal “{deal.title}” won: {deal.value} {deal.currency}"
    if stage.is_lost:
        return f"Deal “{deal.title}” lost ({deal.lost_reason})"
    if before is None:
        return f"Deal “{deal.title}” opened at {stage.name}"
    return f"Deal “{deal.title}” moved from {before.name} to {stage.name}"


def primary_contact(organization_id: int | None) -> Person | None:
    """The person a company's deal is written to: the first one recorded at it."""
    if organization_id is None:
        return None
    return (
        Person.objects.filter(organization_id=organization_id).order_by("created_at", "pk").first()
    )


def record_move(
    deal: Deal, *, from_stage_id: int | None, actor: Any, at: dt.datetime | None = None
) -> DealStageChange:
    """The stage history row, and the timeline entry on the deal's person, or for a deal
    with only an organization on its primary contact (none when it has no people yet)."""
    at = at or timezone.now()
    change = DealStageChange.objects.create(
        deal=deal, from_stage_id=from_stage_id, to_stage=deal.stage, actor=actor, changed_at=at
    )
    person = deal.person if deal.person_id is not None else primary_contact(deal.organization_id)
    if person is not None:
        before = DealStage.objects.filter(pk=from_stage_id).first() if from_stage_id else None
        subject = _move_words(deal, before)
        if deal.person_id is None and deal.organization is not None:
            subject += f" (with {deal.organization.name})"
        contact_services.record_activity(
            person,
            ActivityKind.DEAL,
            occurred_at=at,
            channel=ActivityChannel.SYSTEM,
            direction=Direction.INTERNAL,
            associate=actor,
            subject=subject[:255],
            data={
                "deal": deal.pk, "organization": deal.organization_id,
                "from": from_stage_id, "to": deal.stage_id,
                "stage": deal.stage.name, "won": deal.stage.is_won, "lost": deal.stage.is_lost,
                "value": str(deal.value), "currency": deal.currency,
                "reason": deal.lost_reason,
            },
            ref=f"deal:{deal.pk}",
        )  # fmt: skip
    return change


def replace_next_step_task(deal: Deal, *, actor: Any) -> Task | None:
    """Dismiss the task of the previous next step if still open, and give the deal's owner
    (or whoever set it, when the deal has no owner) a task for the new one."""
    old = deal.next_step_task
    if old is not None and old.status == TaskStatus.OPEN:
        task_services.finish_task(old, actor=actor, status=TaskStatus.DISMISSED)
    task = None
    if deal.next_step and deal.next_step_due is not None:
        due = dt.datetime.combine(deal.next_step_due, NEXT_STEP_HOUR, tzinfo=business.zone())
        task = task_services.create_task(
            actor=actor, title=deal.next_step, person=deal.person,
            assignee=deal.owner or actor, due_at=due, kind=TaskKind.FOLLOW_UP,
            reason=f"Next step of the deal “{deal.title}”.",
        )  # fmt: skip
    deal.next_step_task = task
    deal.save(update_fields=["next_step_task", "updated_at"])
    return task
