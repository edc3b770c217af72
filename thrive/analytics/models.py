"""What the background job computes so pages never wait on a model fit."""

from __future__ import annotations

from django.db import models

from thrive.contacts.models import ChurnRisk, Person


class CustomerScore(models.Model):
    """The latest predictions and RFM standing of one customer (one row per customer with
    orders), refreshed by the worker. Segments and lists filter on these columns."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="score")
    computed_at = models.DateTimeField()
    frequency = models.PositiveIntegerField(help_text="Repeat purchase days.")
    recency_days = models.PositiveIntegerField(help_text="Days since the last purchase.")
    tenure_days = models.PositiveIntegerField(help_text="Days since the first purchase.")
    revenue = models.DecimalField(max_digits=14, decimal_places=2)
    p_alive = models.FloatField(help_text="Probability the customer still buys (0–1).")
    expected_purchases_90d = models.FloatField()
    predicted_clv = models.DecimalField(max_digits=14, decimal_places=2)
    churn_risk = models.CharField(max_length=8, choices=ChurnRisk.choices)
    rfm_r = models.PositiveSmallIntegerField()
    rfm_f = models.PositiveSmallIntegerField()
    rfm_m = models.PositiveSmallIntegerField()
    rfm_segment = models.CharField(max_length=32)

    class Meta:
        indexes = [
            # List filters and segment rules: "valuable customers slipping away".
            models.Index(fields=["churn_risk", "predicted_clv"], name="score_risk_clv_idx"),
            # RFM segment filter on the people list.
            models.Index(fields=["rfm_segment"], name="score_rfm_idx"),
        ]

    def __str__(self) -> str:
        return f"Score of {self.person_id}"


class DashboardSnapshot(models.Model):
    """Every dashboard figure and chart series at one moment, as JSON."""

    computed_at = models.DateTimeField()
    as_of = models.DateField()
    payload = models.JSONField()
    duration_seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-computed_at"]
        get_latest_by = "computed_at"

    def __str__(self) -> str:
        return f"Dashboard as of {self.as_of}"


class RefreshStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class AnalyticsRefresh(models.Model):
    """One run of the background job that recomputes scores and the dashboard; its
    progress drives the progress bar people see while it works."""

    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=8, choices=RefreshStatus.choices, default=RefreshStatus.QUEUED
    )
    step = models.CharField(max_length=120, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="0–100")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        get_latest_by = "requested_at"

    def __str__(self) -> str:
        return f"Refresh {self.pk} ({self.status})"
