"""What each kind of step does for one person. The engine decides who is due and saves
the result; a handler only acts and says where to go next and why.

Handlers run inside the engine's per-person transaction, except webhooks, whose HTTP
call is made outside any transaction (see :mod:`thrive.automations.engine`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from thrive.contacts import lifecycle
from thrive.contacts import services as contacts
from thrive.contacts.models import Person, Stage
from thrive.tasks.models import Task, TaskKind
from thrive.tasks.services import create_task

from . import waits, webhooks
from .models import (
    Enrollment,
    EnrollmentStatus,
    LogOutcome,
    Step,
    StepKind,
    Workflow,
)
from .words import Names, describe_step


class StepFailed(Exception):
    """The step cannot be done (missing template, outreach not installed…)."""


@dataclass
class Result:
    """What a step did. ``exit`` names the way out ("next", "yes", "sent"…); None keeps
    the person at this step, waiting until ``wait_until`` or for ``waiting_kind``."""

    exit: str | None = "next"
    outcome: str = LogOutcome.DONE
    did: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    wait_until: dt.datetime | None = None
    waiting_kind: str = ""
    waiting_for: dict[str, Any] = field(default_factory=dict)
    log: bool = True


@dataclass
class StepRun:
    enrollment: Enrollment
    step: Step
    workflow: Workflow
    now: dt.datetime
    names: Names
    step_count: int
    # Precomputed for the whole batch by the engine (one query per condition step).
    condition_result: bool | None = None

    @property
    def person(self) -> Person:
        return self.enrollment.person

    @property
    def config(self) -> dict[str, Any]:
        return self.step.config or {}

    @property
    def idempotency_key(self) -> str:
        return (
            f"workflow:{self.workflow.pk}:enrollment:{self.enrollment.pk}:step:{self.step.position}"
        )

    @property
    def waited(self) -> bool:
        """The person was waiting here and the deadline passed (a timeout)."""
        return self.enrollment.status == EnrollmentStatus.WAITING

    def explanation(self, did: str, detail: dict[str, Any] | None = None) -> dict[str, Any]:
        """Everything that let this step act: workflow, step, trigger, conditions passed."""
        context = self.enrollment.context or {}
        return {
            "why": self.reason_words(),
            "did": did,
            "workflow": {
                "id": self.workflow.pk,
                "name": self.workflow.name,
                "version": self.workflow.version,
            },
            "step": {
                "position": self.step.position,
                "kind": self.step.kind,
                "words": describe_step(
                    self.step.position, self.step.kind, self.config, self.names, self.step_count
                ),
            },
            "enrollment": self.enrollment.pk,
            "trigger": context.get("trigger", {}),
            "conditions": context.get("conditions", []),
            "event": context.get("event", ""),
            "idempotency_key": self.idempotency_key,
            "detail": detail or {},
        }

    def reason_words(self) -> str:
        trigger = (self.enrollment.context or {}).get("trigger", {})
        return f"Workflow “{self.workflow.name}”, step {self.step.position}: " + str(
            trigger.get("words", "")
        )


def _fill(text: str, person: Person) -> str:
    # The email templates' sandbox: one merge syntax for everything users write, and no
    # str.format over user text (it can reach attributes).
    from thrive.outreach.email_templates.merge_data import merge_context
    from thrive.outreach.email_templates.sandbox import render_line

    return render_line(text, merge_context(person))


def _associate(pk: Any) -> Any:
    from thrive.accounts.models import Associate

    return Associate.objects.filter(pk=pk).first() if pk else None


def _condition(run: StepRun) -> Result:
    cfg = run.config
    if "segment" in cfg:
        words = f"they were in the segment “{run.names.segment(cfg['segment'])}”"
    else:
        words = run.names.rules(cfg.get("rules", {}))
    passed = bool(run.condition_result)
    conditions = list((run.enrollment.context or {}).get("conditions", []))
    conditions.append(
        {"step": run.step.position, "words": words, "result": passed,
         "rules": cfg.get("rules"), "segment": cfg.get("segment")}
    )  # fmt: skip
    run.enrollment.context = {**(run.enrollment.context or {}), "conditions": conditions}
    verdict = "yes" if passed else "no"
    return Result(
        exit=verdict, outcome=LogOutcome.BRANCHED, did=f"Checked whether {words}: {verdict}"
    )


def _wait(run: StepRun) -> Result:
    if run.waited:
        return Result(log=False)
    until = waits.after(run.now, run.config)
    return Result(exit=None, outcome=LogOutcome.WAITING, did="Started waiting", wait_until=until)


def _wait_until(run: StepRun) -> Result:
    if run.waited:
        return Result(log=False)
    zone = waits.person_zone(run.person)
    until = waits.local_deadline(run.now, run.config, zone)
    local = until.astimezone(zone)
    return Result(
        exit=None,
        outcome=LogOutcome.WAITING,
        did=f"Waiting until {local:%Y-%m-%d %H:%M} {zone.key}",
        detail={"until": until.isoformat(), "zone": zone.key},
        wait_until=until,
    )


def _timeout(run: StepRun) -> dt.datetime:
    return run.now + dt.timedelta(days=float(run.config.get("timeout_days", 7)))


def _wait_event(run: StepRun) -> Result:
    outcome = run.enrollment.outcome
    if outcome == "matched":
        return Result(
            exit="matched", outcome=LogOutcome.BRANCHED, did="What we waited for happened"
        )
    if run.waited:
        return Result(exit="timeout", outcome=LogOutcome.BRANCHED, did="Nothing happened in time")
    data = run.config.get("data") or {}
    return Result(
        exit=None,
        outcome=LogOutcome.WAITING,
        did=f"Waiting for {run.config['event'].replace('_', ' ')}",
        wait_until=_timeout(run),
        waiting_kind=run.config["event"],
        waiting_for={"data": data},
    )


def _template(pk: Any) -> Any:
    try:
        from thrive.outreach.models import EmailTemplate
    except ImportError as exc:
        raise StepFailed("Email steps need the outreach app, which is not installed.") from exc
    template = EmailTemplate.objects.filter(pk=pk).first()
    if template is None:
        raise StepFailed(f"Email template #{pk} no longer exists.")
    return template


def _send_email(run: StepRun) -> Result:
    template = _template(run.config.get("template"))
    from thrive.outreach.services import send_email

    did = f"Sent the email “{template}”"
    delivery = send_email(
        run.person,
        template=template,
        idempotency_key=run.idempotency_key,
        reason=run.explanation(did, {"template": template.pk}),
        automated=True,
    )
    status = str(getattr(delivery, "status", ""))
    detail = {"template": template.pk, "delivery": delivery.pk, "status": status}
    if status in {"skipped", "failed", "bounced"}:
        # Outreach refused it (no consent, suppressed…); its decisions say why.
        why = str(getattr(delivery, "skip_reason", "") or status)
        return Result(outcome=LogOutcome.SKIPPED, did=f"Email “{template}” not sent: {why}",
                      detail=detail)  # fmt: skip
    return Result(did=did, detail=detail)


def _draft_email(run: StepRun) -> Result:
    outcome = run.enrollment.outcome
    associate_name = run.names.associate(run.config.get("associate"))
    if outcome in {"sent", "dismissed"}:
        return Result(
            exit=outcome, outcome=LogOutcome.BRANCHED, did=f"{associate_name} {outcome} the draft"
        )
    if run.waited:
        return Result(
            exit="timeout",
            outcome=LogOutcome.BRANCHED,
            did=f"{associate_name} did not send the draft in time",
        )
    template = _template(run.config.get("template"))
    associate = _associate(run.config.get("associate"))
    if associate is None:
        raise StepFailed("The associate who should review the draft no longer exists.")
    from thrive.outreach.services import create_draft

    did = f"Drafted “{template}” for {associate_name} to review and send"
    draft = create_draft(
        run.person,
        template=template,
        associate=associate,
        idempotency_key=run.idempotency_key,
        reason=run.explanation(did, {"template": template.pk}),
    )
    return Result(
        exit=None,
        outcome=LogOutcome.WAITING,
        did=did,
        detail={"template": template.pk, "draft": draft.pk},
        wait_until=_timeout(run),
        waiting_kind="draft",
        waiting_for={"draft": draft.pk},
    )


def _send_survey(run: StepRun) -> Result:
    """Ask the person an NPS survey through customer voice: its cool-down, then
    outreach's consent (surveys), suppression, quiet hours and weekly budget."""
    try:
        from thrive.voice.models import Survey
        from thrive.voice.services import send_survey_to
    except ImportError as exc:
        raise StepFailed("Survey steps need the customer voice app (not installed).") from exc
    survey_id = run.config.get("survey")
    survey = Survey.objects.filter(pk=survey_id).first() if survey_id is not None else None
    if survey is None:
        raise StepFailed(f"Survey #{run.config.get('survey')} no longer exists.")
    did = f"Sent the survey “{survey}”"
    invite = send_survey_to(
        survey, run.person, idempotency_key=run.idempotency_key,
        reason=run.explanation(did, {"survey": survey.pk}),
    )  # fmt: skip
    if invite is None:
        return Result(
            outcome=LogOutcome.SKIPPED,
            did=f"Survey “{survey}” not sent: they were asked for feedback in the last "
            f"{survey.cooldown_days} days",
            detail={"survey": survey.pk, "cooldown_days": survey.cooldown_days},
        )
    delivery = invite.delivery
    status = str(getattr(delivery, "status", ""))
    detail = {"survey": survey.pk, "invite": invite.pk,
              "delivery": getattr(delivery, "pk", None), "status": status}  # fmt: skip
    if status in {"skipped", "failed", "bounced"}:
        from thrive.outreach.reports.explain import SKIP_WORDS

        code = str(getattr(delivery, "skip_reason", "") or status)
        why = SKIP_WORDS.get(code, code.replace("_", " "))
        return Result(outcome=LogOutcome.SKIPPED, did=f"Survey “{survey}” not sent: {why}",
                      detail={**detail, "skip_reason": code})  # fmt: skip
    if status == "deferred":
        did += " (it waits for the quiet hours or the weekly limit to pass)"
    return Result(did=did, detail=detail)


