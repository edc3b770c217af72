"""Saved segments: a name and a set of rules that select people, evaluated in SQL.

The rule format, its validation and its compilation live in
:mod:`thrive.segments.rules`; the model keeps the rules and answers "who is in
it now?". Campaigns, workflows and surveys use :meth:`Segment.people`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from thrive.contacts.models import Person
from thrive.core.models import TimeStampedModel

from .rules import compile_rules, validate_rules


def empty_rules() -> dict[str, Any]:
    """An empty group: it selects everyone until rules are added."""
    return {"match": "all", "rules": []}


class Segment(TimeStampedModel):
    """A named, reusable selection of people, defined by rules rather than a list."""

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    rules = models.JSONField(
        default=empty_rules, help_text="See thrive.segments.rules for the format."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        # The table kept its name when segments moved out of contacts.
        db_table = "contacts_segment"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="segment_name_unique_ci",
                violation_error_message="A segment with this name already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("segment", args=[self.pk])

    def clean(self) -> None:
        try:
            self.rules = validate_rules(self.rules)
        except ValidationError as exc:
            raise ValidationError({"rules": exc.messages}) from None

    def rules_problems(self) -> list[str]:
        """Why the stored rules cannot be evaluated (empty when they can).

        Rules are validated when saved through the app, but a row edited by hand could
        hold anything; pages show these messages instead of failing.
        """
        try:
            compile_rules(self.rules)
        except ValidationError as exc:
            return exc.messages
        return []

    def condition(self, *, now: dt.datetime | None = None) -> models.Q | None:
        """The rules as one SQL condition on Person, or None if they cannot be evaluated.

        ``now`` anchors relative rules ("in the last 30 days"); it defaults to the
        current time.
        """
        try:
            return compile_rules(self.rules, now=now)
        except ValidationError:
            return None

    def people(self, *, now: dt.datetime | None = None) -> models.QuerySet[Person]:
        """Everyone the rules select right now, as one lazily evaluated query.

        Rules that cannot be evaluated select nobody: a campaign aimed at a broken
        segment must reach no one rather than everyone.
        """
        condition = self.condition(now=now)
        if condition is None:
            return Person.objects.none()
        return Person.objects.filter(condition)
