"""Export jobs (with their progress bar) and the log of erasures."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from thrive.core.jobs import BackgroundJob, JobState

# An export's states are the job kit's (queued, running, finished, failed, cancelled).
ExportStatus = JobState


class ExportRun(BackgroundJob):
    """One full export made by the background worker; its progress (tables written of all
    tables) drives the bar on the Data page and its archive is downloaded by an owner.

    An archive is one consistent snapshot, so there is nothing to carry on from: a run
    whose worker died starts again (``resumable``: the sweep queues it), up to the kit's
    attempt limit, after which it fails and its partial file is removed.
    """

    job_label = "export"
    resumable = True
    resume_words = "queued to start again"

    requested_at = models.DateTimeField(auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    step = models.CharField(max_length=120, blank=True)
    file_name = models.CharField(max_length=120, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    tables = models.PositiveIntegerField(null=True, blank=True)
    rows = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        get_latest_by = "requested_at"

    def __str__(self) -> str:
        return f"Export {self.pk} ({self.state})"

    @property
    def in_flight(self) -> bool:
        return self.is_active

    def enqueue(self) -> None:
        from .tasks import build_export

        build_export.enqueue(self.pk)

    def status_words(self) -> str:
        return self.step or super().status_words()

    def status_extra(self) -> dict[str, Any]:
        return {"step": self.step}

    def summary_what(self) -> str:
        if self.state == JobState.FINISHED:
            return f"{self.tables or 0} tables, {self.rows or 0:,} rows"
        return f"{self.done} of {self.total} tables"

    def on_given_up(self, now: Any) -> None:
        from .jobs import export_dir

        for partial in export_dir().glob(f"thrive-export-*-{self.pk}.zip.partial"):
            partial.unlink(missing_ok=True)


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