def _enroll_sequence(run: StepRun) -> Result:
    from django.core.exceptions import ValidationError

    try:
        from thrive.outreach.models import (
            Sequence,
            SequenceEnrollment,
        )
        from thrive.outreach.services import enroll
    except ImportError as exc:
        raise StepFailed("Sequence steps need the outreach app, which is not installed.") from exc
    sequence_id = run.config.get("sequence")
    sequence = (
        Sequence.objects.filter(pk=sequence_id).first() if sequence_id is not None else None
    )
    if sequence is None:
        raise StepFailed(f"Sequence #{run.config.get('sequence')} no longer exists.")
    did = f"Enrolled in the sequence “{sequence}”"
    already = SequenceEnrollment.objects.filter(
        sequence=sequence, person=run.person, status="active"
    ).first()
    if already is not None:
        return Result(
            outcome=LogOutcome.SKIPPED,
            did=f"Already going through the sequence “{sequence}”",
            detail={"sequence": sequence.pk, "sequence_enrollment": already.pk},
        )
    try:
        enrollment = enroll(
            run.person, sequence, reason=run.explanation(did, {"sequence": sequence.pk})
        )
    except ValidationError as exc:  # paused, or no steps yet: carry on without it
        return Result(outcome=LogOutcome.SKIPPED,
                      did=f"Not enrolled in “{sequence}”: {' '.join(exc.messages)}",
                      detail={"sequence": sequence.pk})  # fmt: skip
    return Result(did=did, detail={"sequence": sequence.pk, "sequence_enrollment": enrollment.pk})


