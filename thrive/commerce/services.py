"""Writes to commerce: orders, refunds, voids, subscriptions, spend."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from thrive.contacts import lifecycle
from thrive.contacts import services as contact_services
from thrive.contacts.models import (
    ActivityChannel,
    ActivityKind,
    Direction,
    Person,
)
from thrive.core.money import parse_amount, validate_currency
from thrive.core.roles import check_actor

from . import deal_moves, hooks
from .models import (
    Deal,
    MarketingSpend,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    SalesChannel,
    Subscription,
)


@dataclass(frozen=True)
class LineInput:
    quantity: int
    unit_price: Any
    sku: str = ""
    description: str = ""
    discount: Any = "0"


def record_order(
    person: Person,
    *,
    actor: Any,
    number: str,
    lines: list[LineInput],
    ordered_at: dt.datetime | None = None,
    currency: str = "USD",
    channel: str = SalesChannel.ONLINE,
    source: str = "manual",
    status: str = OrderStatus.COMPLETED,
) -> Order:
    """Record an order with its lines, on the timeline; a first completed order makes the
    person a client. Every bad value is reported by line and field; nothing is coerced.

    ``status`` is completed (paid) or pending (not paid yet: no revenue until completed).
    """
    check_actor(actor)
    errors: dict[str, list[str]] = {}
    if status not in {OrderStatus.COMPLETED, OrderStatus.PENDING}:
        errors["status"] = ["A new order is either completed or pending."]
    if not number.strip():
        errors["number"] = ["An order needs a number."]
    try:
        validate_currency(currency)
    except ValidationError as exc:
        errors["currency"] = exc.messages
    if channel not in SalesChannel.values:
        errors["channel"] = [f"{channel!r} is not a sales channel."]
    if not lines:
        errors["lines"] = ["An order needs at least one line."]
    ordered_at = ordered_at or timezone.now()
    if timezone.is_naive(ordered_at):
        errors["ordered_at"] = ["The order time needs a time zone."]
    elif ordered_at < person.first_seen_at:
        errors["ordered_at"] = ["An order cannot come before the person's first contact."]
    built: list[OrderLine] = []
    products = {
        p.sku: p for p in Product.objects.filter(sku__in=[ln.sku for ln in lines if ln.sku])
    }
    for index, line in enumerate(lines, start=1):
        try:
            if (
                not isinstance(line.quantity, int)
                or isinstance(line.quantity, bool)
                or line.quantity < 1
            ):
                raise ValidationError(
                    {"quantity": f"{line.quantity!r} is not a whole number of at least 1."}
                )
            unit_price = parse_amount(line.unit_price, field="unit_price")
            discount = parse_amount(line.discount, field="discount")
            line_total = unit_price * line.quantity - discount
            if line_total < 0:
                raise ValidationError({"discount": "The discount is larger than the line."})
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(f"lines[{index}].{field}", []).extend(messages)
            continue
        product = products.get(line.sku)
        built.append(
            OrderLine(
                product=product,
                sku=line.sku,
                description=line.description or (product.name if product else ""),
                quantity=line.quantity,
                unit_price=unit_price,
                discount=discount,
                line_total=line_total,
            )  # fmt: skip
        )
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            total = sum((ln.line_total for ln in built), Decimal("0.00"))
            order = Order.objects.create(
                person=person, number=number.strip(), ordered_at=ordered_at, currency=currency,
                channel=channel, source=source, total=total, status=status,
            )  # fmt: skip
            for line_obj in built:
                line_obj.order = order
            OrderLine.objects.bulk_create(built)
            contact_services.record_activity(
                person,
                ActivityKind.ORDER,
                occurred_at=ordered_at,
                channel=ActivityChannel.WEB
                if channel == SalesChannel.ONLINE
                else ActivityChannel.IN_PERSON,
                direction=Direction.INBOUND,
                subject=f"Order {order.number}: {order.total} {currency}"
                + (" (pending)" if status == OrderStatus.PENDING else ""),
                data={"order": order.pk, "total": str(order.total), "currency": currency}
                # The products of a completed order, for the "product bought" trigger.
                | ({"skus": _skus(built)} if status == OrderStatus.COMPLETED else {}),
                ref=f"order:{order.pk}",
            )
            if status == OrderStatus.COMPLETED:
                lifecycle.order_placed(person, at=ordered_at)
            hooks.orders_changed()
    except IntegrityError as exc:
        raise ValidationError({"number": f"Order {number} already exists."}) from exc
    return order


def _skus(lines: Any) -> list[str]:
    """The SKUs of the catalogue products among ``lines``, sorted, each once."""
    return sorted({line.product.sku for line in lines if line.product_id is not None})


def refund_order(
    order: Order, amount: Any, *, actor: Any, at: dt.datetime | None = None, reason: str = ""
) -> Order:
    """Pay back part or all of an order; the status follows the refunded share."""
    check_actor(actor)
    value = parse_amount(amount, field="amount")
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status == OrderStatus.VOIDED:
            raise ValidationError({"amount": "A voided order cannot be refunded."})
        if order.status == OrderStatus.PENDING:
            raise ValidationError({"amount": "A pending order was not paid: void it instead."})
        if value <= 0 or order.refunded + value > order.total:
            raise ValidationError(
                {"amount": f"Refund must be above zero and at most {order.total - order.refunded}."}
            )
        order.refunded += value
        order.status = (
            OrderStatus.REFUNDED
            if order.refunded == order.total
            else OrderStatus.PARTIALLY_REFUNDED
        )
        order.save(update_fields=["refunded", "status", "updated_at"])
        contact_services.record_activity(
            order.person,
            ActivityKind.ORDER,
            occurred_at=at or timezone.now(),
            channel=ActivityChannel.SYSTEM,
            direction=Direction.OUTBOUND,
            associate=actor,
            subject=f"Refund of {value} {order.currency} on order {order.number}",
            body=reason.strip(),
            data={"order": order.pk, "refund": str(value)},
            ref=f"order:{order.pk}",
        )
        hooks.orders_changed()
    return order


def void_order(order: Order, *, actor: Any, reason: str = "") -> Order:
    """Void an order that never completed (it no longer counts as revenue)."""
    check_actor(actor)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status == OrderStatus.VOIDED:
            raise ValidationError({"status": "This order is already voided."})
        if order.refunded:
            raise ValidationError({"status": "A refunded order cannot be voided."})
        order.status = OrderStatus.VOIDED
        order.save(update_fields=["status", "updated_at"])
        contact_services.record_activity(
            order.person,
            ActivityKind.ORDER,
            channel=ActivityChannel.SYSTEM,
            direction=Direction.INTERNAL,
            associate=actor,
            subject=f"Order {order.number} voided",
            body=reason,
            data={"order": order.pk, "voided": True},
            ref=f"order:{order.pk}",
        )
        hooks.orders_changed()
    return order


def complete_order(order: Order, *, actor: Any, at: dt.datetime | None = None) -> Order:
    """A pending order was paid: it counts as revenue from now on, and a first completed
    order makes the person a client."""
    check_actor(actor)
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("person").get(pk=order.pk)
        if order.status != OrderStatus.PENDING:
            raise ValidationError({"status": "Only a pending order can be marked as paid."})
        order.status = OrderStatus.COMPLETED
        order.save(update_fields=["status", "updated_at"])
        contact_services.record_activity(
            order.person,
            ActivityKind.ORDER,
            occurred_at=at or timezone.now(),
            channel=ActivityChannel.SYSTEM,
            direction=Direction.INBOUND,
            associate=actor,
            subject=f"Order {order.number} paid: {order.total} {order.currency}",
            data={
                "order": order.pk,
                "completed": True,
                "skus": _skus(order.lines.select_related("product")),
            },
            ref=f"order:{order.pk}",
        )
        lifecycle.order_placed(order.person, at=order.ordered_at)
        hooks.orders_changed()
    return order


def start_subscription(
    person: Person,
    *,
    actor: Any,
    plan: str,
    monthly_amount: Any,
    started_on: dt.date,
    currency: str = "USD",
    product: Product | None = None,
) -> Subscription:
    check_actor(actor)
    subscription = Subscription(
        person=person, plan=plan, product=product, currency=currency, started_on=started_on,
        monthly_amount=parse_amount(monthly_amount, field="monthly_amount"),
    )  # fmt: skip
    subscription.full_clean()
    subscription.save()
    return subscription


def end_subscription(
    subscription: Subscription, *, actor: Any, ended_on: dt.date, reason: str = ""
) -> Subscription:
    check_actor(actor)
    subscription.ended_on = ended_on
    subscription.cancel_reason = reason
    subscription.full_clean()
    subscription.save(update_fields=["ended_on", "cancel_reason", "updated_at"])
    return subscription


def record_spend(
    *, actor: Any, channel: Any, month: dt.date, amount: Any, currency: str = "USD"
) -> MarketingSpend:
    """Record (or correct) a month's spend on an acquisition channel."""
    check_actor(actor)
    value = parse_amount(amount, field="amount")
    spend = MarketingSpend(channel=channel, month=month, amount=value, currency=currency)
    spend.full_clean(validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        obj, _ = MarketingSpend.objects.update_or_create(
            channel=channel, month=month, currency=currency, defaults={"amount": value}
        )
    return obj


DEAL_FIELDS = {
    "title", "person", "organization", "owner", "stage", "value", "currency", "probability",
    "expected_close", "lost_reason", "next_step", "next_step_due",
}  # fmt: skip


def save_deal(
    deal: Deal | None = None, *, actor: Any, at: dt.datetime | None = None, **fields: Any
) -> Deal:
    """Create a deal, or change ``deal``, after full validation. A new stage is written to
    the deal's stage history with who moved it and to its person's timeline (which fires
    the deal workflow triggers); a won or lost stage closes the deal, any other reopens
    it. A lost stage needs a reason. A changed next step becomes a task for the deal's
    owner (the one it replaces is dismissed). ``at`` dates a move recorded after the fact
    (imports, the demo); by default it happened now."""
    check_actor(actor)
    unknown = set(fields) - DEAL_FIELDS
    if unknown:
        raise ValidationError({name: "Unknown field." for name in sorted(unknown)})
    with transaction.atomic():
        if deal is not None and deal.pk is not None:
            deal = Deal.objects.select_for_update().select_related("stage").get(pk=deal.pk)
            before, step_before = deal.stage_id, (deal.next_step, deal.next_step_due)
        else:
            deal, before, step_before = Deal(), None, ("", None)
        for name, value in fields.items():
            if name in {"lost_reason", "next_step"}:
                value = (value or "").strip()
            setattr(deal, name, value)
        if "value" in fields:
            deal.value = parse_amount(fields["value"], field="value")
        if not (deal.title or "").strip():
            raise ValidationError({"title": "A deal needs a title."})
        if deal.person_id is None and deal.organization_id is None:
            raise ValidationError("A deal is with a person or an organization: name one.")
        deal.full_clean()
        moved = deal.stage_id != before
        deal_moves.check_move(deal, moved=moved)
        if moved:
            closing = deal.stage.is_won or deal.stage.is_lost
            deal.closed_at = (deal.closed_at or at or timezone.now()) if closing else None
            if not deal.stage.is_lost:
                deal.lost_reason = ""
        deal.save()
        if moved:
            deal_moves.record_move(deal, from_stage_id=before, actor=actor, at=at)
        if (deal.next_step, deal.next_step_due) != step_before:
            deal_moves.replace_next_step_task(deal, actor=actor)
    return deal
