"""Reads for the order and deal pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from thrive.contacts.models import Activity

from .models import Deal, DealStageChange, Order


def order_with_lines(pk: int) -> Order | None:
    return (
        Order.objects.select_related("person")
        .prefetch_related("lines__product")
        .filter(pk=pk)
        .first()
    )


def order_timeline(order: Order) -> list[Any]:
    """The timeline entries about this order (recorded, refunded, voided), oldest first."""
    return list(
        Activity.objects.filter(person_id=order.person_id, ref=f"order:{order.pk}")
        .select_related("associate")
        .order_by("occurred_at", "id")
    )


def suggested_order_number() -> str:
    """A free number for an order recorded by hand: M-<date>-<n>."""
    prefix = f"M-{timezone.localdate():%Y%m%d}-"
    taken = set(
        Order.objects.filter(number__startswith=prefix).values_list("number", flat=True)
    )
    n = len(taken) + 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def open_deals(*, person: Any = None, organization: Any = None) -> QuerySet[Deal]:
    """Deals not yet won or lost, for a person or an organization, soonest close first."""
    deals = Deal.objects.select_related("stage", "owner", "person", "organization").filter(
        closed_at__isnull=True
    )
    if person is not None:
        deals = deals.filter(person=person)
    if organization is not None:
        deals = deals.filter(organization=organization)
    return deals.order_by("expected_close", "id")


def deal_history(deal: Deal) -> list[DealStageChange]:
    return list(
        DealStageChange.objects.filter(deal=deal)
        .select_related("from_stage", "to_stage", "actor")
        .order_by("-changed_at", "-id")
    )
