"""Tasks for people: the personal touches Thrive hands to associates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from thrive.contacts.models import Person
from thrive.core.models import TimeStampedModel


class TaskKind(models.TextChoices):
    CALL = "call", "Call"
    EMAIL = "email", "Write an email"
    FOLLOW_UP = "follow_up", "Follow up"
    MEETING = "meeting", "Meeting"
    REVIEW_DRAFT = "review_draft", "Review a draft"
    LOG_NOTES = "log_notes", "Log notes"
    OTHER = "other", "Other"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DISMISSED = "dismissed", "Dismissed"


class Task(TimeStampedModel):
    """Something an associate should do for a person, and why it was asked of them."""

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=TaskKind.choices, default=TaskKind.FOLLOW_UP)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    due_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(
        max_length=255, blank=True, help_text="Why this task exists, in plain words."
    )
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        # The table kept its name when tasks moved out of the automation engine.
        db_table = "automations_task"
        ordering = ["status", "due_at", "id"]
        indexes = [
            # The tasks inbox: an associate's open tasks by due date.
            models.Index(fields=["assignee", "status", "due_at"], name="task_inbox_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open", completed_at__isnull=True)
                | (~models.Q(status="open") & models.Q(completed_at__isnull=False)),
                name="task_completed_at_matches_status",
                violation_error_message="Finished tasks need a completion time, open ones none.",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == TaskStatus.OPEN
            and self.due_at is not None
            and self.due_at < timezone.now()
        )
