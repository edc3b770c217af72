"""The workflow engine: reads the activity log in id order with a stored cursor, enrols
people whose activities fire a trigger, wakes people waiting for an event, and moves
everyone who is due through their steps.

Exactly once: a batch of activities is read, matched and the cursor advanced in one
transaction that starts by taking the cursor row's lock (a conditional UPDATE), so two
engines never read the same batch. Moving a person claims their enrollment row by its
``revision`` (a conditional UPDATE as well), so two workers never run the same step.

Costs per batch of activities, whatever its size: one lock, one read of the log, one
read of the active workflows, one read of enrollment history, one bulk insert, one read
of people waiting for events (plus one update per person actually woken).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from thrive.contacts.models import Activity, ActivityKind, Person
from thrive.segments.models import Segment
from thrive.segments.rules import compile_rules

from . import steps as step_kinds
from .definition import destination
from .models import (
    LIVE_STATUSES,
    ActionLog,
    EngineCursor,
    Enrollment,
    EnrollmentStatus,
    LogOutcome,
    Reentry,
    Step,
    StepKind,
    Workflow,
    WorkflowStatus,
)
from .triggers import KIND_OF_TRIGGER, listened_kind, matches
from .words import Names, describe_trigger, explanation_words

log = logging.getLogger(__name__)

CURSOR = "workflows"
# On PostgreSQL ids are taken before commit, so a lower id can appear after a higher
# one was read. A batch stops before a gap in ids until the row after it has been
# recorded this long, giving a slow transaction time to commit (rolled-back ids leave
# gaps forever, so the wait must be bounded).
SETTLE = dt.timedelta(seconds=5)
# A webhook step holds its person this long while the call is in flight; if the worker
# dies, the call is retried afterwards.
WEBHOOK_LEASE = dt.timedelta(minutes=2)
DRAFT_EVENT_KINDS = {ActivityKind.EMAIL, ActivityKind.NOTE}


# -- enrolling ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A request to enrol one person in one workflow, and why."""

    workflow: Workflow
    person_id: int
    trigger: dict[str, Any]
    activity_id: int | None = None


def _may_enter(workflow: Workflow, last: dt.datetime | None, live: bool, now: dt.datetime) -> bool:
    if live:
        return False  # nobody is in the same workflow twice at once
    if last is None or workflow.reentry == Reentry.ALWAYS:
        return True
    if workflow.reentry == Reentry.AFTER_DAYS:
        return now - last >= dt.timedelta(days=workflow.reentry_days or 0)
    return False


def enroll_many(entries: list[Entry], *, now: dt.datetime) -> int:
    """Enrol whoever the re-entry rules allow, in one read and one bulk insert.

    Entries are taken in order; a person enrolled by an earlier entry is live for the
    later ones. Returns how many enrollments were created.
    """
    if not entries:
        return 0
    history = (
        Enrollment.objects.filter(
            workflow_id__in={e.workflow.pk for e in entries},
            person_id__in={e.person_id for e in entries},
        )
        .values("workflow_id", "person_id")
        .annotate(last=Max("enrolled_at"), live=Count("pk", filter=Q(status__in=LIVE_STATUSES)))
    )
    state = {(h["workflow_id"], h["person_id"]): (h["last"], h["live"] > 0) for h in history}
    # People whose page says "no automation" are never enrolled.
    paused = set(
        Person.objects.filter(
            pk__in={e.person_id for e in entries}, automation_paused=True
        ).values_list("pk", flat=True)
    )
    new = []
    for entry in entries:
        if entry.person_id in paused:
            continue
        key = (entry.workflow.pk, entry.person_id)
        last, live = state.get(key, (None, False))
        if not _may_enter(entry.workflow, last, live, now):
            continue
        state[key] = (now, True)
        new.append(
            Enrollment(
                workflow=entry.workflow,
                person_id=entry.person_id,
                position=1,
                status=EnrollmentStatus.ACTIVE,
                trigger_activity_id=entry.activity_id,
                context={"trigger": entry.trigger},
                enrolled_at=now,
            )  # fmt: skip
        )
    # A concurrent manual enrolment may have taken the live slot: skip rather than fail.
    Enrollment.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


# -- reading the activity log ----------------------------------------------------------


@dataclass(frozen=True)
class Row:
    id: int
    person_id: int
    kind: str
    data: dict[str, Any]
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    subject: str
    # Set on a correction or retraction of a logged touchpoint: not a new event.
    supersedes_id: int | None = None


