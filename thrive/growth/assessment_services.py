"""Writes of the assessment: SWOT items (and the goal or experiment one spawns),
competitors and the strategy canvas, monthly cash, resources, the generic strategy.
Every service takes the acting associate as ``actor``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from thrive.core.roles import check_actor

from .models import (
    BusinessStrategy,
    CanvasAction,
    CanvasFactor,
    CanvasScore,
    CashMonth,
    Competitor,
    Experiment,
    Goal,
    GrowthPath,
    Quadrant,
    Resource,
    ResourceKind,
    ResourceStatus,
    Stance,
    SwotItem,
)

# Which Ansoff path and KPI an experiment spawned from each SWOT quadrant starts with: an
# opportunity is usually a new market, a weakness a fix inside the current one.
SPAWN_PATH = {
    Quadrant.STRENGTH: GrowthPath.PENETRATION,
    Quadrant.WEAKNESS: GrowthPath.PENETRATION,
    Quadrant.OPPORTUNITY: GrowthPath.MARKET_DEVELOPMENT,
    Quadrant.THREAT: GrowthPath.PENETRATION,
}


def _text(value: str, *, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: "Write something first."})
    if len(value) > limit:
        raise ValidationError({field: f"At most {limit} characters (this has {len(value)})."})
    return value


def _score(value: Any, *, field: str) -> int:
    try:
        score = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: f"{value!r} is not a whole number from 0 to 10."}) from None
    if not 0 <= score <= 10:
        raise ValidationError({field: f"Scores run from 0 to 10 (got {score})."})
    return score


def add_swot_item(*, actor: Any, quadrant: str, text: str) -> SwotItem:
    check_actor(actor)
    if quadrant not in Quadrant.values:
        raise ValidationError({"quadrant": f"{quadrant!r} is not a SWOT quadrant."})
    return SwotItem.objects.create(quadrant=quadrant, text=_text(text, field="text", limit=300))


def edit_swot_item(item: SwotItem, *, actor: Any, text: str) -> SwotItem:
    check_actor(actor)
    item.text = _text(text, field="text", limit=300)
    item.save(update_fields=["text", "updated_at"])
    return item


def delete_swot_item(item: SwotItem, *, actor: Any) -> None:
    check_actor(actor)
    item.delete()


@transaction.atomic
def spawn_goal(item: SwotItem, *, actor: Any) -> Goal:
    """A custom goal named after the SWOT line, owned by the actor, for the next 6 months;
    the owner sets its numbers on the goal's page."""
    check_actor(actor)
    item = SwotItem.objects.select_for_update().get(pk=item.pk)
    if item.goal_id:
        raise ValidationError("This SWOT item already has a goal.")
    today = timezone.localdate()
    goal = Goal.objects.create(
        name=item.text[:200],
        metric="custom",
        custom_label=item.text[:120],
        baseline=0,
        target=1,
        start=today,
        deadline=today + dt.timedelta(days=182),
        owner=actor,
        why=f"From the SWOT ({item.get_quadrant_display().lower()}): {item.text}",
    )
    item.goal = goal
    item.save(update_fields=["goal", "updated_at"])
    return goal


@transaction.atomic
def spawn_experiment(item: SwotItem, *, actor: Any) -> Experiment:
    """An idea on the backlog named after the SWOT line, with the business's chosen
    generic strategy as its stance."""
    check_actor(actor)
    item = SwotItem.objects.select_for_update().get(pk=item.pk)
    if item.experiment_id:
        raise ValidationError("This SWOT item already has an experiment.")
    strategy = BusinessStrategy.objects.first()
    exp = Experiment.objects.create(
        title=item.text[:200],
        hypothesis=(
            f"We believe that acting on this {item.get_quadrant_display().lower()} "
            f"(“{item.text}”) will improve the KPI, because <reason>."
        ),
        kpi="To be chosen",
        growth_path=SPAWN_PATH[Quadrant(item.quadrant)],
        stance=strategy.stance if strategy else Stance.DIFFERENTIATION,
    )
    item.experiment = exp
    item.save(update_fields=["experiment", "updated_at"])
    return exp


