"""Themes in what customers say, as computed by a background run (``themes_runs``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ThemeRunState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ThemeRun(models.Model):
    """One computation of the themes over every source; the page shows the newest done."""

    state = models.CharField(
        max_length=10, choices=ThemeRunState.choices, default=ThemeRunState.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    # [{"label", "terms", "count", "recent", "previous", "negative", "positive"}], by count.
    themes = models.JSONField(default=list, blank=True)
    # [{"a", "b", "a_title", "b_title", "similarity"}]: ideas that probably say the same.
    duplicates = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"Themes {self.requested_at:%Y-%m-%d %H:%M} ({self.state})"


class ThemeMessage(models.Model):
    """One message read by a run: where it came from, its theme and its sentiment."""

    run = models.ForeignKey(ThemeRun, on_delete=models.CASCADE, related_name="messages")
    source = models.CharField(max_length=30)
    ref = models.CharField(max_length=40, help_text="The message's id in its source.")
    url = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    said_at = models.DateTimeField()
    theme = models.SmallIntegerField(help_text="Index in the run's themes; -1 for other.")
    sentiment = models.FloatField(help_text="VADER compound score, −1 to 1.")
    feeling = models.CharField(max_length=10)

    class Meta:
        ordering = ["-said_at", "-id"]
        indexes = [models.Index(fields=["run", "theme"], name="theme_message_idx")]

    def __str__(self) -> str:
        return f"{self.source} {self.ref}: {self.feeling}"
