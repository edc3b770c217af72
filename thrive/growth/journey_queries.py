"""Reads of the stored journey map: the latest map, and the people stalled at a step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from thrive.contacts.models import ActivityKind, Person

from .models import JourneyMap, JourneyStall

STALLED_PREFIX = "journey_stalled_"


def latest() -> JourneyMap | None:
    return JourneyMap.objects.first()


def stalled_at(kind: str) -> QuerySet[Person]:
    """People the latest map found stalled after ``kind``."""
    current = latest()
    if current is None:
        return Person.objects.none()
    return Person.objects.filter(
        pk__in=JourneyStall.objects.filter(journey=current, step=kind).values("person_id")
    )


def _lookup(kind: str) -> Callable[[dt.date], QuerySet[Person]]:
    def people(_as_of: dt.date) -> QuerySet[Person]:
        # The map is a snapshot: the list shows exactly whom it counted.
        return stalled_at(kind)

    return people


def register_stalled_people(register: Callable[..., Any]) -> None:
    """``?metric=journey_stalled_<kind>`` on the people list lists those stalled there."""
    for kind, label in ActivityKind.choices:
        register(
            STALLED_PREFIX + kind,
            f"people stalled after “{label}” on the latest journey map",
            _lookup(kind),
        )
