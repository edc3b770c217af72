"""Ideas customers ask for, their votes and comments, status history and merges."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from thrive.contacts.models import Person

TITLE_MAX = 140
BODY_MAX = 4000
COMMENT_MAX = 2000


class IdeaStatus(models.TextChoices):
    OPEN = "open", "Open"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DECLINED = "declined", "Declined"


class Importance(models.TextChoices):
    """How much a voter needs it; weights live in thrive.insights.ideas."""

    NICE = "nice", "Nice to have"
    IMPORTANT = "important", "Important"
    CRITICAL = "critical", "Critical"


IMPORTANCE_RANK = {Importance.NICE: 1, Importance.IMPORTANT: 2, Importance.CRITICAL: 3}


class Idea(models.Model):
    """Something customers ask the business to do. A merged duplicate keeps its row
    (links in old emails still resolve) and points at the idea it was folded into."""

    title = models.CharField(max_length=TITLE_MAX)
    body = models.TextField(max_length=BODY_MAX, blank=True)
    status = models.CharField(max_length=12, choices=IdeaStatus.choices, default=IdeaStatus.OPEN)
    author = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas"
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The associate who logged it on the customer's behalf (e.g. from a call).",
    )
    staff_note = models.TextField(blank=True, help_text="Internal; never shown publicly.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True, help_text="For time-to-market.")
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The public board lists live (unmerged) ideas by status, newest first.
            models.Index(fields=["merged_into", "status", "-created_at"], name="idea_board_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.merged_into_id is None


class Vote(models.Model):
    """One verified person's support for one idea (changing it updates the row)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="idea_votes")
    importance = models.CharField(
        max_length=10, choices=Importance.choices, default=Importance.NICE
    )
    notify = models.BooleanField(
        default=True, help_text="The voter asked to hear when the status changes."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["idea", "person"],
                name="vote_one_per_person_idea",
                violation_error_message="This person already voted for this idea.",
            )
        ]
        indexes = [
            # Trending: votes per idea in the last 14 days.
            models.Index(fields=["idea", "created_at"], name="vote_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.idea_id} ({self.importance})"


class Comment(models.Model):
    """A public comment by a verified person, or a reply by an associate."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="idea_comments"
    )
    associate = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=COMMENT_MAX)
    hidden = models.BooleanField(default=False, help_text="Hidden by an associate.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]


class IdeaStatusChange(models.Model):
    """The status history; the public page shows it, time-to-market reads ``done``."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=IdeaStatus.choices)
    to_status = models.CharField(max_length=12, choices=IdeaStatus.choices)
    public_note = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    voters_notified = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.idea_id}: {self.from_status} → {self.to_status}"


class IdeaMerge(models.Model):
    """A duplicate folded into another idea, and what happened to its votes."""

    duplicate = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="+")
    into = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="merges")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(default=timezone.now)
    votes_moved = models.PositiveIntegerField(default=0)
    votes_combined = models.PositiveIntegerField(
        default=0, help_text="Voters of both ideas: one vote kept, at the higher importance."
    )
    comments_moved = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.duplicate_id} → {self.into_id}"
