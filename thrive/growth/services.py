"""Writes of growth planning: goals and check-ins, experiments and their flow, monthly
figures and health checks. Every service takes the acting associate as ``actor``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from thrive.analytics.models import DashboardSnapshot
from thrive.analytics.money_outcomes import arm_money
from thrive.core import business
from thrive.core.roles import check_actor
from thrive.outreach.models import Delivery
from thrive.outreach.reports import numbers
from thrive.outreach.reports.money import campaign_arms

from .models import (
    CampaignOutcome,
    CheckInSource,
    Experiment,
    ExperimentStatus,
    Goal,
    GoalCheckIn,
    HealthCheck,
    MeasureKind,
    MonthlyFigures,
    StatusChange,
)
from .playbook_services import playbook_from_experiment
from .roadmap_services import segment_reach, tell_voters

GOAL_FIELDS = {
    "name",
    "metric",
    "custom_label",
    "unit",
    "baseline",
    "target",
    "start",
    "deadline",
    "owner",
    "why",
}
EXPERIMENT_FIELDS = {
    "title",
    "hypothesis",
    "goal",
    "kpi",
    "growth_path",
    "stance",
    "score_method",
    "reach",
    "impact",
    "confidence",
    "ease",
    "effort",
    "measure",
    "alpha",
    "planned_per_arm",
    "campaign",
    "campaign_outcome",
    "outcome_days",
    "reach_segment",
}
FIXED_WHEN_RUNNING = ("planned_per_arm", "alpha", "measure", "campaign_outcome", "outcome_days")
NUMBER_FIELDS = {"n_a", "x_a", "n_b", "x_b", "mean_a", "sd_a", "mean_b", "sd_b"}


def _pick(data: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    return data


@transaction.atomic
def create_goal(*, actor: Any, **fields: Any) -> Goal:
    """Create a goal; its live KPI (if any) is read from the dashboard from now on."""
    check_actor(actor)
    goal = Goal(**_pick(fields, GOAL_FIELDS))
    goal.full_clean()
    goal.save()
    return goal


@transaction.atomic
def update_goal(goal: Goal, *, actor: Any, **fields: Any) -> Goal:
    check_actor(actor)
    for name, value in _pick(fields, GOAL_FIELDS | {"archived"}).items():
        setattr(goal, name, value)
    goal.full_clean()
    goal.save()
    return goal


@transaction.atomic
def record_check_in(
    goal: Goal,
    *,
    on: dt.date,
    value: float,
    actor: Any,
    note: str = "",
    source: str = CheckInSource.MANUAL,
) -> GoalCheckIn:
    """Record the goal's number on a day (a second manual check-in that day replaces it)."""
    check_actor(actor)
    if on < goal.start:
        raise ValidationError(f"A check-in on {on} is before the goal starts ({goal.start}).")
    check_in, _ = GoalCheckIn.objects.update_or_create(
        goal=goal,
        on=on,
        source=source,
        defaults={
            "value": float(value),
            "note": note[:300],
            "by": actor if getattr(actor, "pk", None) else None,
        },
    )
    return check_in


def sync_live_check_ins() -> int:
    """Record each live goal's value from every kept dashboard snapshot not yet recorded
    (one check-in per goal and snapshot day, idempotent). Returns how many were written.

    Called by the worker after each dashboard refresh and when a goal is saved, never
    while a page is read: no cron is needed, and the history grows with every snapshot.
    """
    latest = (
        DashboardSnapshot.objects.order_by("-computed_at").values_list("as_of", flat=True).first()
    )
    if latest is None:
        return 0
    day = latest - dt.timedelta(days=1)
    recorded = set(
        GoalCheckIn.objects.filter(on=day, source=CheckInSource.LIVE).values_list(
            "goal_id", flat=True
        )
    )
    # Without a new snapshot this costs three small queries.
    goals = [
        g
        for g in Goal.objects.filter(archived=False)
        if g.is_live and g.pk not in recorded and g.start <= day
    ]
    if not goals:
        return 0
    snapshots = list(DashboardSnapshot.objects.order_by("computed_at").values("as_of", "payload"))
    written = 0
    for goal in goals:
        have = set(
            GoalCheckIn.objects.filter(goal=goal, source=CheckInSource.LIVE).values_list(
                "on", flat=True
            )
        )
        for snap in snapshots:
            # A snapshot ``as_of`` a day covers everything before it: the figure is the
            # previous day's.
            day = snap["as_of"] - dt.timedelta(days=1)
            if day in have or day < goal.start:
                continue
            value = live_value(snap["payload"], goal.metric)
            if value is None:
                continue
            with transaction.atomic():
                _, created = GoalCheckIn.objects.get_or_create(
                    goal=goal, on=day, source=CheckInSource.LIVE, defaults={"value": value}
                )
            have.add(day)
            written += int(created)
    return written


