"""Creating, editing, switching on and off, and enrolling by hand."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from thrive.contacts.models import Activity, Person
from thrive.core.roles import check_actor
from thrive.segments.rules import validate_rules

from ..definition import validate_steps, validate_trigger
from ..models import (
    LIVE_STATUSES,
    Enrollment,
    EnrollmentStatus,
    Reentry,
    Step,
    Workflow,
    WorkflowStatus,
)


def _clean_goal(goal: Any) -> dict[str, Any]:
    if not goal or not (isinstance(goal, dict) and goal.get("rules")):
        return {}
    try:
        return validate_rules(goal, check_references=False)
    except ValidationError as exc:
        raise ValidationError({"goal": exc.messages}) from None


def save_workflow(
    *,
    actor: Any,
    workflow: Workflow | None = None,
    name: str,
    trigger: str,
    steps: Any,
    trigger_config: dict[str, Any] | None = None,
    description: str = "",
    reentry: str = Reentry.NEVER,
    reentry_days: int | None = None,
    goal: Any = None,
) -> Workflow:
    """Create a draft workflow, or edit one that is not running.

    Steps are kept by number, so people waiting at a step stay there; an edit that would
    remove a step someone is at is refused. Raises ValidationError with readable messages.
    """
    check_actor(actor)
    errors: dict[str, Any] = {}
    name = name.strip()
    if not name:
        errors["name"] = "A workflow needs a name."
    try:
        cleaned_trigger = validate_trigger(trigger, trigger_config or {})
    except ValidationError as exc:
        errors["trigger_config"] = exc.messages
    try:
        cleaned_steps = validate_steps(steps)
    except ValidationError as exc:
        errors["steps"] = exc.messages
    if reentry not in Reentry.values:
        errors["reentry"] = "Choose a re-entry rule."
    elif reentry == Reentry.AFTER_DAYS and not (reentry_days and reentry_days >= 1):
        errors["reentry_days"] = "Say after how many days someone may enter again."
    try:
        cleaned_goal = _clean_goal(goal)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if workflow is None:
            workflow = Workflow(created_by=actor if actor is not None else None)
        else:
            workflow = Workflow.objects.select_for_update().get(pk=workflow.pk)
            if workflow.status == WorkflowStatus.ACTIVE:
                raise ValidationError("Pause the workflow before editing it.")
            furthest = workflow.enrollments.filter(status__in=LIVE_STATUSES).aggregate(
                top=Max("position")
            )["top"]
            if furthest and furthest > len(cleaned_steps):
                raise ValidationError(
                    {"steps": f"People are at step {furthest}: keep at least {furthest} steps."}
                )
            if (trigger, cleaned_trigger) != (workflow.trigger, workflow.trigger_config):
                # A new trigger starts its scans afresh; the activation mark stays.
                keep = workflow.trigger_state.get("since_activity")
                workflow.trigger_state = {"since_activity": keep} if keep is not None else {}
                workflow.segment_members.all().delete()
            workflow.version += 1
        workflow.name, workflow.description = name, description.strip()
        workflow.trigger, workflow.trigger_config = trigger, cleaned_trigger
        workflow.reentry = reentry
        workflow.reentry_days = reentry_days if reentry == Reentry.AFTER_DAYS else None
        workflow.goal = cleaned_goal
        workflow.full_clean(exclude=["created_by"])
        workflow.save()
        _replace_steps(workflow, cleaned_steps)
    return workflow


def _replace_steps(workflow: Workflow, steps: list[dict[str, Any]]) -> None:
    existing = {s.position: s for s in workflow.steps.all()}
    for position, raw in enumerate(steps, start=1):
        config = {k: v for k, v in raw.items() if k != "kind"}
        step = existing.pop(position, None) or Step(workflow=workflow, position=position)
        step.kind, step.config = raw["kind"], config
        step.save()
    Step.objects.filter(pk__in=[s.pk for s in existing.values()]).delete()


def activate_workflow(workflow: Workflow, *, actor: Any) -> Workflow:
    """Switch on (or resume). Only activities recorded from now on fire the trigger."""
    check_actor(actor)
    with transaction.atomic():
        workflow = Workflow.objects.select_for_update().get(pk=workflow.pk)
        if not workflow.steps.exists():
            raise ValidationError("Add at least one step first.")
        if workflow.status != WorkflowStatus.ACTIVE:
            last = Activity.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            workflow.trigger_state = {**workflow.trigger_state, "since_activity": last}
            workflow.status = WorkflowStatus.ACTIVE
            workflow.save(update_fields=["status", "trigger_state", "updated_at"])
        from ..tasks import schedule_tick

        schedule_tick()
    return workflow


def pause_workflow(workflow: Workflow, *, actor: Any) -> Workflow:
    """Stop enrolling and moving people; everyone keeps their place until resumed."""
    check_actor(actor)
    updated = Workflow.objects.filter(pk=workflow.pk, status=WorkflowStatus.ACTIVE).update(
        status=WorkflowStatus.PAUSED, updated_at=timezone.now()
    )
    workflow.refresh_from_db()
    if not updated and workflow.status == WorkflowStatus.DRAFT:
        raise ValidationError("A draft is not running.")
    return workflow


def enroll_person(workflow: Workflow, person: Person, *, actor: Any) -> Enrollment:
    """Put one person at the start of a workflow by hand (re-entry rules are for
    triggers; an associate choosing someone is enough). Refused while they are in it."""
    check_actor(actor)
    if workflow.status == WorkflowStatus.DRAFT:
        raise ValidationError("Switch the workflow on before enrolling people.")
    if person.automation_paused:
        raise ValidationError(
            f"Automation is switched off for {person}; switch it back on from their page first."
        )
    who = (actor.get_full_name() or actor.username) if actor is not None else "the system"
    with transaction.atomic():
        if Enrollment.objects.filter(
            workflow=workflow, person=person, status__in=LIVE_STATUSES
        ).exists():
            raise ValidationError(f"{person} is already in “{workflow.name}”.")
        enrollment = Enrollment.objects.create(
            workflow=workflow, person=person, status=EnrollmentStatus.ACTIVE,
            context={"trigger": {"words": f"{who} enrolled them by hand",
                                 "manual": True, "at": timezone.now().date().isoformat()}},
        )  # fmt: skip
        from ..tasks import schedule_tick

        schedule_tick()
    return enrollment


def rename_trigger_choice(trigger: str, key: str, old: str, new: str) -> int:
    """A thing a trigger picked was renamed (a lead form's address, say): every workflow
    that picked ``old`` now picks ``new``, so it keeps firing. Returns how many changed."""
    if old == new:
        return 0
    changed = 0
    with transaction.atomic():
        picked = Workflow.objects.select_for_update().filter(trigger=trigger)
        for workflow in picked.filter(**{f"trigger_config__{key}": old}):
            workflow.trigger_config = {**workflow.trigger_config, key: new}
            workflow.save(update_fields=["trigger_config", "updated_at"])
            changed += 1
    return changed
