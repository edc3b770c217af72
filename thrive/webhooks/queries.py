"""Reads the webhooks page makes: subscriptions with their delivery counts, and the log."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import DeliveryStatus, WebhookDelivery, WebhookSubscription


def subscriptions_with_counts() -> QuerySet[WebhookSubscription]:
    """Every subscription with how many of its deliveries arrived and how many failed."""
    return WebhookSubscription.objects.annotate(
        delivered=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.DELIVERED)),
        failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
    )


def delivery_log(status: str = "", limit: int = 100) -> QuerySet[WebhookDelivery]:
    """The latest deliveries (model ordering), only those in ``status`` when it is one."""
    deliveries = WebhookDelivery.objects.select_related("subscription")
    if status in DeliveryStatus.values:
        deliveries = deliveries.filter(status=status)
    return deliveries[:limit]