def live_value(payload: dict[str, Any], key: str) -> float | None:
    for kpi in payload.get("kpis", []):
        if kpi.get("key") == key:
            value = kpi.get("value")
            return None if value is None else float(value)
    return None


@transaction.atomic
def _reach_from_segment(fields: dict[str, Any]) -> dict[str, Any]:
    """RICE reach is the chosen segment's real size when one is chosen."""
    segment = fields.get("reach_segment")
    if segment is not None:
        fields = {**fields, "reach": segment_reach(segment.pk)}
    return fields


def create_experiment(*, actor: Any, **fields: Any) -> Experiment:
    check_actor(actor)
    experiment = Experiment(**_reach_from_segment(_pick(fields, EXPERIMENT_FIELDS)))
    experiment.full_clean()
    experiment.save()
    return experiment


@transaction.atomic
def update_experiment(experiment: Experiment, *, actor: Any, **fields: Any) -> Experiment:
    check_actor(actor)
    fields = _reach_from_segment(_pick(fields, EXPERIMENT_FIELDS))
    if experiment.status != ExperimentStatus.IDEA:
        moved = [
            n for n in FIXED_WHEN_RUNNING if n in fields and fields[n] != getattr(experiment, n)
        ]
        if moved:
            # Changing the plan after seeing data is how false winners are made.
            raise ValidationError(f"{', '.join(moved)} cannot change once the test has started.")
    for name, value in fields.items():
        setattr(experiment, name, value)
    experiment.full_clean()
    experiment.save(update_fields=[*fields, "updated_at"])
    return experiment


@transaction.atomic
def record_experiment_numbers(experiment: Experiment, *, actor: Any, **numbers: Any) -> Experiment:
    """Store the arms' numbers. Looking before the planned size counts as a peek."""
    check_actor(actor)
    numbers = _pick(numbers, NUMBER_FIELDS)
    locked = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if locked.status in (ExperimentStatus.SCALED, ExperimentStatus.STOPPED):
        raise ValidationError("A decided experiment's numbers are final.")
    for name, value in numbers.items():
        setattr(locked, name, value)
    locked.full_clean()
    if locked.planned_per_arm and not locked.reached_plan:
        locked.looks += 1
    locked.save(update_fields=[*numbers, "looks", "updated_at"])
    for name in [*numbers, "looks", "status"]:
        setattr(experiment, name, getattr(locked, name))
    return experiment


