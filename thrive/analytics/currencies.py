"""Revenue in currencies other than the business's: counted per currency, never converted
or added to the business's figures, and shown beside them wherever revenue is shown."""

from __future__ import annotations

import datetime as dt
from operator import itemgetter
from typing import Any

from django.db.models import Count, ExpressionWrapper, F, QuerySet, Sum

from thrive.commerce.models import Order, OrderStatus
from thrive.core import business

from .aggregates import MONEY


def other_currency_orders() -> QuerySet[Order]:
    """Orders that count as revenue but are in a currency other than the business's."""
    return (
        Order.objects.exclude(currency=business.currency())
        .exclude(status__in=[OrderStatus.VOIDED, OrderStatus.PENDING])
        .order_by()
    )


def other_currency_revenue(
    *, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Net revenue and order count per currency other than the business's, in [start, end).

    Amounts in different currencies are never added together: every figure stays in the
    business's currency, and these are shown beside it, one line per currency."""
    orders = other_currency_orders()
    if start is not None:
        orders = orders.filter(ordered_at__gte=start)
    if end is not None:
        orders = orders.filter(ordered_at__lt=end)
    net = ExpressionWrapper(F("total") - F("refunded"), output_field=MONEY)
    rows = orders.values("currency").annotate(revenue=Sum(net), orders=Count("id"))
    return [
        {"currency": r["currency"], "revenue": float(r["revenue"] or 0), "orders": r["orders"]}
        for r in sorted(rows, key=itemgetter("currency"))
    ]
