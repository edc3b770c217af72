"""Compute the journey map and store it (with the people stalled at each step)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from .journey_map import discover
from .models import JourneyMap, JourneyStall

# Older maps are not needed: the page shows the latest, the people list reads its stalls.
KEEP_MAPS = 3


@transaction.atomic
def refresh_journey_map(*, now: dt.datetime | None = None) -> JourneyMap:
    journey = discover(now=now)
    stored = JourneyMap.objects.create(people=journey.people, payload=journey.payload())
    JourneyStall.objects.bulk_create(
        (JourneyStall(journey=stored, person_id=p, step=k) for p, k in journey.stalled),
        batch_size=2000,
    )
    old = JourneyMap.objects.order_by("-computed_at", "-pk").values_list("pk", flat=True)
    JourneyMap.objects.filter(pk__in=list(old[KEEP_MAPS:])).delete()
    return stored
