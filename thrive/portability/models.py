"""Export jobs (with their progress bar) and the log of erasures."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ExportRun(models.Model):
    """One full export made by the background worker; its progress drives the bar on the
    Data page and its archive is downloaded by an owner."""

    requested_at = models.DateTimeField(auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    step = models.CharField(max_length=120, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="0–100")
    file_name = models.CharField(max_length=120, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    tables = models.PositiveIntegerField(null=True, blank=True)
    rows = models.BigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        get_latest_by = "requested_at"

    def __str__(self) -> str:
        return f"Export {self.pk} ({self.status})"

    @property
    def in_flight(self) -> bool:
        return self.status in {ExportStatus.QUEUED, ExportStatus.RUNNING}


class ErasureLog(models.Model):
    """That a person's personal data was erased, when and by whom — and nothing personal:
    the id points at the anonymous record that keeps their orders and stage history."""

    erased_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person_id = models.BigIntegerField(help_text="The anonymous record left behind.")
    changed = models.JSONField(
        default=dict, blank=True, help_text="Rows scrubbed or removed, per table."
    )

    class Meta:
        ordering = ["-erased_at", "-id"]
        indexes = [
            # "Was this person erased?" on the person page.
            models.Index(fields=["person_id"], name="erasure_person_idx"),
        ]

    def __str__(self) -> str:
        return f"Erasure of person {self.person_id}"

    @property
    def total(self) -> int:
        return sum(v for v in self.changed.values() if isinstance(v, int))
