"""Reads about segments used by their pages (and later by campaigns and workflows)."""

from __future__ import annotations

from django.db.models import QuerySet

from thrive.contacts.models import Person

from .models import Segment
from .rules import compile_rules


def count_matching(rules: dict[str, object]) -> int:
    """How many people cleaned ``rules`` select now: one COUNT query."""
    return Person.objects.filter(compile_rules(rules)).count()


def first_members(segment: Segment, limit: int) -> list[Person]:
    """The first ``limit`` people of ``segment`` in the people list's order (by name)."""
    columns = ("first_name", "last_name", "email", "stage", "city", "country")
    return list(segment.people().only(*columns)[:limit])


def members_of(segment_id: int) -> QuerySet[Person] | None:
    """Everyone in the saved segment ``segment_id`` now, or None if there is none."""
    segment = Segment.objects.filter(pk=segment_id).first()
    return None if segment is None else segment.people()
