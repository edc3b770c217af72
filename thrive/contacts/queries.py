"""Reads about the ecosystem used by several views."""

from __future__ import annotations

from django.db.models import Count

from .models import Person, PersonRole, RelationshipRole, Stage


def ecosystem_counts() -> dict[str, int]:
    """People per lifecycle stage and per relationship role, every key present (0 if none)."""
    counts = {stage.value: 0 for stage in Stage}
    counts.update({role.value: 0 for role in RelationshipRole})
    for row in Person.objects.order_by().values("stage").annotate(n=Count("id")):
        counts[row["stage"]] = row["n"]
    for row in PersonRole.objects.order_by().values("role").annotate(n=Count("id")):
        counts[row["role"]] = row["n"]
    return counts
