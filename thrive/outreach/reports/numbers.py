"""Sends, deliveries, opens, clicks, unsubscribes and bounces, counted in SQL."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from ..models import PENDING_STATUSES, Delivery, DeliveryStatus

HOLDOUT = "holdout"

COUNTS = {
    "recipients": Count("id"),
    "held_out": Count("id", filter=Q(skip_reason=HOLDOUT)),
    "skipped": Count("id", filter=Q(status=DeliveryStatus.SKIPPED) & ~Q(skip_reason=HOLDOUT)),
    "pending": Count("id", filter=Q(status__in=PENDING_STATUSES)),
    "failed": Count("id", filter=Q(status=DeliveryStatus.FAILED)),
    "sent": Count("id", filter=Q(sent_at__isnull=False)),
    "delivered": Count("id", filter=Q(sent_at__isnull=False, bounced_at__isnull=True)),
    "opened": Count("id", filter=Q(opened_at__isnull=False)),
    "clicked": Count("id", filter=Q(clicked_at__isnull=False)),
    "unsubscribed": Count("id", filter=Q(unsubscribed_at__isnull=False)),
    "bounced": Count("id", filter=Q(bounced_at__isnull=False)),
    "complained": Count("id", filter=Q(complained_at__isnull=False)),
}


def _with_rates(row: dict[str, Any]) -> dict[str, Any]:
    sent = row.get("sent") or 0
    for name in ("opened", "clicked", "unsubscribed", "bounced", "complained"):
        row[f"{name}_rate"] = (row.get(name) or 0) / sent if sent else None
    return row


def totals(deliveries: QuerySet[Delivery]) -> dict[str, Any]:
    return _with_rates(deliveries.aggregate(**COUNTS))


def by(deliveries: QuerySet[Delivery], field: str) -> dict[Any, dict[str, Any]]:
    """Counts grouped by ``field`` (``variant`` or ``sequence_step``), one query."""
    rows = deliveries.order_by().values(field).annotate(**COUNTS)
    return {row[field]: _with_rates(dict(row)) for row in rows}
