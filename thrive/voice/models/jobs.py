"""Background sends: a survey to a segment, or an idea's status change to its voters.

The page that starts one shows its progress (``done`` of ``total``) until it finishes.
The job keeps a checkpoint (``last_person_id`` with the counts so far) every few people,
and each message it queues carries an idempotency key naming the job and the person, so
a retried or resumed job carries on where it stopped and never asks anyone twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class JobKind(models.TextChoices):
    SURVEY = "survey", "Survey to a segment"
    IDEA_STATUS = "idea_status", "Idea status to its voters"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for the worker"
    RUNNING = "running", "Sending"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


def no_reasons() -> dict[str, int]:
    return {}


class SendJob(models.Model):
    kind = models.CharField(max_length=12, choices=JobKind.choices)
    survey = models.ForeignKey(
        "voice.Survey", null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    status_change = models.ForeignKey(
        "voice.IdeaStatusChange", null=True, blank=True, on_delete=models.CASCADE,
        related_name="jobs",
    )  # fmt: skip
    status = models.CharField(max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED)
    total = models.PositiveIntegerField(default=0, help_text="People to go through (estimate).")
    done = models.PositiveIntegerField(default=0)
    last_person_id = models.BigIntegerField(default=0, help_text="Checkpoint: done up to here.")
    queued = models.PositiveIntegerField(default=0, help_text="Messages queued.")
    skipped = models.PositiveIntegerField(default=0, help_text="Not sent: consent, address…")
    cooling_down = models.PositiveIntegerField(default=0, help_text="Asked recently.")
    reasons = models.JSONField(default=no_reasons, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

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
        return self.status in {JobStatus.QUEUED, JobStatus.RUNNING}

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, self.done * 100 // self.total)
