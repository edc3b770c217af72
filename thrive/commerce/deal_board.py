"""Reads for the deal pipeline board: columns of deals, the forecast, deals without a
next step and deals stuck in their stage longer than usual."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from . import deal_forecast as fc
from .models import Deal, DealStage, DealStageChange, LostReason


@dataclass
class Column:
    stage: DealStage
    deals: list[Deal]

    @property
    def closing(self) -> bool:
        return self.stage.is_won or self.stage.is_lost


def _deals() -> Any:
    return Deal.objects.select_related(
        "stage", "owner", "person", "organization", "next_step_task", "order"
    )


def board(*, closed_days: int = 30) -> list[Column]:
    """Every stage in order with its deals: open deals soonest close first; won and lost
    columns show only deals closed in the last ``closed_days`` days."""
    stages = list(DealStage.objects.order_by("position", "id"))
    since = timezone.now() - dt.timedelta(days=closed_days)
    rows: dict[int, list[Deal]] = defaultdict(list)
    for deal in _deals().filter(closed_at__isnull=True).order_by("expected_close", "id"):
        rows[deal.stage_id].append(deal)
    for deal in _deals().filter(closed_at__gte=since).order_by("-closed_at", "-id"):
        rows[deal.stage_id].append(deal)
    return [Column(stage, rows[stage.pk]) for stage in stages]


def lost_reasons() -> list[str]:
    return list(LostReason.objects.values_list("label", flat=True))


def _histories() -> dict[int, list[tuple[int, dt.datetime]]]:
    histories: dict[int, list[tuple[int, dt.datetime]]] = defaultdict(list)
    for deal_id, stage_id, at in DealStageChange.objects.order_by(
        "deal_id", "changed_at", "id"
    ).values_list("deal_id", "to_stage_id", "changed_at"):
        histories[deal_id].append((stage_id, at))
    return histories


def stage_rates() -> dict[int, fc.StageRate]:
    """Each stage's historical win rate; a deal reached the stages its history names and
    the one it is in."""
    stages = {s.pk: s for s in DealStage.objects.all()}
    histories = _histories()
    paths = []
    for pk, stage_id in Deal.objects.values_list("pk", "stage_id"):
        stage = stages[stage_id]
        reached = frozenset({stage_id, *(s for s, _ in histories.get(pk, []))})
        won = True if stage.is_won else False if stage.is_lost else None
        paths.append(fc.DealPath(reached, won))
    return fc.stage_rates(paths, {pk: s.probability for pk, s in stages.items()})


def forecast() -> tuple[list[fc.ForecastRow], dict[int, fc.StageRate]]:
    rates = stage_rates()
    open_deals = [
        fc.OpenDeal(
            d.value,
            d.currency,
            d.stage_id,
            d.probability if d.probability is not None else d.stage.probability,
            d.expected_close,
        )  # fmt: skip
        for d in Deal.objects.select_related("stage").filter(closed_at__isnull=True)
    ]
    return fc.forecast(open_deals, rates), rates


def without_next_step() -> list[Deal]:
    """Open deals with no next step, or whose next step's task is finished."""
    deals = _deals().filter(closed_at__isnull=True).order_by("expected_close", "id")
    return [
        d for d in deals
        if not d.next_step or (d.next_step_task is not None and d.next_step_task.status != "open")
    ]  # fmt: skip


@dataclass
class Stuck:
    deal: Deal
    stage_since: dt.datetime
    days_in_stage: float
    usual_days: float


def stuck(now: dt.datetime | None = None) -> list[Stuck]:
    """Open deals in their stage longer than 1.5 × the median finished stay there."""
    now = now or timezone.now()
    histories = _histories()
    durations: dict[int, list[dt.timedelta]] = defaultdict(list)
    for moves in histories.values():
        for stage_id, spent in fc.stays(moves):
            durations[stage_id].append(spent)
    limits = fc.usual_limits(durations)
    found = []
    for deal in _deals().filter(closed_at__isnull=True, stage_id__in=list(limits)):
        history = histories.get(deal.pk, [])
        # Deals recorded before the history was kept count from when they were created.
        since = history[-1][1] if history and history[-1][0] == deal.stage_id else deal.created_at
        spent = now - since
        if spent > limits[deal.stage_id]:
            found.append(Stuck(deal, since, spent / dt.timedelta(days=1),
                               limits[deal.stage_id] / dt.timedelta(days=1)))  # fmt: skip
    return sorted(found, key=lambda s: -s.days_in_stage / s.usual_days)


def usual_days() -> dict[int, float]:
    """Per stage, the "longer than usual" limit in days (for the board's legend)."""
    durations: dict[int, list[dt.timedelta]] = defaultdict(list)
    for history in _histories().values():
        for stage_id, spent in fc.stays(history):
            durations[stage_id].append(spent)
    return {k: v / dt.timedelta(days=1) for k, v in fc.usual_limits(durations).items()}