def cursor_position() -> int:
    return EngineCursor.objects.get_or_create(name=CURSOR)[0].last_activity_id


def _settled(rows: list[Row], start: int, clock: dt.datetime) -> list[Row]:
    previous = start
    for index, row in enumerate(rows):
        if previous and row.id != previous + 1 and row.recorded_at > clock - SETTLE:
            return rows[:index]
        previous = row.id
    return rows


def _activity_workflows() -> dict[str, list[Workflow]]:
    by_kind: dict[str, list[Workflow]] = defaultdict(list)
    for workflow in Workflow.objects.filter(
        status=WorkflowStatus.ACTIVE, trigger__in=list(KIND_OF_TRIGGER)
    ).select_related("created_by"):
        kind = listened_kind(workflow)
        if kind:
            by_kind[kind].append(workflow)
    return by_kind


def _trigger_context(workflow: Workflow, row: Row, words: str) -> dict[str, Any]:
    return {
        "words": words,
        "activity": row.id,
        "kind": row.kind,
        "subject": row.subject,
        "at": row.occurred_at.date().isoformat(),
    }


def _enroll_from(rows: list[Row], now: dt.datetime) -> int:
    by_kind = _activity_workflows()
    if not by_kind:
        return 0
    names = Names()
    words = {wf.pk: describe_trigger(wf, names) for wfs in by_kind.values() for wf in wfs}
    entries = []
    for row in rows:
        for workflow in by_kind.get(row.kind, ()):
            # Activities from before the workflow was switched on do not fire it.
            if row.id <= int(workflow.trigger_state.get("since_activity", 0)):
                continue
            if matches(workflow, row.kind, row.data):
                context = _trigger_context(workflow, row, words[workflow.pk])
                entries.append(Entry(workflow, row.person_id, context, row.id))
    return enroll_many(entries, now=now)


def _event_outcome(waiting_kind: str, waiting_for: dict[str, Any], row: Row) -> str:
    """How ``row`` ends a wait ("matched", "sent", "dismissed"), or "" if it does not."""
    if waiting_kind == "draft":
        if row.kind not in DRAFT_EVENT_KINDS or row.data.get("draft") != waiting_for.get("draft"):
            return ""
        action = row.data.get("action")
        if action in {"sent", "dismissed"}:
            return str(action)
        return "sent" if row.kind == ActivityKind.EMAIL else "dismissed"
    if row.kind != waiting_kind:
        return ""
    wanted = waiting_for.get("data") or {}
    return "matched" if all(row.data.get(k) == v for k, v in wanted.items()) else ""


def _wake_waiters(rows: list[Row]) -> int:
    """Note, on each waiting enrollment, the first new activity that ends its wait.

    Also done for paused workflows: the event is kept and acted on after resuming.
    """
    kinds = {row.kind for row in rows}
    if any("draft" in row.data for row in rows if row.kind in DRAFT_EVENT_KINDS):
        kinds.add("draft")
    waiting = Enrollment.objects.filter(
        status=EnrollmentStatus.WAITING,
        person_id__in={row.person_id for row in rows},
        waiting_kind__in=kinds,
    ).values_list(
        "pk", "person_id", "waiting_kind", "waiting_for", "waiting_after_activity_id",
        "revision", "context",
    )  # fmt: skip
    by_person: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        by_person[row.person_id].append(row)
    woken = 0
    for pk, person_id, kind, waiting_for, after, revision, context in waiting:
        for row in by_person[person_id]:
            outcome = _event_outcome(kind, waiting_for or {}, row)
            if row.id <= (after or 0) or not outcome:
                continue
            event = (
                f"then {row.subject or row.kind} (activity #{row.id}, {row.occurred_at:%Y-%m-%d})"
            )
            woken += Enrollment.objects.filter(
                pk=pk, revision=revision, status=EnrollmentStatus.WAITING
            ).update(
                status=EnrollmentStatus.ACTIVE, outcome=outcome, event_activity_id=row.id,
                wait_until=None, waiting_kind="", revision=revision + 1,
                context={**(context or {}), "event": event},
            )  # fmt: skip
            break
    return woken


