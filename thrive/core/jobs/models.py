"""The abstract base every background job model extends, and its states."""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from django.db import models
from django.utils import timezone

log = logging.getLogger("thrive.jobs")


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_STATES = (JobState.QUEUED, JobState.RUNNING)


class BackgroundJob(models.Model):
    """State, lease, heartbeat and progress of one background job.

    Subclasses say what they are (``job_label``), whether a job whose worker died carries
    on from its checkpoint (``resumable``) and how to queue it again (``enqueue``); they
    may add words and fields to the status (``status_words``, ``status_extra``) and react
    to being given up (``on_given_up``).
    """

    job_label: ClassVar[str] = "job"
    # True: a job whose worker died is queued again and carries on from its checkpoint.
    resumable: ClassVar[bool] = False
    # A job that killed its worker this many times is given up (a crash loop, e.g. memory).
    max_attempts: ClassVar[int] = 3
    # What the sweep's log says when it queues the job again.
    resume_words: ClassVar[str] = "resumed from its checkpoint"

    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    lease_owner = models.CharField(
        max_length=100, blank=True, help_text="The worker running it: host:pid:token."
    )
    lease_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Past this without a heartbeat, the worker is dead."
    )
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Times claimed.")
    done = models.BigIntegerField(default=0, help_text="Progress: units done.")
    total = models.BigIntegerField(default=0, help_text="Progress: units in all (0: unknown).")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        abstract = True

    # -- what a job says about itself ---------------------------------------------------

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def percent(self) -> int:
        if self.state == JobState.FINISHED:
            return 100
        if self.total <= 0:
            return 0
        return max(0, min(99, self.done * 100 // self.total))

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    def status_words(self) -> str:
        """What the progress bar says under it ("40,000 rows read")."""
        if self.state == JobState.QUEUED:
            return "Waiting for the background worker…"
        if self.state == JobState.RUNNING:
            return f"{self.percent}% done"
        return self.get_state_display()

    def status_extra(self) -> dict[str, Any]:
        """Fields only this kind of job adds to the status JSON."""
        return {}

    def status_json(self) -> dict[str, Any]:
        """The one status shape every progress bar reads (see ``core/jobs.js``)."""
        return {
            "id": self.pk,
            "kind": self.job_label,
            "state": self.state,
            "percent": self.percent,
            "done": self.done,
            "total": self.total,
            "words": self.status_words(),
            "active": self.is_active,
            "finished": self.state == JobState.FINISHED,
            "failed": self.state in (JobState.FAILED, JobState.CANCELLED),
            "error": self.error,
            **self.status_extra(),
        }

    def summary(self) -> str:
        """One line for the worker's log: "import 12 finished: 200,000 rows in 41 s"."""
        took = self.seconds
        tail = f" in {took:,.0f} s" if took is not None else ""
        what = self.summary_what()
        return f"{self.job_label} {self.pk} {self.state}: {what}{tail}".replace(": in", " in")

    def summary_what(self) -> str:
        return f"{self.done:,} of {self.total:,}" if self.total else f"{self.done:,} done"

    def summary_lost(self) -> str:
        return f"{self.job_label} {self.pk} ({self.summary_what()})"

    def lost_error(self) -> str:
        """Why a job given up by the sweep failed, saying how far it got."""
        return (
            f"The background worker stopped after {self.summary_what()} "
            f"(attempt {self.attempts}). Run it again."
        )

    # -- hooks the sweep calls ------------------------------------------------------------

    def can_resume(self) -> bool:
        return self.resumable and self.attempts < self.max_attempts

    def enqueue(self) -> None:
        """Queue the background task that runs this job (called after commit)."""
        raise NotImplementedError

    def on_given_up(self, now: Any) -> None:
        """The worker died and the job will not resume: record what that means for the
        job's own fields (inside the sweep's transaction; ``state`` is already failed)."""

    def log_line(self) -> None:
        log.info("%s", self.summary())

    @classmethod
    def now(cls) -> Any:
        return timezone.now()
