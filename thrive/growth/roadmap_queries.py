"""Reads of the roadmap: goals, experiments and ideas on one timeline in phases
(pilot → roll-out → standard), and the customers' ideas that could become experiments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count

from thrive.voice.models import Idea, IdeaStatus

from .models import Experiment, ExperimentStatus, Goal, Playbook

PILOT, ROLL_OUT, STANDARD, CANDIDATE = "pilot", "roll_out", "standard", "candidate"
PHASES = [
    (CANDIDATE, "Asked for"),
    (PILOT, "Pilot"),
    (ROLL_OUT, "Roll-out"),
    (STANDARD, "Standard"),
]


@dataclass(frozen=True)
class Item:
    kind: str  # goal, experiment, idea, playbook
    title: str
    phase: str
    on: dt.date
    url: str
    note: str = ""

    @property
    def phase_label(self) -> str:
        return dict(PHASES).get(self.phase, "Goal")


def candidate_ideas(limit: int = 10) -> list[Idea]:
    """Open or planned ideas with no experiment yet, most voted first."""
    return list(
        Idea.objects.filter(
            merged_into__isnull=True,
            status__in=[IdeaStatus.OPEN, IdeaStatus.PLANNED],
            experiments__isnull=True,
        )
        .annotate(voters=Count("votes", distinct=True))
        .order_by("-voters", "-created_at")[:limit]
    )


def _trained(playbook: Playbook) -> int:
    steps = {s.pk for s in playbook.steps.all()}
    return sum(
        1
        for a in playbook.assignments.all()
        if steps and steps <= {t.step_id for t in a.ticks.all()}
    )


def phase_of(exp: Experiment, playbooks: dict[int, Playbook]) -> str:
    """Idea, running or measured: a pilot. Scaled: rolling out until a colleague is trained
    on its playbook, then standard."""
    if exp.status != ExperimentStatus.SCALED:
        return PILOT
    playbook = playbooks.get(exp.pk)
    return STANDARD if playbook is not None and _trained(playbook) else ROLL_OUT


def timeline() -> list[Item]:
    """Every live goal, experiment (not stopped), idea asked for and procedure, by date."""
    playbooks: dict[int, Playbook] = {
        int(p.experiment_id): p  # type: ignore[arg-type]  # filtered to non-null below
        for p in Playbook.objects.filter(experiment__isnull=False).prefetch_related(
            "steps", "assignments__ticks"
        )
    }
    items: list[Item] = []
    for exp in Experiment.objects.exclude(status=ExperimentStatus.STOPPED).select_related("idea"):
        on = exp.measured_on or exp.started_on or exp.created_at.date()
        note = exp.get_status_display()
        if exp.idea is not None:
            note += f" · from the idea “{exp.idea.title}”"
        items.append(
            Item("experiment", exp.title, phase_of(exp, playbooks), on,
                 f"/growth/experiments/{exp.pk}/", note)
        )  # fmt: skip
    for idea in candidate_ideas(limit=20):
        items.append(
            Item("idea", idea.title, CANDIDATE, idea.created_at.date(),
                 "/growth/roadmap/#ideas", f"{idea.voters} voters")  # type: ignore[attr-defined]
        )  # fmt: skip
    for p in Playbook.objects.filter(kind="procedure"):
        items.append(
            Item("procedure", p.title, STANDARD, p.created_at.date(), f"/growth/playbooks/{p.pk}/")
        )
    for goal in Goal.objects.filter(archived=False):
        items.append(
            Item("goal", goal.name, "goal", goal.deadline, f"/growth/goals/{goal.pk}/",
                 f"{goal.start:%d %b %Y} → {goal.deadline:%d %b %Y}")
        )  # fmt: skip
    return sorted(items, key=lambda i: (i.on, i.title))


def by_phase(items: list[Item]) -> list[tuple[str, str, list[Item]]]:
    return [(key, label, [i for i in items if i.phase == key]) for key, label in PHASES]


def trained_on() -> list[tuple[Playbook, list[tuple[str, int, int]]]]:
    """Each playbook with (associate, steps ticked, steps) per assignment."""
    out = []
    for p in Playbook.objects.prefetch_related(
        "steps", "assignments__ticks", "assignments__associate"
    ):
        steps = {s.pk for s in p.steps.all()}
        rows = [
            (str(a.associate), len(steps & {t.step_id for t in a.ticks.all()}), len(steps))
            for a in p.assignments.all()
        ]
        out.append((p, rows))
    return out