def _process_batch(batch_size: int, now: dt.datetime) -> int:
    with transaction.atomic():
        # Taking the row lock first serializes engines: a second one waits here and then
        # reads the cursor the first one committed.
        EngineCursor.objects.filter(name=CURSOR).update(updated_at=timezone.now())
        start = EngineCursor.objects.filter(name=CURSOR).values_list("last_activity_id", flat=True)[
            0
        ]
        fields = (
            "pk", "person_id", "kind", "data", "occurred_at", "recorded_at", "subject",
            "supersedes_id",
        )  # fmt: skip
        rows = [
            Row(*values)
            # Every row ever written (ids stay contiguous for the gap check), once.
            for values in Activity.log.filter(pk__gt=start)
            .order_by("pk")
            .values_list(*fields)[:batch_size]
        ]
        # A run told it is later than the wall clock (a catch-up, a test) settles gaps by
        # that time too.
        rows = _settled(rows, start, max(now, timezone.now()))
        if not rows:
            return 0
        # A correction or retraction of a logged touchpoint is not a new event.
        events = [row for row in rows if row.supersedes_id is None]
        _enroll_from(events, now)
        _wake_waiters(events)
        EngineCursor.objects.filter(name=CURSOR).update(last_activity_id=rows[-1].id)
    return len(rows)


def process_activities(
    *, batch_size: int = 1000, max_batches: int | None = None, now: dt.datetime | None = None
) -> int:
    """Consume new activities in id order; returns how many were read.

    ``now`` is the enrolment time (re-entry rules compare against it).
    """
    cursor_position()  # make sure the cursor row exists before locking it
    total = batches = 0
    while max_batches is None or batches < max_batches:
        count = _process_batch(batch_size, now or timezone.now())
        if not count:
            break
        total += count
        batches += 1
        if count < batch_size:
            break  # the log is read to its end (or up to a gap that must settle)
    return total


# -- moving people along -----------------------------------------------------------------


def has_goal(workflow: Workflow) -> bool:
    return bool(isinstance(workflow.goal, dict) and workflow.goal.get("rules"))


def _rules_q(rules: Any, now: dt.datetime) -> Q | None:
    try:
        return compile_rules(rules, now=now)
    except ValidationError:
        return None


def _selected(person_ids: Iterable[int], condition: Q | None) -> set[int]:
    if condition is None:
        return set()
    return set(
        Person.objects.filter(pk__in=set(person_ids)).filter(condition).values_list("pk", flat=True)
    )


def _condition_q(step: Step, now: dt.datetime) -> Q | None:
    cfg = step.config or {}
    if "segment" in cfg:
        segment = Segment.objects.filter(pk=cfg["segment"]).first()
        return segment.condition(now=now) if segment else None
    return _rules_q(cfg.get("rules"), now)


@dataclass
class Facts:
    """What the engine learns for a whole round with one query per workflow or step."""

    steps: dict[tuple[int, int], Step]
    step_counts: dict[int, int]
    goal_met: set[tuple[int, int]]  # (workflow, person)
    passes: dict[tuple[int, int], set[int] | None]  # (workflow, position) → people


def _facts(due: list[Enrollment], now: dt.datetime) -> Facts:
    steps = {
        (s.workflow_id, s.position): s
        for s in Step.objects.filter(workflow_id__in={e.workflow_id for e in due})
    }
    counts: dict[int, int] = defaultdict(int)
    for workflow_id, _ in steps:
        counts[workflow_id] += 1
    people: dict[tuple[int, int], list[int]] = defaultdict(list)
    by_workflow: dict[int, tuple[Workflow, list[int]]] = {}
    for enrollment in due:
        people[(enrollment.workflow_id, enrollment.position)].append(enrollment.person_id)
        by_workflow.setdefault(enrollment.workflow_id, (enrollment.workflow, []))[1].append(
            enrollment.person_id
        )
    goal_met = set()
    for workflow_id, (workflow, ids) in by_workflow.items():
        if has_goal(workflow):
            goal_met |= {(workflow_id, p) for p in _selected(ids, _rules_q(workflow.goal, now))}
    passes: dict[tuple[int, int], set[int] | None] = {}
    for key, ids in people.items():
        step = steps.get(key)
        if step is not None and step.kind == StepKind.CONDITION:
            condition = _condition_q(step, now)
            passes[key] = None if condition is None else _selected(ids, condition)
    return Facts(steps, counts, goal_met, passes)


def _claim(enrollment: Enrollment) -> bool:
    claimed = Enrollment.objects.filter(pk=enrollment.pk, revision=enrollment.revision).update(
        revision=F("revision") + 1
    )
    if claimed:
        enrollment.revision += 1
    return bool(claimed)


