"""Reads for the workflow pages and the person page: people per step, what each step
did, recent logs, and the process automation rate."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from thrive.analytics import figures
from thrive.analytics.queries import AUTOMATION_FORMULA, touch_automation
from thrive.contacts.models import Person

from .models import (
    LIVE_STATUSES,
    ActionLog,
    Enrollment,
    LogOutcome,
    Step,
    StepKind,
    Workflow,
    WorkflowStatus,
)
from .words import Names, describe_step, describe_trigger


def all_workflows() -> list[Workflow]:
    """Every workflow, by name (the list page)."""
    return list(Workflow.objects.order_by("name", "pk"))


def person_by_id_or_email(raw: str) -> Person | None:
    """The person a hand enrolment names: digits are an id, anything else an email."""
    people = (
        Person.objects.filter(pk=int(raw))
        if raw.isdigit()
        else Person.objects.filter(email__iexact=raw)
    )
    return people.first()


def live_counts(workflows: list[Workflow]) -> dict[int, dict[int, int]]:
    """Workflow → step number → people there now, in one query."""
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    rows = (
        Enrollment.objects.filter(workflow__in=workflows, status__in=LIVE_STATUSES)
        .values("workflow_id", "position")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["workflow_id"]][row["position"]] = row["n"]
    return counts


def workflow_rows(workflows: list[Workflow]) -> list[dict[str, Any]]:
    names = Names()
    counts = live_counts(workflows)
    return [
        {
            "workflow": w,
            "trigger": describe_trigger(w, names),
            "people": sum(counts[w.pk].values()),
            "per_step": sorted(counts[w.pk].items()),
        }
        for w in workflows
    ]


def step_view(workflow: Workflow) -> list[dict[str, Any]]:
    """The steps in words with, for each, people there now and what it has done."""
    names = Names()
    here = live_counts([workflow]).get(workflow.pk, {})
    done: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        ActionLog.objects.filter(workflow=workflow)
        .values("position", "outcome")
        .annotate(n=Count("pk"))
    ):
        done[row["position"]][row["outcome"]] = row["n"]
    steps = list(workflow.steps.order_by("position"))
    return [
        {
            "position": s.position,
            "kind": s.get_kind_display(),
            "words": describe_step(s.position, s.kind, s.config, names, len(steps)),
            "here": here.get(s.position, 0),
            "done": done[s.position].get(LogOutcome.DONE, 0)
            + done[s.position].get(LogOutcome.BRANCHED, 0)
            + done[s.position].get(LogOutcome.WAITING, 0),
            "skipped": done[s.position].get(LogOutcome.SKIPPED, 0),
            "failed": done[s.position].get(LogOutcome.FAILED, 0),
            "exited": done[s.position].get(LogOutcome.EXITED, 0),
        }
        for s in steps
    ]


def totals(workflow: Workflow) -> dict[str, int]:
    rows = Enrollment.objects.filter(workflow=workflow).values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def recent_logs(workflow: Workflow, limit: int = 20) -> list[ActionLog]:
    return list(
        ActionLog.objects.filter(workflow=workflow)
        .select_related("person")
        .order_by("-at", "-pk")[:limit]
    )


def person_logs(person: Person, limit: int = 20) -> list[ActionLog]:
    """What automations did for this person, newest first, each explained in words."""
    return list(
        ActionLog.objects.filter(person=person)
        .select_related("workflow")
        .order_by("-at", "-pk")[:limit]
    )


def automation_rate(*, as_of: dt.date | None = None) -> dict[str, Any]:
    """The process automation rate as the dashboard defines and counts it
    (``analytics.queries.touch_automation`` over the same 90 days, through today), and the
    share of the business's named processes that run by themselves: its workflows that are
    switched on out of every workflow written down."""
    as_of = as_of or timezone.localdate() + dt.timedelta(days=1)
    start, end = figures.window(as_of)
    touches = touch_automation(start, end)
    processes = named_processes()
    return {
        **touches,
        "days": figures.WINDOW.days,
        "formula": AUTOMATION_FORMULA,
        "processes": processes["total"],
        "processes_automated": processes["automated"],
        "process_rate": processes["rate"],
    }


def named_processes() -> dict[str, Any]:
    """The business's named processes (its workflows) and how many are switched on."""
    counts = Workflow.objects.aggregate(
        total=Count("pk"), automated=Count("pk", filter=Q(status=WorkflowStatus.ACTIVE))
    )
    total, automated = counts["total"], counts["automated"]
    return {"total": total, "automated": automated, "rate": automated / total if total else None}


def workflows_sending_surveys() -> dict[int, list[str]]:
    """Survey id → names of the workflows with a "send survey" step for it."""
    used: dict[int, list[str]] = {}
    for name, config in Step.objects.filter(kind=StepKind.SEND_SURVEY).values_list(
        "workflow__name", "config"
    ):
        pk = (config or {}).get("survey")
        if isinstance(pk, int) and name not in used.setdefault(pk, []):
            used[pk].append(name)
    return used