def add_competitor(*, actor: Any, name: str, notes: str = "") -> Competitor:
    check_actor(actor)
    name = _text(name, field="name", limit=120)
    if Competitor.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"{name} is already on the list."})
    return Competitor.objects.create(name=name, notes=(notes or "").strip())


def delete_competitor(competitor: Competitor, *, actor: Any) -> None:
    check_actor(actor)
    competitor.delete()


def add_factor(*, actor: Any, name: str, our_score: Any, action: str = "keep") -> CanvasFactor:
    check_actor(actor)
    name = _text(name, field="name", limit=120)
    if CanvasFactor.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"{name} is already a factor."})
    if action not in CanvasAction.values:
        raise ValidationError({"action": f"{action!r} is not eliminate, reduce, raise or create."})
    last = CanvasFactor.objects.order_by("-position").values_list("position", flat=True).first()
    return CanvasFactor.objects.create(
        name=name,
        our_score=_score(our_score, field="our_score"),
        action=action,
        position=(last or 0) + 1,
    )


@transaction.atomic
def score_factor(
    factor: CanvasFactor, *, actor: Any, our_score: Any, action: str, competitors: dict[int, Any]
) -> CanvasFactor:
    """Set the business's score, the action, and each competitor's score (blank = unknown)."""
    check_actor(actor)
    if action not in CanvasAction.values:
        raise ValidationError({"action": f"{action!r} is not eliminate, reduce, raise or create."})
    factor.our_score = _score(our_score, field="our_score")
    factor.action = action
    factor.save(update_fields=["our_score", "action", "updated_at"])
    known = {c.pk: c for c in Competitor.objects.filter(pk__in=competitors)}
    for pk, raw in competitors.items():
        if pk not in known:
            raise ValidationError({"competitor": f"No competitor #{pk}."})
        if raw in (None, ""):
            CanvasScore.objects.filter(factor=factor, competitor_id=pk).delete()
            continue
        score = _score(raw, field=f"score of {known[pk].name}")
        CanvasScore.objects.update_or_create(
            factor=factor, competitor_id=pk, defaults={"score": score}
        )
    return factor


def delete_factor(factor: CanvasFactor, *, actor: Any) -> None:
    check_actor(actor)
    factor.delete()


@transaction.atomic
def save_cash_month(
    *, actor: Any, month: dt.date, cash_out: Decimal, cash_on_hand: Decimal
) -> CashMonth:
    """Create or replace the cash out and cash at the end of a month."""
    check_actor(actor)
    if cash_out < 0:
        raise ValidationError({"cash_out": "Cash out cannot be negative."})
    row, _ = CashMonth.objects.update_or_create(
        month=month.replace(day=1),
        defaults={"cash_out": cash_out, "cash_on_hand": cash_on_hand},
    )
    return row


def add_resource(
    *, actor: Any, kind: str, name: str, owner: Any = None, status: str = "missing", note: str = ""
) -> Resource:
    check_actor(actor)
    if kind not in ResourceKind.values:
        raise ValidationError({"kind": f"{kind!r} is not a skill, tool or capacity."})
    if status not in ResourceStatus.values:
        raise ValidationError({"status": f"{status!r} is not a resource status."})
    return Resource.objects.create(
        kind=kind, name=_text(name, field="name", limit=160), owner=owner, status=status,
        note=(note or "").strip()[:300],
    )  # fmt: skip


def set_resource_status(resource: Resource, *, actor: Any, status: str) -> Resource:
    check_actor(actor)
    if status not in ResourceStatus.values:
        raise ValidationError({"status": f"{status!r} is not a resource status."})
    resource.status = status
    resource.save(update_fields=["status", "updated_at"])
    return resource


def delete_resource(resource: Resource, *, actor: Any) -> None:
    check_actor(actor)
    resource.delete()


@transaction.atomic
def choose_strategy(*, actor: Any, stance: str, why: str = "") -> BusinessStrategy:
    """Store the business's one generic strategy (Porter)."""
    check_actor(actor)
    if stance not in Stance.values:
        raise ValidationError({"stance": "Choose cost leadership, differentiation or focus."})
    row = BusinessStrategy.objects.select_for_update().first() or BusinessStrategy()
    row.stance, row.why = stance, (why or "").strip()
    row.updated_by = actor if getattr(actor, "pk", None) else None
    row.save()
    return row