def _add_tag(run: StepRun) -> Result:
    tag = run.config["tag"]
    if contacts.add_tag(run.person, tag, actor=None):
        return Result(did=f"Tagged “{tag}”", detail={"tag": tag})
    return Result(outcome=LogOutcome.SKIPPED, did=f"Already tagged “{tag}”", detail={"tag": tag})


def _remove_tag(run: StepRun) -> Result:
    tag = run.config["tag"]
    if contacts.remove_tag(run.person, tag, actor=None):
        return Result(did=f"Removed the tag “{tag}”", detail={"tag": tag})
    return Result(outcome=LogOutcome.SKIPPED, did=f"Had no tag “{tag}”", detail={"tag": tag})


def _change_stage(run: StepRun) -> Result:
    stage = run.config["stage"]
    label = Stage(stage).label
    changed = lifecycle.automated(run.person, stage, note=run.reason_words())
    if changed:
        return Result(did=f"Moved to {label}", detail={"stage": stage})
    return Result(outcome=LogOutcome.SKIPPED, did=f"Already {label}", detail={"stage": stage})


def _create_task(run: StepRun, *, notify: bool = False) -> Result:
    cfg = run.config
    associate = _associate(cfg.get("associate")) or run.workflow.created_by
    due: dt.datetime | None
    if notify:
        title, kind, due = _fill(cfg["message"], run.person), TaskKind.FOLLOW_UP, run.now
    else:
        title = _fill(cfg["title"], run.person)
        kind = cfg.get("task_kind", TaskKind.FOLLOW_UP)
        days = cfg.get("due_in_days")
        due = run.now + dt.timedelta(days=float(days)) if days is not None else None
    task = create_task(
        actor=None, title=title[:200], person=run.person, assignee=associate, due_at=due,
        kind=kind, reason=run.reason_words()[:255],
    )  # fmt: skip
    who = run.names.associate(associate.pk) if associate else "the team"
    verb = "Notified" if notify else "Created a task for"
    return Result(did=f"{verb} {who}: “{title}”", detail={"task": task.pk})


