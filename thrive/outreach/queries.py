"""Reads used by several pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from thrive.contacts.models import Person

from .models import Campaign, Delivery, DeliveryStatus
from .reports.explain import explain, skip_words
from .reports.numbers import HOLDOUT

PERSON_DELIVERIES = 15


def person_deliveries(person: Person, limit: int = PERSON_DELIVERIES) -> list[dict[str, Any]]:
    """The person's latest deliveries, each with its explanation (one query)."""
    rows = (
        Delivery.objects.filter(person=person)
        .select_related("campaign", "template")
        .order_by("-created_at", "-id")[:limit]
    )
    return [{"delivery": d, "explanation": explain(d)} for d in rows]


def skipped_deliveries(campaign: Campaign, *, variant: int | None = None) -> QuerySet[Delivery]:
    """The campaign's skipped messages, the "Skipped" figure's people: every skip but the
    holdout (counted apart), by reason then name. ``variant`` narrows to one arm."""
    rows = (
        Delivery.objects.filter(campaign=campaign, status=DeliveryStatus.SKIPPED)
        .exclude(skip_reason=HOLDOUT)
        .select_related("person", "variant")
    )
    if variant is not None:
        rows = rows.filter(variant_id=variant)
    return rows.order_by("skip_reason", "person__last_name", "person__first_name", "id")


def skip_reasons(rows: QuerySet[Delivery]) -> list[dict[str, Any]]:
    """How many of ``rows`` were skipped for each reason, in words, most first."""
    counts = rows.order_by().values("skip_reason").annotate(n=Count("id"))
    return sorted(
        (
            {"key": r["skip_reason"], "words": skip_words(r["skip_reason"]), "n": r["n"]}
            for r in counts
        ),
        key=lambda r: (-r["n"], r["key"]),
    )
