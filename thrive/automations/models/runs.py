"""Who is where in which workflow, what the engine did and why, and how far it has read."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from thrive.contacts.models import Activity, Person

from .workflows import Workflow


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", "Ready for the next step"
    WAITING = "waiting", "Waiting"
    COMPLETED = "completed", "Completed"
    EXITED = "exited", "Left early"
    FAILED = "failed", "Stopped by a failure"


LIVE_STATUSES = (EnrollmentStatus.ACTIVE, EnrollmentStatus.WAITING)


class Enrollment(models.Model):
    """One person's pass through one workflow.

    ``position`` is the step number they are at; steps are addressed by number so a
    paused workflow can be edited without anyone losing their place. ``revision`` is
    bumped by every engine run that claims the row, so two workers never run the same
    step for the same person.
    """

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="enrollments")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="enrollments")
    position = models.PositiveIntegerField(default=1)
    status = models.CharField(
        max_length=10, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE
    )
    wait_until = models.DateTimeField(
        null=True, blank=True, help_text="When a wait ends or an event wait times out."
    )
    # What a waiting person waits for: an activity kind, or "draft" for a draft's fate.
    waiting_kind = models.CharField(max_length=24, blank=True)
    waiting_for = models.JSONField(default=dict, blank=True)
    # Only activities recorded after the wait began count (ids are the log's order).
    waiting_after_activity_id = models.BigIntegerField(null=True, blank=True)
    # How the last wait ended: "matched", "sent", "dismissed"; "" while none did.
    outcome = models.CharField(max_length=16, blank=True)
    event_activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveIntegerField(default=0, help_text="Failed tries of this step.")
    revision = models.PositiveIntegerField(default=0)
    trigger_activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Why they entered and which conditions let them through, for explanations.
    context = models.JSONField(default=dict, blank=True)
    enrolled_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    exit_reason = models.CharField(max_length=255, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workflow", "person"],
                condition=models.Q(status__in=["active", "waiting"]),
                name="enrollment_live_once",
                violation_error_message="This person is already in this workflow.",
            )
        ]
        indexes = [
            # The engine's due scan: ready now, or waiting with a deadline that passed.
            models.Index(fields=["status", "wait_until"], name="enrollment_due_idx"),
            # Matching new activities to the people waiting for them.
            models.Index(
                fields=["person", "waiting_kind"],
                condition=models.Q(status="waiting"),
                name="enrollment_waiting_idx",
            ),
            # People per step on the workflow pages; re-entry checks per person.
            models.Index(fields=["workflow", "status", "position"], name="enrollment_step_idx"),
            models.Index(
                fields=["workflow", "person", "enrolled_at"], name="enrollment_reentry_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.workflow_id} at {self.position} ({self.status})"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


class LogOutcome(models.TextChoices):
    DONE = "done", "Done"
    WAITING = "waiting", "Started waiting"
    BRANCHED = "branched", "Took a branch"
    SKIPPED = "skipped", "Skipped"
    RETRYING = "retrying", "Failed, will retry"
    FAILED = "failed", "Failed"
    EXITED = "exited", "Left the workflow"
    COMPLETED = "completed", "Finished the workflow"


class ActionLog(models.Model):
    """One thing the engine did for a person, with the facts that made it happen.

    ``explanation`` keeps the workflow, the step, the triggering activity, the conditions
    passed with their rules and results, and the action's details; ``summary`` is the
    same in words for the person page.
    """

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="logs")
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="logs")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="automation_logs")
    position = models.PositiveIntegerField()
    step_kind = models.CharField(max_length=16, blank=True)
    at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=10, choices=LogOutcome.choices)
    summary = models.CharField(max_length=500)
    explanation = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # "Why did this happen?" on the person page, newest first.
            models.Index(fields=["person", "-at"], name="actionlog_person_idx"),
            # Per-step numbers and recent logs on a workflow's page.
            models.Index(fields=["workflow", "position", "outcome"], name="actionlog_step_idx"),
            # The automation rate over a period.
            models.Index(fields=["at"], name="actionlog_at_idx"),
        ]

    def __str__(self) -> str:
        return self.summary


class EngineCursor(models.Model):
    """How far a consumer has read the activity log; claimed by a conditional update.

    ``tick_due_at`` is set while a background tick is queued, so only one is pending.
    """

    name = models.CharField(max_length=40, unique=True)
    last_activity_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    tick_due_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.last_activity_id}"


class SegmentMembership(models.Model):
    """Who was in a segment-triggered workflow's segment at the last scan, to see who
    entered or left since."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="segment_members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workflow", "person"],
                name="segment_membership_once",
                violation_error_message="Already recorded as a member.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.workflow_id}"
