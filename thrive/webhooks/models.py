"""Webhook subscriptions, their deliveries, and how far the log has been read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class WebhookSubscription(models.Model):
    """An address that wants to hear about some event types, signed with a secret.

    The secret is kept encrypted (the sender needs it to sign; see ``vault``) and shown
    once when created.
    ``since_activity_id``: activities up to this id happened before the subscription
    and are never sent to it.
    """

    url = models.URLField(max_length=500)
    event_types = models.JSONField(default=list)
    encrypted_secret = models.CharField(
        max_length=400, help_text="The signing secret, encrypted with a key from SECRET_KEY."
    )
    active = models.BooleanField(default=True)
    description = models.CharField(max_length=200, blank=True)
    since_activity_id = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.url

    def signing_secret(self) -> str:
        """The secret in clear; raises vault.SecretUnreadable under another SECRET_KEY."""
        from .vault import unseal

        return unseal(self.encrypted_secret)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    RETRYING = "retrying", "Failed, will retry"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed for good"


DUE_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING, DeliveryStatus.SENDING)


class WebhookDelivery(models.Model):
    """One event sent (or to send) to one subscription, with every attempt's outcome."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.CharField(max_length=40, help_text="evt_<activity id>; receivers dedupe.")
    event_type = models.CharField(max_length=40)
    activity_id = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_try_at = models.DateTimeField(default=timezone.now)
    last_tried_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_response = models.CharField(max_length=500, blank=True, help_text="Excerpt or error.")
    replay_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"],
                condition=models.Q(replay_of__isnull=True),
                name="webhook_delivery_once",
                violation_error_message="This event was already queued for this subscription.",
            )
        ]
        indexes = [
            # The sender's look-up of deliveries that are due.
            models.Index(fields=["status", "next_try_at"], name="webhook_delivery_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription_id} ({self.status})"


class WebhookCursor(models.Model):
    """How far the webhook sender has read the activity log; ``tick_due_at`` is set
    while a background tick is queued, so only one is pending."""

    name = models.CharField(max_length=40, unique=True)
    last_activity_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    tick_due_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.last_activity_id}"
