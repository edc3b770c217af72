"""Reads about segments used by their pages (and later by campaigns and workflows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db.models import Count, IntegerField, QuerySet, Value

from thrive.contacts.models import Person

from .models import Segment
from .rules import compile_rules

# SQLite refuses compound SELECTs of more than 500 parts; stay well below it.
COUNTS_PER_QUERY = 100


def member_counts(
    segments: Iterable[Segment], *, now: dt.datetime | None = None
) -> dict[int, int | None]:
    """Segment id → how many people it holds now (None when its rules are broken).

    All counts come from one ``UNION ALL`` query per :data:`COUNTS_PER_QUERY` segments,
    so a list page's query count does not grow with its length, while each branch is
    still planned on its own (PostgreSQL turns each segment's EXISTS tests into joins,
    which a single scan with many FILTER clauses would not allow).
    """
    counts: dict[int, int | None] = {}
    branches = []
    for segment in segments:
        condition = segment.condition(now=now)
        if condition is None:
            counts[segment.pk] = None
            continue
        counts[segment.pk] = 0
        branches.append(
            Person.objects.filter(condition)
            .order_by()
            .annotate(segment_id=Value(segment.pk, output_field=IntegerField()))
            .values("segment_id")
            .annotate(n=Count("pk"))
        )
    for chunk in _chunks(branches, COUNTS_PER_QUERY):
        query = chunk[0].union(*chunk[1:], all=True) if len(chunk) > 1 else chunk[0]
        query = query.order_by()  # the model's default ordering names no result column
        for row in query:
            counts[row["segment_id"]] = row["n"]
    return counts


def _chunks[T](items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


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
