"""Segment rules about what people bought: a product or a product category, bought or not
bought, ever or within a recent window.

The window is part of the operator ("was bought in the last 90 days: any of"), so the rule
builder edits these rules with its usual operator list and choice picker, no JSON. Only
orders whose goods were kept count (a fully refunded or voided order is not a purchase).

Each rule is one ``EXISTS`` (or ``NOT EXISTS``) over the per-person summary the database
keeps (:class:`~thrive.commerce.models.PersonProduct`: each person's first and last kept
purchase of each product), read through an index on SQLite and PostgreSQL alike, instead
of joining every order line to its order per count. "Ever" reads ``first_at``; a window
reads ``last_at``, and only for a product last bought after the clock's "now" (a segment
evaluated as of a past day) does it look at that person's order lines, since the summary
cannot tell whether an earlier purchase fell in the window.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from thrive.segments.registry import Field, Operator, ValueKind, register_field
from thrive.segments.sql import Clock

from .models import OrderLine, OrderStatus, PersonProduct, Product

KEPT = sorted({OrderStatus.COMPLETED, OrderStatus.PARTIALLY_REFUNDED})
# The windows offered; ``None`` is "ever".
WINDOWS: tuple[int | None, ...] = (None, 30, 90, 180, 365)


def _window_words(days: int | None) -> str:
    return "ever" if days is None else f"in the last {days} days"


def _op_name(bought: bool, days: int | None) -> str:
    return f"{'bought' if bought else 'not_bought'}_{'ever' if days is None else days}"


def bought_ops() -> tuple[Operator, ...]:
    ops = [
        Operator(
            _op_name(True, d),
            "was bought (ever): any of"
            if d is None
            else f"was bought in the last {d} days: any of",
            ValueKind.CHOICES,
        )
        for d in WINDOWS
    ]
    ops += [
        Operator(
            _op_name(False, d),
            "was never bought: any of"
            if d is None
            else f"was not bought in the last {d} days: any of",
            ValueKind.CHOICES,
        )
        for d in WINDOWS
    ]
    return tuple(ops)


_PARSED = {_op_name(b, d): (b, d) for b in (True, False) for d in WINDOWS}


def _bought_q(column: str, op: str, value: list[str], clock: Clock) -> Q:
    """One EXISTS over this person's summary rows whose product ``column`` is in ``value``
    (bought within the window), negated for "not bought"."""
    bought, days = _PARSED[op]
    products = Product.objects.filter(**{f"{column}__in": sorted(value)}).values("pk")
    rows = PersonProduct.objects.filter(person=OuterRef("pk"), product__in=products)
    # Up to the clock's "now", so a segment evaluated as of a past day (a campaign's
    # send time) reads the purchases known then.
    if days is None:
        rows = rows.filter(first_at__lte=clock.now)
    else:
        since = clock.days_ago(days)
        # Last bought in [since, now]: bought in the window. Last bought after now: the
        # summary cannot tell, so those rows alone (none unless the clock is in the past)
        # ask the order lines for a kept purchase of that product in the window.
        in_window = OrderLine.objects.filter(
            order__person=OuterRef("person"),
            product=OuterRef("product"),
            order__status__in=KEPT,
            order__ordered_at__gte=since,
            order__ordered_at__lte=clock.now,
        )
        rows = rows.filter(last_at__gte=since).filter(
            Q(last_at__lte=clock.now) | Q(Exists(in_window))
        )
    condition = Q(Exists(rows))
    return condition if bought else ~condition


def product_options() -> list[tuple[str, str]]:
    rows = Product.objects.order_by("name", "sku").values_list("sku", "name")
    return [(sku, f"{name} ({sku})") for sku, name in rows]


def category_options() -> list[tuple[str, str]]:
    names = (
        Product.objects.exclude(category="")
        .order_by("category")
        .values_list("category", flat=True)
        .distinct()
    )
    return [(c, c) for c in names]


def register() -> None:
    group = "Products bought"
    register_field(
        Field("product_bought", "Product", group, bought_ops(), options="product"),
        lambda op, value, clock: _bought_q("sku", op, value, clock),
        option_sources={"product": product_options},
    )
    register_field(
        Field("category_bought", "Product category", group, bought_ops(), options="category"),
        lambda op, value, clock: _bought_q("category", op, value, clock),
        option_sources={"category": category_options},
    )
