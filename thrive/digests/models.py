"""What the follow-up emails keep: each associate's choices, the digests sent (one per
associate per local day) and the urgent emails sent (one per event)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone

DEFAULT_HOUR = 7


class UrgentKind(models.TextChoices):
    DETRACTOR = "detractor", "A new detractor (NPS 0–6) in my surveys"
    BOOKING = "booking", "A session booked, moved or cancelled with me"
    IDEAL_FORM = "ideal_form", "A form filled in by a likely client (hot lead)"
    WORKFLOW = "workflow", "A workflow's “notify” step names me"
    LEAD_FORM = "lead_form", "A lead-capture form that names me is sent"


class NotificationSettings(models.Model):
    """One associate's choices; an associate without a row gets the defaults (all on)."""

    associate = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    daily_digest = models.BooleanField(default=True)
    digest_hour = models.PositiveSmallIntegerField(
        default=DEFAULT_HOUR,
        validators=[MaxValueValidator(23)],
        help_text="The hour of the morning, in the associate's own zone.",
    )
    urgent_detractor = models.BooleanField(default=True)
    urgent_booking = models.BooleanField(default=True)
    urgent_ideal_form = models.BooleanField(default=True)
    urgent_workflow = models.BooleanField(default=True)
    urgent_lead_form = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "notification settings"

    def __str__(self) -> str:
        return f"Notifications of {self.associate}"

    def wants(self, kind: str) -> bool:
        return bool(getattr(self, f"urgent_{kind}", False))


class DigestStatus(models.TextChoices):
    CLAIMED = "claimed", "Being sent"
    SENT = "sent", "Sent"
    EMPTY = "empty", "Nothing to say (not sent)"


class DigestRun(models.Model):
    """The digest of one associate for one local day. The unique pair is the claim:
    whichever worker inserts it sends it; any other finds it and sends nothing."""

    associate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_runs"
    )
    day = models.DateField(help_text="The associate's local date.")
    status = models.CharField(
        max_length=12, choices=DigestStatus.choices, default=DigestStatus.CLAIMED
    )
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-day", "associate_id"]
        constraints = [
            models.UniqueConstraint(fields=["associate", "day"], name="digest_once_per_day")
        ]

    def __str__(self) -> str:
        return f"Digest of {self.associate} for {self.day}"


class UrgentEmail(models.Model):
    """One urgent email; ``key`` names the event and the associate, so a second signal
    or a retried step sends nothing."""

    key = models.CharField(max_length=120, unique=True)
    associate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="urgent_emails"
    )
    kind = models.CharField(max_length=16, choices=UrgentKind.choices)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class DigestCursor(models.Model):
    """The single row that says a digest tick is queued (so only one is pending)."""

    tick_due_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Next digest tick at {self.tick_due_at}" if self.tick_due_at else "No tick queued"
