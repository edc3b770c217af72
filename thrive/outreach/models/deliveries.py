"""One message to one person, from queueing to the inbox, with why it was (not) sent."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from thrive.contacts.models import Person

from .campaigns import Campaign, CampaignVariant
from .choices import DeliveryStatus, MessagePurpose, OnCap
from .sequences import SequenceStep
from .templates import EmailTemplate


class Delivery(models.Model):
    """A message to one person, unique by its idempotency key.

    ``reason`` is what the caller said (which campaign, workflow or step, and why);
    ``decisions`` is what Thrive checked before sending (consent, suppression, quiet hours,
    the weekly budget), each with a sentence, so the person page can explain every send.
    """

    idempotency_key = models.CharField(max_length=200, unique=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="deliveries")
    to_email = models.EmailField(max_length=254, blank=True)
    template = models.ForeignKey(
        EmailTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    variant = models.ForeignKey(
        CampaignVariant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sequence_step = models.ForeignKey(
        SequenceStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    purpose = models.CharField(max_length=24, choices=MessagePurpose.choices)
    automated = models.BooleanField(default=True)
    on_cap = models.CharField(max_length=8, choices=OnCap.choices, default=OnCap.DEFER)
    subject_override = models.CharField(max_length=255, blank=True)

    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    skip_reason = models.CharField(max_length=32, blank=True)
    reason = models.JSONField(default=dict, blank=True)
    decisions = models.JSONField(default=list, blank=True)

    # What was sent, fixed when sending starts so a retry sends the very same message.
    prerendered = models.BooleanField(default=False)
    subject = models.CharField(max_length=255, blank=True)
    html_body = models.TextField(blank=True)
    text_body = models.TextField(blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    # A one-to-one email goes out in the associate's name ("Tom at Beans") on the
    # business's own address, and replies reach the associate; blank means the business's.
    from_name = models.CharField(max_length=200, blank=True)
    reply_to = models.EmailField(max_length=254, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Deferred past this, the message is skipped."
    )
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sending_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    activity_recorded = models.BooleanField(
        default=True,
        help_text="False from the moment the server accepted the message until its "
        "activity is on the person's timeline (written once per batch).",
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    complained_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    # Not stored: set while one send runs. The sender marks a delivery it took over
    # mid-send (``resumed``); rendering keeps the unsubscribe link the headers repeat.
    resumed: bool = False
    unsubscribe_link: str = ""

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        indexes = [
            # The sender's claim: pending deliveries by when they are due.
            models.Index(fields=["status", "next_attempt_at"], name="outreach_delivery_due_idx"),
            # The weekly budget and the person page: a person's recent deliveries.
            models.Index(
                fields=["person", "status", "sent_at"], name="outreach_delivery_person_idx"
            ),
            # Sent messages whose timeline activity a dead worker left unwritten.
            models.Index(
                fields=["sent_at"],
                condition=models.Q(activity_recorded=False),
                name="outreach_delivery_unrecorded",
            ),
            # Per-campaign and per-variant numbers.
            models.Index(
                fields=["campaign", "variant", "status"], name="outreach_delivery_camp_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.idempotency_key} ({self.get_status_display()})"