def _write_log(run: step_kinds.StepRun, outcome: str, did: str, detail: dict[str, Any]) -> None:
    explanation = run.explanation(did, detail)
    ActionLog.objects.create(
        enrollment=run.enrollment, workflow=run.workflow, person_id=run.enrollment.person_id,
        position=run.step.position, step_kind=run.step.kind, at=run.now, outcome=outcome,
        summary=explanation_words(explanation)[:500], explanation=explanation,
    )  # fmt: skip


ENROLLMENT_FIELDS = [
    "position", "status", "wait_until", "waiting_kind", "waiting_for",
    "waiting_after_activity_id", "outcome", "event_activity", "attempts", "revision",
    "context", "finished_at", "exit_reason", "last_error",
]  # fmt: skip


def _finish(enrollment: Enrollment, status: str, now: dt.datetime, reason: str = "") -> None:
    enrollment.status = status
    enrollment.finished_at = now
    enrollment.exit_reason = reason[:255]
    enrollment.wait_until = None
    enrollment.waiting_kind = ""
    enrollment.save(update_fields=ENROLLMENT_FIELDS)


def _apply(run: step_kinds.StepRun, result: step_kinds.Result) -> None:
    enrollment, step = run.enrollment, run.step
    if result.log:
        _write_log(run, result.outcome, result.did, result.detail)
    if result.exit is None:
        enrollment.status = EnrollmentStatus.WAITING
        enrollment.wait_until = result.wait_until
        enrollment.waiting_kind = result.waiting_kind
        enrollment.waiting_for = result.waiting_for
        enrollment.outcome = ""
        if result.waiting_kind:
            last = Activity.objects.order_by("-pk").values_list("pk", flat=True).first()
            enrollment.waiting_after_activity_id = last or 0
        if result.outcome == LogOutcome.RETRYING:
            enrollment.attempts += 1
        enrollment.save(update_fields=ENROLLMENT_FIELDS)
        return
    if step.kind in {StepKind.WAIT_EVENT, StepKind.DRAFT_EMAIL} and result.outcome:
        context = enrollment.context or {}
        if result.exit == "timeout":
            context["event"] = f"then at step {step.position}: {result.did.lower()}"
        enrollment.context = context
    target = destination(step.config or {}, result.exit, step.position)
    enrollment.waiting_for, enrollment.outcome, enrollment.attempts = {}, "", 0
    enrollment.event_activity = None
    if target is None or target > run.step_count:
        _finish(enrollment, EnrollmentStatus.COMPLETED, run.now)
        return
    enrollment.position = target
    enrollment.status = EnrollmentStatus.ACTIVE
    enrollment.wait_until = None
    enrollment.waiting_kind = ""
    enrollment.save(update_fields=ENROLLMENT_FIELDS)


def _fail(run: step_kinds.StepRun, message: str) -> None:
    _write_log(run, LogOutcome.FAILED, message, {"error": message})
    run.enrollment.last_error = message
    _finish(run.enrollment, EnrollmentStatus.FAILED, run.now, f"Step {run.step.position} failed")


def exit_for_goal(enrollment: Enrollment, now: dt.datetime, names: Names) -> None:
    """Take a person out because they met the workflow's goal, and say so."""
    workflow = enrollment.workflow
    words = names.rules(workflow.goal)
    step = Step(workflow=workflow, position=enrollment.position, kind="", config={})
    run = step_kinds.StepRun(enrollment, step, workflow, now, names, 0)
    _write_log(run, LogOutcome.EXITED, f"Left the workflow: reached the goal ({words})",
               {"goal": workflow.goal})  # fmt: skip
    _finish(enrollment, EnrollmentStatus.EXITED, now, "Reached the goal")


def _run_webhook(run: step_kinds.StepRun) -> None:
    enrollment = run.enrollment
    with transaction.atomic():
        if not _claim(enrollment):
            return
        # Hold the person here while the call is made outside the transaction.
        enrollment.status = EnrollmentStatus.WAITING
        enrollment.wait_until = run.now + WEBHOOK_LEASE
        enrollment.save(update_fields=ENROLLMENT_FIELDS)
    call = step_kinds.call_webhook(run)
    with transaction.atomic():
        if not _claim(enrollment):
            return  # the lease ran out and another worker took over
        try:
            result = step_kinds.webhook_result(run, call)
        except step_kinds.StepFailed as exc:
            enrollment.attempts += 1
            _fail(run, str(exc))
            return
        _apply(run, result)


