"""Segment rules about orders: how many, how much, first and last order dates.

Registered with the segment registry at start-up (``CommerceConfig.ready``). Every rule
is an ``EXISTS`` test on the (person, ordered_at) index or an ``IN`` over the per-person
order totals the database keeps (``PersonOrderTotals``), so counting a segment stays one
query on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q

from thrive.segments.registry import Field, ValueKind, compare_ops, date_ops, register_field
from thrive.segments.sql import Clock

from .models import REVENUE_STATUSES, Order, PersonOrderTotals


def _orders(**filters: Any) -> Any:
    """This person's orders that count (the money was kept), as a correlated query."""
    # Sorted so the SQL text is stable (a frozenset has no order).
    counted = sorted(REVENUE_STATUSES)
    return Order.objects.filter(person=OuterRef("pk"), status__in=counted, **filters)


def _order_date_q(which: str, op: str, value: Any, clock: Clock) -> Q:
    """First/last order date rules as EXISTS tests on the (person, ordered_at) index.

    "Last order before D" is "has an order, and none on or after D"; "first order after
    D" is "has an order, and none before D's end". No MIN/MAX per person is computed.
    """
    if op == "before":
        lo, hi = None, clock.start_of(dt.date.fromisoformat(value))
    elif op == "after":
        lo, hi = clock.end_of(dt.date.fromisoformat(value)), None
    elif op == "between":
        start, end = (dt.date.fromisoformat(v) for v in value)
        lo, hi = clock.start_of(start), clock.end_of(end)
    elif op == "within_last_days":
        lo, hi = clock.days_ago(value), clock.now
    else:  # more_than_days_ago
        lo, hi = None, clock.days_ago(value)
    in_window: dict[str, Any] = {}
    if lo is not None:
        in_window["ordered_at__gte"] = lo
    if hi is not None:
        in_window["ordered_at__lt"] = hi
    condition = Q(Exists(_orders(**in_window)))
    # The extreme order must be inside the window: nothing beyond it on the far side.
    if which == "first" and lo is not None:
        condition &= ~Q(Exists(_orders(ordered_at__lt=lo)))
    if which == "last" and hi is not None:
        condition &= ~Q(Exists(_orders(ordered_at__gte=hi)))
    return condition


_HOLDS = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def _per_person_q(column: str, op: str, value: Any, zero: Any) -> Q:
    """ "This person's ``column`` of :class:`PersonOrderTotals` compares with ``value``".

    ``id IN (SELECT person_id FROM commerce_personordertotals WHERE …)``: an index-only
    range scan of the figure's index, where aggregating every counted order per request
    took seconds at 1,000,000 people. The table is kept exact by the database (see the
    model). People without orders have no row and a total of ``zero``; when the
    comparison holds for zero the rule is turned around, "nobody whose total fails it".
    """
    lookup = "exact" if op in ("eq", "ne") else op
    holds = Q(**{f"{column}__{lookup}": value})
    if op == "ne":
        holds = ~holds
    totals = PersonOrderTotals.objects.all()
    if _HOLDS[op](zero, value):
        return ~Q(pk__in=totals.filter(~holds).values("person"))
    return Q(pk__in=totals.filter(holds).values("person"))


def _count_q(op: str, value: int) -> Q:
    # "At least one" and "none": EXISTS on the totals' primary key, a (anti-)semi-join on
    # both databases. At 1,000,000 people it counts in about half the time of EXISTS over
    # the orders (0.54 s against 1.04 s; "none" 0.38–0.46 s against 1.1 s).
    has_orders = Exists(PersonOrderTotals.objects.filter(person=OuterRef("pk")))
    if (op, value) in {("gte", 1), ("gt", 0), ("ne", 0)}:
        return Q(has_orders)
    if (op, value) in {("eq", 0), ("lt", 1), ("lte", 0)}:
        return ~Q(has_orders)
    return _per_person_q("orders_count", op, value, 0)


def _amount_q(op: str, value: float) -> Q:
    return _per_person_q("amount", op, Decimal(str(value)), Decimal("0"))


def register() -> None:
    group = "Orders"
    register_field(
        Field("orders_count", "Number of orders", group, compare_ops(ValueKind.COUNT)),
        lambda op, value, clock: _count_q(op, value),
    )
    register_field(
        Field("orders_amount", "Total spent", group, compare_ops(ValueKind.NUMBER), money=True),
        lambda op, value, clock: _amount_q(op, value),
    )
    register_field(
        Field("first_order_date", "First order", group, date_ops()),
        lambda op, value, clock: _order_date_q("first", op, value, clock),
    )
    register_field(
        Field("last_order_date", "Last order", group, date_ops()),
        lambda op, value, clock: _order_date_q("last", op, value, clock),
    )
