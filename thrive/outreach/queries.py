"""Reads used by several pages."""

from __future__ import annotations

from typing import Any

from thrive.contacts.models import Person

from .models import Delivery
from .reports.explain import explain

PERSON_DELIVERIES = 15


def person_deliveries(person: Person, limit: int = PERSON_DELIVERIES) -> list[dict[str, Any]]:
    """The person's latest deliveries, each with its explanation (one query)."""
    rows = (
        Delivery.objects.filter(person=person)
        .select_related("campaign", "template")
        .order_by("-created_at", "-id")[:limit]
    )
    return [{"delivery": d, "explanation": explain(d)} for d in rows]