def _advance_one(enrollment: Enrollment, facts: Facts, now: dt.datetime, names: Names) -> None:
    workflow = enrollment.workflow
    step = facts.steps.get((workflow.pk, enrollment.position))
    goal_met = (workflow.pk, enrollment.person_id) in facts.goal_met
    paused = enrollment.person.automation_paused
    if step is not None and step.kind == StepKind.WEBHOOK and not goal_met and not paused:
        run = step_kinds.StepRun(
            enrollment, step, workflow, now, names, facts.step_counts[workflow.pk]
        )
        _run_webhook(run)
        return
    revision = enrollment.revision
    try:
        with transaction.atomic():
            if not _claim(enrollment):
                return
            if goal_met:
                exit_for_goal(enrollment, now, names)
                return
            if paused:
                _finish(enrollment, EnrollmentStatus.EXITED, now, PAUSED_REASON)
                return
            if step is None:  # past the last step, e.g. after an edit removed steps
                _finish(enrollment, EnrollmentStatus.COMPLETED, now)
                return
            run = step_kinds.StepRun(
                enrollment, step, workflow, now, names, facts.step_counts[workflow.pk],
                condition_result=None,
            )  # fmt: skip
            if step.kind == StepKind.CONDITION:
                passing = facts.passes.get((workflow.pk, enrollment.position))
                if passing is None:
                    raise step_kinds.StepFailed("The condition's rules cannot be evaluated.")
                run.condition_result = enrollment.person_id in passing
            _apply(run, step_kinds.HANDLERS[step.kind](run))
    except Exception as exc:  # a failing step stops this person visibly, not the engine
        if not isinstance(exc, step_kinds.StepFailed):
            log.exception("Workflow %s step %s failed", workflow.pk, enrollment.position)
        enrollment.revision = revision
        with transaction.atomic():
            if step is not None and _claim(enrollment):
                run = step_kinds.StepRun(enrollment, step, workflow, now, names, 0)
                _fail(run, str(exc) or exc.__class__.__name__)


PAUSED_REASON = "Automation is switched off for this person."


def _due() -> Q:
    return Q(status=EnrollmentStatus.ACTIVE) | Q(status=EnrollmentStatus.WAITING)


def exit_waiting_goal_met(now: dt.datetime) -> int:
    """Take waiting people out of active workflows whose goal they now meet."""
    names, exited = Names(), 0
    for workflow in Workflow.objects.filter(status=WorkflowStatus.ACTIVE):
        condition = _rules_q(workflow.goal, now) if has_goal(workflow) else None
        if condition is None:
            continue
        for enrollment in Enrollment.objects.filter(
            workflow=workflow, status=EnrollmentStatus.WAITING,
            person__in=Person.objects.filter(condition),
        ).select_related("workflow", "person"):  # fmt: skip
            with transaction.atomic():
                if _claim(enrollment):
                    exit_for_goal(enrollment, now, names)
                    exited += 1
    return exited


def advance_enrollments(
    *, now: dt.datetime | None = None, batch_size: int = 500, max_rounds: int = 50
) -> int:
    """Run every due step of every active workflow; returns how many steps were tried.

    A round takes up to ``batch_size`` due people; steps that need no waiting (conditions,
    actions) leave the person due again, so the next round carries them on.
    """
    now = now or timezone.now()
    names = Names()
    exit_waiting_goal_met(now)
    tried = 0
    for _ in range(max_rounds):
        due = list(
            Enrollment.objects.filter(
                Q(status=EnrollmentStatus.ACTIVE)
                | Q(status=EnrollmentStatus.WAITING, wait_until__lte=now),
                workflow__status=WorkflowStatus.ACTIVE,
            )
            .select_related("workflow", "workflow__created_by", "person")
            .order_by("pk")[:batch_size]
        )
        if not due:
            break
        facts = _facts(due, now)
        for enrollment in due:
            _advance_one(enrollment, facts, now, names)
        tried += len(due)
    return tried


def run_engine(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Everything the engine does on a tick: scans, the activity log, due steps."""
    from .scans import scan_triggers

    scanned = scan_triggers(now=now or timezone.now())
    read = process_activities(now=now)
    steps = advance_enrollments(now=now)
    return {"enrolled_by_scans": scanned, "activities": read, "steps": steps}
