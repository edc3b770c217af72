"""Writes for the deal pipeline board: moving a deal, the owner's stages and lost reasons,
and turning a won deal into an order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q

from thrive.core.roles import check_actor, require_manage

from . import queries, services
from .models import Deal, DealStage, DealStageChange, LostReason, Order, OrderStatus


def _owner_only(actor: Any) -> None:
    # The demo and the worker act as the system (None).
    if actor is not None:
        require_manage(actor)


def move_deal(
    deal: Deal,
    stage: DealStage,
    *,
    actor: Any,
    lost_reason: str = "",
    at: dt.datetime | None = None,
) -> Deal:
    """Move ``deal`` to ``stage`` (a lost stage needs ``lost_reason``); ``at`` dates a move
    recorded after the fact."""
    fields: dict[str, Any] = {"stage": stage}
    if stage.is_lost:
        fields["lost_reason"] = lost_reason
    return services.save_deal(deal, actor=actor, at=at, **fields)


def set_next_step(deal: Deal, *, actor: Any, text: str, due: Any) -> Deal:
    return services.save_deal(deal, actor=actor, next_step=text, next_step_due=due)


# -- the owner's stages ---------------------------------------------------------------------


def parse_percent(raw: Any) -> Decimal:
    """A win probability typed as a percentage ("35", "35%") as a share (0.350)."""
    text = str(raw if raw is not None else "").strip().rstrip("%").strip()
    try:
        percent = Decimal(text)
    except InvalidOperation:
        raise ValidationError(
            {"probability": f"“{text}” is not a percentage from 0 to 100."}
        ) from None
    if not Decimal(0) <= percent <= Decimal(100):
        raise ValidationError({"probability": "A win probability is from 0 to 100 percent."})
    return (percent / 100).quantize(Decimal("0.001"))


def save_stage(
    stage: DealStage | None = None,
    *,
    actor: Any,
    name: str,
    probability: Any,
    is_won: bool = False,
    is_lost: bool = False,
) -> DealStage:
    """Add a stage at the end of the pipeline, or rename and re-weigh ``stage``."""
    _owner_only(actor)
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "A stage needs a name."
    if is_won and is_lost:
        errors["is_lost"] = "A stage is won or lost, not both."
    try:
        share = parse_percent(probability)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        share = Decimal(0)
    clash = DealStage.objects.filter(name__iexact=name)
    if stage is not None:
        clash = clash.exclude(pk=stage.pk)
    if name and clash.exists():
        errors["name"] = f"There is already a stage called “{name}”."
    if errors:
        raise ValidationError(errors)
    if stage is None:
        last = DealStage.objects.aggregate(last=Max("position"))["last"] or 0
        stage = DealStage(position=last + 1)
    stage.name, stage.probability, stage.is_won, stage.is_lost = name, share, is_won, is_lost
    stage.full_clean()
    try:
        with transaction.atomic():
            stage.save()
    except IntegrityError:
        raise ValidationError({"name": f"There is already a stage called “{name}”."}) from None
    return stage


def shift_stage(stage: DealStage, *, actor: Any, step: int) -> None:
    """Move a stage one place earlier (``step`` -1) or later (+1) on the board."""
    _owner_only(actor)
    with transaction.atomic():
        ordered = list(DealStage.objects.select_for_update().order_by("position", "id"))
        index = next(i for i, s in enumerate(ordered) if s.pk == stage.pk)
        other = index + step
        if not 0 <= other < len(ordered):
            return
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, row in enumerate(ordered, start=1):
            if row.position != position:
                row.position = position
                row.save(update_fields=["position"])


def delete_stage(stage: DealStage, *, actor: Any) -> None:
    _owner_only(actor)
    if Deal.objects.filter(stage=stage).exists():
        raise ValidationError(
            f"Deals are in “{stage.name}”: move them to another stage before removing it."
        )
    if DealStageChange.objects.filter(Q(to_stage=stage) | Q(from_stage=stage)).exists():
        raise ValidationError(
            f"Deals passed through “{stage.name}” and their history names it; rename it instead."
        )
    stage.delete()


def add_lost_reason(*, actor: Any, label: str) -> LostReason:
    _owner_only(actor)
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": "Write the reason."})
    if len(label) > 200:
        raise ValidationError({"label": "A reason has at most 200 characters."})
    if LostReason.objects.filter(label__iexact=label).exists():
        raise ValidationError({"label": f"“{label}” is already a reason."})
    last = LostReason.objects.aggregate(last=Max("position"))["last"] or 0
    return LostReason.objects.create(label=label, position=last + 1)


def remove_lost_reason(reason: LostReason, *, actor: Any) -> None:
    """Deals keep their reason's words; only the choice goes."""
    _owner_only(actor)
    reason.delete()


# -- won deals become orders --------------------------------------------------------------


def order_from_deal(deal: Deal, *, actor: Any) -> Order:
    """A pending order for a won deal's person, one line for the deal's value, linked to
    the deal. A deal becomes an order once: a second call is refused."""
    check_actor(actor)
    with transaction.atomic():
        locked = (
            Deal.objects.select_for_update(of=("self",))
            .select_related("stage", "person")
            .get(pk=deal.pk)
        )
        if locked.order_id is not None:
            raise ValidationError("This deal is already an order.")
        if not locked.stage.is_won:
            raise ValidationError("Only a won deal becomes an order.")
        if locked.person is None:
            raise ValidationError("Name the deal's person first: an order is for a person.")
        order = services.record_order(
            locked.person, actor=actor, number=queries.suggested_order_number(),
            currency=locked.currency, status=OrderStatus.PENDING, source="deal",
            lines=[services.LineInput(quantity=1, unit_price=locked.value,
                                      description=locked.title[:255])],
        )  # fmt: skip
        locked.order = order
        locked.save(update_fields=["order", "updated_at"])
    return order
