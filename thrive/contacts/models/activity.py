"""The one timeline: an append-only log of everything that happens to a person."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from .choices import ActivityChannel, ActivityKind, Direction
from .people import Person


class AppendOnlyError(RuntimeError):
    """The activity log is append-only: rows are never edited or deleted one by one."""


class ActivityQuerySet(models.QuerySet["Activity"]):
    def standing(self) -> ActivityQuerySet:
        """The timeline as it stands: without entries a later correction replaced and
        without retractions (whose entry is replaced by nothing)."""
        # "No row supersedes this one", tested on the successor's join column itself
        # (``supersedes_id IS NULL``) rather than its id: PostgreSQL then plans an anti-join
        # with a true row estimate. Tested on the id, it kept the outer join and guessed one
        # row, so "an associate's latest activity" sorted all 46,000 of theirs instead of
        # reading the top of an index (1.3 s → under 1 ms at 1,000,000 people). Same rows.
        return self.filter(superseded_by__supersedes__isnull=True, retracted=False)

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Activities are append-only and cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Activities are append-only and cannot be deleted.")

    def reassign_person(self, to: Person) -> int:
        """Move these activities to another person: only a merge may do this."""
        return super().update(person=to)


class StandingManager(models.Manager["Activity"]):
    """``Activity.objects``: what every page, count and segment reads.

    A logged touchpoint is corrected by appending a new row that supersedes it, and
    retracted by appending a row that supersedes it with nothing. Hiding replaced rows
    here, once, means no figure (time with customers, automation rate, participation,
    "last activity", lead scores…) can count a call twice or count a retracted one,
    including figures written later. ``Activity.log`` (the model's default manager) reads
    every row ever written: the automation engine, merges, audits and the admin use it.
    """

    def get_queryset(self) -> ActivityQuerySet:
        return ActivityQuerySet(self.model, using=self._db).standing()


class _Standing(StandingManager.from_queryset(ActivityQuerySet)):  # type: ignore[misc]
    """The standing timeline with the queryset's methods (reassign_person…)."""


class Activity(models.Model):
    """One thing that happened: an email, a call, an order, a stage change, a vote…

    Written by the service that caused it and never changed; the person page shows it,
    the automation engine reads it in id order, audits rely on it. A correction is a new
    row whose ``supersedes`` points at the row it replaces; a retraction is such a row
    with ``retracted`` set. The replaced row stays as it was.
    """

    # Indexed by activity_timeline_idx, which leads with it.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="activities", db_index=False
    )
    kind = models.CharField(max_length=24, choices=ActivityKind.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    recorded_at = models.DateTimeField(auto_now_add=True)
    channel = models.CharField(max_length=16, choices=ActivityChannel.choices, blank=True)
    direction = models.CharField(max_length=16, choices=Direction.choices, blank=True)
    associate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        help_text="The associate who took part, if any.",
    )
    duration_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Time spent with the person (calls, meetings)."
    )
    automated = models.BooleanField(default=False, help_text="Done by an automation.")
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    ref = models.CharField(
        max_length=64, blank=True, help_text="What caused it, e.g. order:42 or workflow:3."
    )

    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="superseded_by",
        help_text="The entry this one corrects or retracts (one successor each).",
    )
    retracted = models.BooleanField(
        default=False, help_text="Withdraws the superseded entry: neither shows nor counts."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who wrote a correction or retraction (the associate may be someone else).",
    )

    objects = _Standing()
    log = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = "activities"
        # Framework readers (the admin, dumpdata, serializers, reverse relations) see every
        # row ever written; the code's own reads ask for Activity.objects, the standing one.
        default_manager_name = "log"
        indexes = [
            # The person page's timeline, newest first.
            models.Index(fields=["person", "-occurred_at"], name="activity_timeline_idx"),
            # KPIs over time by kind: time with customers, automation rate.
            models.Index(fields=["kind", "occurred_at"], name="activity_kind_idx"),
            # "Any activity in the last N days" (segment rules): a range of this index
            # rather than a walk of the whole timeline index, whose first column is the
            # person (1.65 s CPU for the count at 1,000,000 people; bench/WORKSPACE.md).
            models.Index(fields=["occurred_at"], name="activity_occurred_idx"),
            # An associate's latest activity (the ecosystem map's associates): read from the
            # top of this index instead of every activity they took part in (tens of
            # thousands each at 1,000,000 people).
            models.Index(fields=["associate", "-occurred_at"], name="activity_associate_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.person_id} · {self.occurred_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Activities are append-only and cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Activities are append-only and cannot be deleted.")