# Called after a "notify" step made its task, with (task, workflow name). Apps above
# the engine register here in their AppConfig.ready (the digests app emails the associate).
_NOTIFY_HOOKS: list[Callable[[Any, str], None]] = []


def on_notify(hook: Callable[[Any, str], None]) -> None:
    """Register ``hook(task, workflow_name)``; it runs inside the step's transaction (use
    ``transaction.on_commit`` for anything that leaves the database)."""
    if hook not in _NOTIFY_HOOKS:
        _NOTIFY_HOOKS.append(hook)


def _notify(run: StepRun) -> Result:
    result = _create_task(run, notify=True)
    task_id = (result.detail or {}).get("task")
    if task_id is not None and _NOTIFY_HOOKS:
        task = Task.objects.select_related("person", "assignee").get(pk=task_id)
        for hook in _NOTIFY_HOOKS:
            hook(task, run.workflow.name)
    return result


def webhook_payload(run: StepRun) -> dict[str, Any]:
    person = run.person
    return {
        "event": "workflow.step",
        "idempotency_key": run.idempotency_key,
        "workflow": {"id": run.workflow.pk, "name": run.workflow.name},
        "step": run.step.position,
        "person": {
            "id": person.pk, "email": person.email, "first_name": person.first_name,
            "last_name": person.last_name, "stage": person.stage,
        },
        "trigger": (run.enrollment.context or {}).get("trigger", {}),
        "sent_at": run.now.isoformat(),
    }  # fmt: skip


def call_webhook(run: StepRun) -> webhooks.CallResult:
    """The HTTP part of a webhook step; the engine calls it outside any transaction."""
    return webhooks.post_json(
        run.config["url"], webhook_payload(run), secret=run.workflow.secret,
        key=run.idempotency_key,
    )  # fmt: skip


def webhook_result(run: StepRun, call: webhooks.CallResult) -> Result:
    """Continue on success; on failure retry with backoff, then stop visibly."""
    url = run.config["url"]
    if call.ok:
        return Result(did=f"Called {url} ({call.status})", detail={"status": call.status})
    failures = run.enrollment.attempts + 1
    if call.refused:
        raise StepFailed(f"Calling {url} was refused: {call.error}")
    limit = int(run.config.get("attempts", webhooks.DEFAULT_ATTEMPTS))
    detail = {"status": call.status, "error": call.error, "attempt": failures}
    if failures >= limit:
        raise StepFailed(f"Calling {url} failed {failures} times; last: {call.error}")
    retry = run.now + dt.timedelta(seconds=webhooks.backoff_seconds(failures))
    return Result(
        exit=None,
        outcome=LogOutcome.RETRYING,
        did=f"Calling {url} failed (try {failures} of {limit}): {call.error}",
        detail=detail,
        wait_until=retry,
    )


HANDLERS: dict[str, Callable[[StepRun], Result]] = {
    StepKind.CONDITION: _condition,
    StepKind.WAIT: _wait,
    StepKind.WAIT_UNTIL: _wait_until,
    StepKind.WAIT_EVENT: _wait_event,
    StepKind.SEND_EMAIL: _send_email,
    StepKind.DRAFT_EMAIL: _draft_email,
    StepKind.SEND_SURVEY: _send_survey,
    StepKind.ENROLL_SEQUENCE: _enroll_sequence,
    StepKind.ADD_TAG: _add_tag,
    StepKind.REMOVE_TAG: _remove_tag,
    StepKind.CHANGE_STAGE: _change_stage,
    StepKind.CREATE_TASK: _create_task,
    StepKind.NOTIFY: _notify,
}
