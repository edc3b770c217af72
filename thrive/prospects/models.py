"""What the prospects app keeps: the ideal-client profile, lead scores and their model,
partner-portal links and the referrals made through the portal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from thrive.contacts.models import Consent, Person, Referral


class IdealProfile(models.Model):
    """One computation of what the best clients have in common (lifts as JSON)."""

    computed_at = models.DateTimeField(default=timezone.now)
    clients = models.PositiveIntegerField(default=0)
    top_clients = models.PositiveIntegerField(default=0)
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["-computed_at", "-id"]
        get_latest_by = "computed_at"

    def __str__(self) -> str:
        return f"Ideal-client profile of {self.computed_at:%Y-%m-%d %H:%M}"


class LeadModelStatus(models.TextChoices):
    READY = "ready", "Ready"
    TOO_LITTLE_DATA = "too_little_data", "Too little history to learn from"


class LeadModel(models.Model):
    """One fit of the lead-scoring model with its held-out metrics."""

    trained_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=LeadModelStatus.choices)
    note = models.CharField(max_length=500, blank=True)
    horizon_days = models.PositiveIntegerField(default=90)
    train_rows = models.PositiveIntegerField(default=0)
    test_rows = models.PositiveIntegerField(default=0)
    test_positives = models.PositiveIntegerField(default=0)
    auc = models.FloatField(null=True, blank=True, help_text="Area under the ROC curve.")
    brier = models.FloatField(null=True, blank=True, help_text="Mean squared error of p.")
    metrics = models.JSONField(default=dict, help_text="Reliability table, coefficients, …")

    class Meta:
        ordering = ["-trained_at", "-id"]
        get_latest_by = "trained_at"

    def __str__(self) -> str:
        return f"Lead model {self.pk} ({self.get_status_display()})"


class LeadScore(models.Model):
    """The latest chance that a prospect or suspect becomes a client within the model's
    horizon, with the strongest reasons in words."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="lead_score")
    model = models.ForeignKey(LeadModel, on_delete=models.CASCADE, related_name="scores")
    probability = models.FloatField()
    reasons = models.JSONField(default=list)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-probability"]
        indexes = [
            # The lead list (highest first) and the segment rule "lead score ≥ p".
            models.Index(fields=["probability"], name="leadscore_probability_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.probability:.2f}"


class LeadTestPrediction(models.Model):
    """One held-out row of a lead model's test: what it predicted for a lead at a test
    cut-off and whether they became a client within the horizon. The fairness report
    compares these by group; only the latest ready model keeps them."""

    model = models.ForeignKey(LeadModel, on_delete=models.CASCADE, related_name="test_rows_kept")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    cutoff = models.DateTimeField()
    probability = models.FloatField()
    converted = models.BooleanField()

    class Meta:
        ordering = ["model", "cutoff", "person"]

    def __str__(self) -> str:
        return f"{self.person_id} at {self.cutoff:%Y-%m-%d}: {self.probability:.2f}"


class PortalLink(models.Model):
    """A magic link to one partner's portal. The token carries a random nonce; only its
    hash is kept, and ``used_at`` makes the link single-use: whoever opens it first gets
    the portal session, nobody else can with the same link."""

    partner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="portal_links")
    nonce_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Portal link of {self.partner_id} ({'used' if self.used_at else 'unused'})"


class PortalReferral(models.Model):
    """A referral made through the partner portal, with the consent the partner vouched
    for; ``thanked_at`` is set when the partner was thanked for a new client."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="portal")
    partner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    consent = models.ForeignKey(
        Consent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    thanked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Portal referral {self.referral_id}"