@transaction.atomic
def pull_campaign_numbers(experiment: Experiment, *, actor: Any) -> Experiment:
    """Fill the arms from the linked campaign's variants A and B, on the experiment's
    chosen outcome: people reached (delivered) and who clicked; or people picked and who
    ordered within the window; or their revenue per person (mean and standard deviation).
    """
    check_actor(actor)

    if experiment.campaign_id is None:
        raise ValidationError("Link a campaign with variants A and B first.")
    outcome = experiment.campaign_outcome
    wanted = MeasureKind.MEAN if outcome == CampaignOutcome.REVENUE else MeasureKind.PROPORTION
    if experiment.measure != wanted:
        raise ValidationError(
            f"“{CampaignOutcome(outcome).label}” is "
            + ("an average" if wanted == MeasureKind.MEAN else "a rate")
            + f": set the measure to “{MeasureKind(wanted).label}” first."
        )
    if outcome == CampaignOutcome.CLICKED:
        rows = numbers.by(
            Delivery.objects.filter(campaign_id=experiment.campaign_id), "variant__label"
        )
        arms = {str(k).upper(): v for k, v in rows.items() if k}
        if "A" not in arms or "B" not in arms:
            raise ValidationError("The campaign needs variants labelled A and B.")
        return record_experiment_numbers(
            experiment,
            actor=actor,
            n_a=arms["A"]["delivered"],
            x_a=arms["A"]["clicked"],
            n_b=arms["B"]["delivered"],
            x_b=arms["B"]["clicked"],
        )
    picked, _ = campaign_arms(experiment.campaign)  # type: ignore[arg-type]
    if "A" not in picked or "B" not in picked:
        raise ValidationError("The campaign needs variants labelled A and B.")
    now = timezone.now()
    a = arm_money(picked["A"], days=experiment.outcome_days, now=now).outcome
    b = arm_money(picked["B"], days=experiment.outcome_days, now=now).outcome
    if outcome == CampaignOutcome.ORDERED:
        return record_experiment_numbers(
            experiment, actor=actor, n_a=a.people, x_a=a.buyers, n_b=b.people, x_b=b.buyers
        )
    return record_experiment_numbers(
        experiment,
        actor=actor,
        n_a=a.people,
        mean_a=a.revenue_per_person,
        sd_a=a.revenue_sd,
        n_b=b.people,
        mean_b=b.revenue_per_person,
        sd_b=b.revenue_sd,
    )


@transaction.atomic
def change_experiment_status(
    experiment: Experiment, to: str, *, actor: Any, note: str = ""
) -> StatusChange:
    """Move along idea → running → measured → scaled or stopped, with the evidence each
    step needs (see ``Experiment.check_transition``)."""
    check_actor(actor)
    caller, experiment = experiment, Experiment.objects.select_for_update().get(pk=experiment.pk)
    experiment.check_transition(to)
    change = StatusChange.objects.create(
        experiment=experiment,
        from_status=experiment.status,
        to_status=to,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note[:300],
    )
    today = timezone.localdate()
    experiment.status = to
    if to == ExperimentStatus.RUNNING and experiment.started_on is None:
        experiment.started_on = today
    if to == ExperimentStatus.MEASURED:
        experiment.measured_on = today
    if note:
        experiment.decision_note = note
    experiment.save(
        update_fields=["status", "started_on", "measured_on", "decision_note", "updated_at"]
    )
    for name in ("status", "started_on", "measured_on", "decision_note"):
        setattr(caller, name, getattr(experiment, name))
    # An idea's voters hear when its test starts and when it ships; what scaled becomes a
    # playbook so it can be repeated.
    tell_voters(experiment, to, actor=actor)
    if to == ExperimentStatus.SCALED:
        playbook_from_experiment(experiment, actor=actor)
    return change


@transaction.atomic
def save_monthly_figures(
    *,
    actor: Any,
    month: dt.date,
    revenue: Decimal,
    cost_of_sales: Decimal,
    operating_costs: Decimal = Decimal(0),
    employees: float = 1.0,
    currency: str = "",
) -> MonthlyFigures:
    """Create or replace the owner's figures for a month."""
    check_actor(actor)
    row, _ = MonthlyFigures.objects.get_or_create(
        month=month.replace(day=1),
        defaults={"revenue": revenue, "cost_of_sales": cost_of_sales},
    )
    row.revenue, row.cost_of_sales, row.operating_costs = revenue, cost_of_sales, operating_costs
    row.employees = employees
    row.currency = currency or business.currency()
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def run_health_check(
    *,
    actor: Any,
    period_start: dt.date,
    period_end: dt.date,
    competitive_notes: str = "",
    summary: str = "",
) -> HealthCheck:
    """Compute and freeze a health check for [period_start, period_end] (both inclusive)."""
    check_actor(actor)
    from .health import compute_health

    if period_end <= period_start:
        raise ValidationError("The period must end after it starts.")
    check = HealthCheck(
        period_start=period_start,
        period_end=period_end,
        created_by=actor if getattr(actor, "pk", None) else None,
        competitive_notes=competitive_notes,
        summary=summary,
        figures=compute_health(period_start, period_end),
    )
    check.full_clean()
    check.save()
    return check
