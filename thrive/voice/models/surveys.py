"""NPS surveys, who was asked, and what they answered."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from thrive.contacts.models import Person
from thrive.segments.models import Segment

DEFAULT_QUESTION = "How likely are you to recommend us to a friend or colleague?"
DEFAULT_COOLDOWN_DAYS = 90


class Survey(models.Model):
    """An NPS question sent to a segment (or to one person by a service call)."""

    name = models.CharField(max_length=120)
    question = models.CharField(max_length=300, default=DEFAULT_QUESTION)
    segment = models.ForeignKey(
        Segment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Gets the follow-up tasks for detractors and promoters.",
    )
    cooldown_days = models.PositiveIntegerField(
        default=DEFAULT_COOLDOWN_DAYS,
        validators=[MaxValueValidator(3650)],
        help_text="Nobody is asked any survey again within this many days.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class InviteStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SKIPPED = "skipped", "Not sent (no consent, suppressed or no email)"


class SurveyInvite(models.Model):
    """One person asked one survey once; the score links in the email point at it."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invites")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="survey_invites")
    delivery = models.ForeignKey(
        "outreach.Delivery", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=8, choices=InviteStatus.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            # The cool-down check: was this person asked anything since a date?
            models.Index(fields=["person", "status", "sent_at"], name="invite_cooldown_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} → {self.person_id}"


class SurveyResponse(models.Model):
    """A 0–10 answer (one per invite; a second click changes the score) and a comment."""

    invite = models.OneToOneField(SurveyInvite, on_delete=models.CASCADE, related_name="response")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="survey_responses")
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    comment = models.TextField(max_length=2000, blank=True)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-answered_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__lte=10),
                name="response_score_0_to_10",
                violation_error_message="A score is from 0 to 10.",
            )
        ]
        indexes = [
            # NPS over time and the dashboard's window.
            models.Index(fields=["answered_at"], name="response_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.score}"

    @property
    def category(self) -> str:
        if self.score >= 9:
            return "promoter"
        return "passive" if self.score >= 7 else "detractor"
