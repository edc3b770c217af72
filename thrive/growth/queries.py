"""Reads of growth planning: goal standing with projection, the ranked backlog, the
Ansoff matrix."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from thrive.insights.goals import GoalProjection, project_goal

from .models import Experiment, ExperimentStatus, Goal, GoalCheckIn, GrowthPath, ScoreMethod


@dataclass(frozen=True)
class GoalStanding:
    goal: Goal
    check_ins: list[GoalCheckIn]
    projection: GoalProjection


def standing(
    goal: Goal, *, today: dt.date | None = None, check_ins: list[GoalCheckIn] | None = None
) -> GoalStanding:
    """The goal's progress and projection from its check-ins (live and manual; where both
    exist on a day, the manual one wins)."""
    today = today or timezone.localdate()
    rows = check_ins if check_ins is not None else list(goal.check_ins.all())
    by_day: dict[dt.date, GoalCheckIn] = {}
    for row in sorted(rows, key=lambda r: (r.on, r.source != "manual")):
        by_day.setdefault(row.on, row)
    kept = [by_day[d] for d in sorted(by_day) if d >= goal.start]
    projection = project_goal(
        [(r.on - goal.start).days for r in kept],
        [r.value for r in kept],
        baseline=goal.baseline,
        target=goal.target,
        deadline_day=(goal.deadline - goal.start).days,
        today_day=(today - goal.start).days,
    )
    return GoalStanding(goal=goal, check_ins=kept, projection=projection)


def goal_standings(*, include_archived: bool = False) -> list[GoalStanding]:
    goals = Goal.objects.select_related("owner").prefetch_related("check_ins")
    if not include_archived:
        goals = goals.filter(archived=False)
    today = timezone.localdate()
    return [standing(g, today=today, check_ins=list(g.check_ins.all())) for g in goals]


def backlog(*, status: str = "") -> dict[str, list[Experiment]]:
    """Experiments ranked by score, best first, one list per scoring method (ICE and RICE
    live on different scales, so they are ranked separately); ties by age."""
    qs: QuerySet[Experiment] = Experiment.objects.select_related("goal")
    if status:
        qs = qs.filter(status=status)
    ranked: dict[str, list[Experiment]] = {m.value: [] for m in ScoreMethod}
    for exp in qs:
        ranked[exp.score_method].append(exp)
    for items in ranked.values():
        items.sort(key=lambda e: (-e.score, e.pk))
    return ranked


# Ansoff's grid: rows are markets (existing, new), columns products (existing, new).
ANSOFF_GRID = [
    [GrowthPath.PENETRATION, GrowthPath.PRODUCT_DEVELOPMENT],
    [GrowthPath.MARKET_DEVELOPMENT, GrowthPath.DIVERSIFICATION],
]
ANSOFF_HINT = {
    GrowthPath.PENETRATION: "Existing products, existing customers: sell more to them.",
    GrowthPath.PRODUCT_DEVELOPMENT: "New products for the customers you have.",
    GrowthPath.MARKET_DEVELOPMENT: "Existing products for new customers or places.",
    GrowthPath.DIVERSIFICATION: "New products for new customers: the riskiest path.",
}


def ansoff(experiments: list[Experiment]) -> list[list[dict[str, Any]]]:
    """The 2×2 matrix with the open experiments in each cell, best score first."""
    open_ = [e for e in experiments if e.status != ExperimentStatus.STOPPED]
    return [
        [
            {
                "path": path,
                "label": path.label,
                "hint": ANSOFF_HINT[path],
                "items": sorted(
                    (e for e in open_ if e.growth_path == path),
                    key=lambda e: (e.score_method, -e.score),
                ),
            }
            for path in row
        ]
        for row in ANSOFF_GRID
    ]


def arm_names(experiment: Experiment) -> tuple[str, str]:
    """What people call each arm: for a campaign's test, each variant's subject (or its
    template's name), e.g. ``B “A note from Tom”``; otherwise A (control) and B (variant)."""
    names = {"A": "A (control)", "B": "B (variant)"}
    if experiment.campaign_id:
        for variant in experiment.campaign.variants.select_related("template").filter(  # type: ignore[union-attr]
            label__in=["A", "B"]
        ):
            what = variant.subject or variant.template.subject or variant.template.name
            if what:
                names[variant.label] = f"{variant.label} “{what}”"
    return names["A"], names["B"]
