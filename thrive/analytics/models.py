"""What the background job computes so pages never wait on a model fit."""

from __future__ import annotations

from typing import Any

from django.db import models

from thrive.contacts.models import ChurnRisk, Person
from thrive.core.jobs import BackgroundJob, JobState


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


# A refresh's states are the job kit's (queued, running, finished, failed, cancelled).
RefreshStatus = JobState


class AnalyticsRefresh(BackgroundJob):
    """One run of the background job that recomputes scores and the dashboard; its
    progress (percent, ``done`` of 100) drives the progress bar people see while it works.

    A refresh recomputes everything from the data, so a run whose worker died simply
    starts again (``resumable``: the sweep queues it), up to the kit's attempt limit.
    """

    job_label = "refresh"
    resumable = True
    resume_words = "queued to start again"

    requested_at = models.DateTimeField(auto_now_add=True)
    step = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        get_latest_by = "requested_at"
        verbose_name = "analytics refresh"
        verbose_name_plural = "analytics refreshes"

    def __str__(self) -> str:
        return f"Refresh {self.pk} ({self.state})"

    def enqueue(self) -> None:
        from .tasks import refresh_analytics

        refresh_analytics.enqueue(self.pk)

    def status_words(self) -> str:
        return self.step or super().status_words()

    def status_extra(self) -> dict[str, Any]:
        return {"step": self.step}

    def summary_what(self) -> str:
        return "scores and dashboard" if self.state == JobState.FINISHED else self.step


class BasketRule(models.Model):
    """One association rule "customers who bought these also bought those", found by the
    worker in recent orders after each analytics refresh (``thrive.analytics.basket_rules``).

    Products are stored by id (lists, sorted); a run replaces every row, so all rows share
    one ``computed_at``. Counts are over the orders of the window the run looked at.
    """

    computed_at = models.DateTimeField()
    antecedent = models.JSONField(help_text="Product ids on the left side (bought).")
    consequent = models.JSONField(help_text="Product ids on the right side (also bought).")
    support = models.FloatField(help_text="Share of orders with both sides.")
    confidence = models.FloatField(help_text="Share of orders with the left side that have both.")
    lift = models.FloatField(help_text="Confidence over the right side's own share of orders.")
    orders = models.PositiveIntegerField(help_text="Orders the run looked at.")

    class Meta:
        ordering = ["-confidence", "-lift", "id"]

    def __str__(self) -> str:
        return f"{self.antecedent} → {self.consequent}"
