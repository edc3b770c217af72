"""Background sends: a survey to a segment, or an idea's status change to its voters.

The page that starts one shows its progress (``done`` of ``total``) until it finishes.
The job keeps a checkpoint (``last_person_id`` with the counts so far) every few people,
and each message it queues carries an idempotency key naming the job and the person, so
a retried or resumed job carries on where it stopped and never asks anyone twice. State,
lease and progress come from the job kit (``thrive.core.jobs``): a job whose worker died
is resumed by the sweep.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from thrive.core.jobs import BackgroundJob, JobState


class JobKind(models.TextChoices):
    SURVEY = "survey", "Survey to a segment"
    IDEA_STATUS = "idea_status", "Idea status to its voters"


# A send job's states are the job kit's (queued, running, finished, failed, cancelled).
JobStatus = JobState


def no_reasons() -> dict[str, int]:
    return {}


class SendJob(BackgroundJob):
    job_label = "send"
    resumable = True

    kind = models.CharField(max_length=12, choices=JobKind.choices)
    survey = models.ForeignKey(
        "voice.Survey", null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    status_change = models.ForeignKey(
        "voice.IdeaStatusChange", null=True, blank=True, on_delete=models.CASCADE,
        related_name="jobs",
    )  # fmt: skip
    last_person_id = models.BigIntegerField(default=0, help_text="Checkpoint: done up to here.")
    queued = models.PositiveIntegerField(default=0, help_text="Messages queued.")
    skipped = models.PositiveIntegerField(default=0, help_text="Not sent: consent, address…")
    cooling_down = models.PositiveIntegerField(default=0, help_text="Asked recently.")
    reasons = models.JSONField(default=no_reasons, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="survey") & models.Q(survey__isnull=False))
                | (models.Q(kind="idea_status") & models.Q(status_change__isnull=False)),
                name="sendjob_has_its_subject",
                violation_error_message="A send job is about a survey or an idea status change.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}: {self.done}/{self.total}"

    @property
    def in_flight(self) -> bool:
        return self.is_active

    def enqueue(self) -> None:
        from ..tasks import run_send_job_task

        run_send_job_task.enqueue(self.pk)

    def status_words(self) -> str:
        if self.state == JobState.RUNNING:
            return f"{self.done:,} of {self.total:,} people so far"
        return super().status_words()

    def status_extra(self) -> dict[str, Any]:
        return {"queued": self.queued, "skipped": self.skipped, "cooling_down": self.cooling_down}

    def summary_what(self) -> str:
        return f"{self.get_kind_display().lower()}, {self.done:,} people, {self.queued:,} queued"
