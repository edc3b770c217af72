"""One-off campaigns to a segment, with A/B variants and a holdout."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from thrive.core.models import TimeStampedModel
from thrive.segments.models import Segment

from .choices import CampaignStatus, MessagePurpose
from .templates import EmailTemplate


class Campaign(TimeStampedModel):
    name = models.CharField(max_length=160)
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="campaigns")
    purpose = models.CharField(
        max_length=24, choices=MessagePurpose.choices, default=MessagePurpose.EMAIL_MARKETING
    )
    status = models.CharField(
        max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    holdout_percent = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(50)],
        help_text="Share of the segment that gets nothing, to measure the campaign's effect.",
    )
    scheduled_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    audience_ready = models.BooleanField(
        default=False, help_text="Every recipient's delivery has been created."
    )
    # Automatic stop: past these rates (after enough sends to judge), nothing more goes out.
    max_bounce_rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.0500"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    max_complaint_rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.0030"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    stop_after_sends = models.PositiveIntegerField(
        default=20, help_text="Rates are judged only once this many messages went out."
    )
    stopped_reason = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sender's look-up of scheduled campaigns that are due.
            models.Index(fields=["status", "scheduled_at"], name="outreach_campaign_due_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaign", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status == CampaignStatus.DRAFT


class CampaignVariant(models.Model):
    """One version of the message: a template and, for subject tests, another subject."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="variants")
    label = models.CharField(max_length=8, help_text="A, B, …")
    template = models.ForeignKey(EmailTemplate, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(
        max_length=255, blank=True, help_text="Replaces the template's subject when set."
    )
    weight = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1)], help_text="Relative share of recipients."
    )

    class Meta:
        ordering = ["campaign", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "label"],
                name="campaignvariant_label_once",
                violation_error_message="This campaign already has a variant with that label.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.label}"
