"""Import jobs, the saved column mappings, and what each import wrote (so it can be undone)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from thrive.core.jobs import BackgroundJob


class ImportKind(models.TextChoices):
    PEOPLE = "people", "People"
    ORGANIZATIONS = "organizations", "Organizations"
    ORDERS = "orders", "Orders and order lines"


class MergeRule(models.TextChoices):
    """What happens when a row's email already belongs to someone."""

    FILL = "fill", "Fill in blanks only: Thrive's values win"
    OVERWRITE = "overwrite", "The file wins: non-empty cells replace Thrive's values"


class JobStatus(models.TextChoices):
    MAPPING = "mapping", "Waiting for a column mapping"
    CHECKING = "checking", "Dry run in progress"
    CHECKED = "checked", "Dry run done: ready to import"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Failed"
    UNDONE = "undone", "Undone"


class MappingPreset(models.Model):
    """A column mapping saved for a recurring export (built-in ones live in ``presets``)."""

    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    mapping = models.JSONField(help_text="Header in the file → Thrive field.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "name"],
                name="import_preset_name_once",
                violation_error_message="A preset with this name already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ImportJob(BackgroundJob):
    """One file brought into Thrive: its mapping, dry run, progress and outcome.

    ``status`` is where the import is in its life (mapping, checked, done, undone); the
    kit's ``state`` is the current run's (dry or real). Progress counts bytes of the file
    (``done`` of ``total``). A real run writes a checkpoint with every committed batch
    (``checkpoint_row``, the counts so far), so a run whose worker died resumes after its
    last written batch; a dry run writes nothing, so it is failed and run again.
    """

    job_label = "import"
    resumable = True

    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.MAPPING)
    original_name = models.CharField(max_length=255)
    stored_path = models.CharField(
        max_length=1000, help_text="Under DATA_DIR/imports (or the file named to the CLI)."
    )
    work_dir = models.CharField(max_length=500, help_text="Rejected rows go here.")
    size_bytes = models.BigIntegerField(default=0)
    encoding = models.CharField(max_length=16, blank=True)
    delimiter = models.CharField(max_length=4, blank=True)
    headers = models.JSONField(default=list)
    sample = models.JSONField(default=list, help_text="The first rows, to help mapping.")
    mapping = models.JSONField(default=dict, help_text="Header in the file → Thrive field.")
    merge_rule = models.CharField(max_length=16, choices=MergeRule.choices, default=MergeRule.FILL)
    preset = models.CharField(max_length=80, blank=True)
    date_order = models.CharField(
        max_length=3, default="mdy", help_text="How 03/04/2024 reads: mdy or dmy."
    )
    default_currency = models.CharField(max_length=3, default="USD")
    dry_run = models.BooleanField(
        default=True, help_text="The current or last run changes nothing."
    )
    checkpoint_row = models.BigIntegerField(
        default=0, help_text="Real runs: the last row of the last batch written."
    )
    rejected_bytes = models.BigIntegerField(
        default=0, help_text="Length of the rejected-rows file at the checkpoint."
    )
    rows_read = models.BigIntegerField(default=0)
    counts = models.JSONField(default=dict, help_text="Outcome of the last run, per kind of row.")
    preview = models.JSONField(default=dict, help_text="Counts of the dry run.")
    rejected = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import {self.pk}: {self.original_name}"

    @property
    def directory(self) -> Path:
        return Path(self.work_dir)

    @property
    def rejected_path(self) -> Path:
        return self.directory / ("rejected-dry-run.csv" if self.dry_run else "rejected.csv")

    @property
    def is_active(self) -> bool:
        return self.status in {JobStatus.CHECKING, JobStatus.QUEUED, JobStatus.RUNNING}

    @property
    def can_undo(self) -> bool:
        """Done, or a real run that failed after writing batches (it keeps them)."""
        return self.status == JobStatus.DONE or (
            self.status == JobStatus.FAILED and not self.dry_run and self.checkpoint_row > 0
        )

    @property
    def can_resume_run(self) -> bool:
        """A real run that failed part-way: running it again carries on after its
        checkpoint."""
        return self.status == JobStatus.FAILED and not self.dry_run and self.checkpoint_row > 0

    # -- the job kit ------------------------------------------------------------------------

    def can_resume(self) -> bool:
        # A dry run keeps what earlier batches would have created in a temporary file
        # that died with its worker: it starts again instead.
        return not self.dry_run and super().can_resume()

    def enqueue(self) -> None:
        from .tasks import run_import_job

        run_import_job.enqueue(self.pk, self.dry_run)

    def status_words(self) -> str:
        if self.state == "queued" and self.is_active:
            return "Waiting for the background worker…"
        return f"{self.rows_read:,} rows read"

    def status_extra(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "label": self.get_status_display(),
            "rows_read": self.rows_read,
            "dry_run": self.dry_run,
        }

    def summary_what(self) -> str:
        what = "dry run" if self.dry_run else "import"
        return f"{what} of {self.rows_read:,} rows ({self.rejected:,} rejected)"

    def lost_error(self) -> str:
        if self.dry_run:
            return (
                f"The background worker stopped during the dry run, after {self.rows_read:,} "
                "rows; nothing was changed. Run the dry run again."
            )
        return (
            f"The background worker stopped after writing {self.rows_read:,} rows (up to row "
            f"{self.checkpoint_row:,}). Undo removes them, or run the import again to carry on."
        )

    def on_given_up(self, now: Any) -> None:
        type(self)._default_manager.filter(pk=self.pk).update(status=JobStatus.FAILED)
        self.status = JobStatus.FAILED

    def count(self, kind: str, action: str, *, preview: bool = False) -> int:
        source: dict[str, Any] = self.preview if preview else self.counts
        return int(source.get(kind, {}).get(action, 0))


class RecordAction(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"


class ImportedRecord(models.Model):
    """One row an import changed (or, before ``ImportedRange``, created); undo restores the
    changed ones from ``before`` (the changed fields' previous values) and deletes the rest.

    What an import creates is now recorded as id ranges (``ImportedRange``): one row per
    batch and table instead of one per object.
    """

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="records")
    model = models.CharField(max_length=16, help_text="person, organization, order, consent.")
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=8, choices=RecordAction.choices)
    before = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            # An object's first snapshot in a job is its state before the import.
            models.UniqueConstraint(
                fields=["job", "model", "object_id"],
                name="imported_record_once",
                violation_error_message="This import already recorded that object.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.job_id}: {self.action} {self.model} {self.object_id}"


class ImportedRange(models.Model):
    """A run of consecutive ids an import created in one table: undo deletes them.

    One row per batch and table instead of one per object: ids are reserved in increasing
    runs (see ``sink.reserve_ids``), so 5,000 new people are usually a single range.
    """

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="ranges")
    model = models.CharField(max_length=16, help_text="person, organization, consent.")
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["job", "model"], name="imported_range_job_model")]

    def __str__(self) -> str:
        return f"{self.job_id}: created {self.model} {self.first_id}–{self.last_id}"
