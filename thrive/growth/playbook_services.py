"""Writes of playbooks: scaling a winning experiment makes its playbook; steps with owners;
associates assigned and ticking steps; standard procedures linked to their workflows."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from thrive.core.roles import can_edit, check_actor
from thrive.outreach.models import EmailTemplate

from .models import (
    Experiment,
    Playbook,
    PlaybookAssignment,
    PlaybookKind,
    PlaybookStep,
    StepTick,
)


def _text(value: str, *, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: "Write something first."})
    if len(value) > limit:
        raise ValidationError({field: f"At most {limit} characters (this has {len(value)})."})
    return value


@transaction.atomic
def playbook_from_experiment(experiment: Experiment, *, actor: Any) -> Playbook:
    """The scaled experiment's playbook: its campaign's segment and templates (or the
    segment its reach came from), ready for its manual steps. One per experiment."""
    check_actor(actor)
    existing = Playbook.objects.filter(experiment=experiment).first()
    if existing is not None:
        return existing
    campaign = experiment.campaign
    playbook = Playbook.objects.create(
        title=experiment.title,
        kind=PlaybookKind.PLAYBOOK,
        summary=(
            f"What worked: {experiment.hypothesis}"
            + (f"\n\nDecision: {experiment.decision_note}" if experiment.decision_note else "")
        ),
        experiment=experiment,
        segment=campaign.segment if campaign else experiment.reach_segment,
    )
    if campaign is not None:
        playbook.templates.set(
            EmailTemplate.objects.filter(pk__in=campaign.variants.values("template_id"))
        )
    return playbook


def create_procedure(
    *, actor: Any, title: str, summary: str = "", workflow: Any = None
) -> Playbook:
    check_actor(actor)
    return Playbook.objects.create(
        title=_text(title, field="title", limit=200),
        kind=PlaybookKind.PROCEDURE,
        summary=(summary or "").strip(),
        workflow=workflow,
    )


def link_automation(
    playbook: Playbook, *, actor: Any, workflow: Any = None, segment: Any = None,
    templates: list[Any] | None = None,
) -> Playbook:  # fmt: skip
    check_actor(actor)
    playbook.workflow, playbook.segment = workflow, segment
    playbook.save(update_fields=["workflow", "segment", "updated_at"])
    if templates is not None:
        playbook.templates.set(templates)
    return playbook


def add_step(playbook: Playbook, *, actor: Any, text: str, owner: Any = None) -> PlaybookStep:
    check_actor(actor)
    last = playbook.steps.order_by("-position").values_list("position", flat=True).first()
    return PlaybookStep.objects.create(
        playbook=playbook,
        text=_text(text, field="text", limit=300),
        owner=owner,
        position=(last or 0) + 1,
    )


def assign(playbook: Playbook, *, actor: Any, associate: Any) -> PlaybookAssignment:
    check_actor(actor)
    if (
        associate is None
        or not get_user_model().objects.filter(pk=associate.pk, is_active=True).exists()
    ):
        raise ValidationError({"associate": "Choose an active colleague."})
    row, _ = PlaybookAssignment.objects.get_or_create(
        playbook=playbook, associate=associate, defaults={"assigned_by": actor}
    )
    return row


@transaction.atomic
def tick(assignment: PlaybookAssignment, step: PlaybookStep, *, actor: Any, done: bool) -> None:
    """The assigned associate ticks (or unticks) a step; an editor may tick for them."""
    if actor is not None and actor.pk != assignment.associate_id and not can_edit(actor):
        raise PermissionDenied("Only the colleague assigned (or an editor) ticks steps.")
    if step.playbook_id != assignment.playbook_id:
        raise ValidationError({"step": "That step belongs to another playbook."})
    if done:
        StepTick.objects.get_or_create(assignment=assignment, step=step)
    else:
        StepTick.objects.filter(assignment=assignment, step=step).delete()
