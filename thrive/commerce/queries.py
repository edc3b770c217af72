"""Reads of orders and deals: what counts as revenue and the orders list's filters, and the
order and deal pages.

The dashboard's revenue figures (analytics) and the orders list they open both start from
:func:`revenue_orders`, so a figure and its list cannot disagree about which orders count.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, DecimalField, ExpressionWrapper, F, QuerySet, Sum
from django.utils import timezone

from thrive.contacts.models import Activity
from thrive.core import business

from .models import Deal, DealStageChange, Order, OrderStatus

MONEY = DecimalField(max_digits=16, decimal_places=2)
# Pending orders are not paid yet and voided ones never happened: neither is revenue.
NOT_REVENUE = [OrderStatus.VOIDED, OrderStatus.PENDING]
# The orders list's status filter: one of OrderStatus, or every order that counts as revenue.
REVENUE = "revenue"


def business_zone() -> ZoneInfo:
    return business.zone()


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the business's time zone."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=business_zone())


def net_amount() -> ExpressionWrapper:
    """An order's revenue: its total less what was refunded."""
    return ExpressionWrapper(F("total") - F("refunded"), output_field=MONEY)


def revenue_orders(
    *, currency: str | None = None, before: dt.date | None = None
) -> QuerySet[Order]:
    """Orders that count as revenue (not voided, not pending), in one currency, before a day
    (in the business's time zone)."""
    currency = currency or business.currency()
    orders = Order.objects.filter(currency=currency).exclude(status__in=NOT_REVENUE)
    if before is not None:
        orders = orders.filter(ordered_at__lt=day_start(before))
    return orders.order_by()


def orders_matching(filters: dict[str, Any]) -> QuerySet[Order]:
    """The orders list's query for validated ``OrderFilterForm`` data.

    ``start`` and ``end`` are days in the business's time zone, both included.
    """
    status = filters.get("status") or ""
    orders: QuerySet[Order] = (
        revenue_orders(currency=filters.get("currency") or None)
        if status == REVENUE
        else Order.objects.all()
    )
    if status and status != REVENUE:
        orders = orders.filter(status=status)
    if filters.get("currency") and status != REVENUE:
        orders = orders.filter(currency=filters["currency"])
    if filters.get("start"):
        orders = orders.filter(ordered_at__gte=day_start(filters["start"]))
    if filters.get("end"):
        orders = orders.filter(ordered_at__lt=day_start(filters["end"] + dt.timedelta(days=1)))
    if filters.get("channel"):
        orders = orders.filter(channel=filters["channel"])
    if filters.get("person"):
        orders = orders.filter(person_id=filters["person"])
    return orders.order_by("-ordered_at", "-id")


def totals_by_currency(orders: QuerySet[Order]) -> list[dict[str, Any]]:
    """Count, total, refunded and net of ``orders`` per currency (never added across
    currencies), largest count first."""
    rows = (
        orders.order_by()
        .values("currency")
        .annotate(
            n=Count("id"), ordered=Sum("total"), refunds=Sum("refunded"), net=Sum(net_amount())
        )
        .order_by("-n", "currency")
    )
    return [dict(row) for row in rows]


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
    taken = set(Order.objects.filter(number__startswith=prefix).values_list("number", flat=True))
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
