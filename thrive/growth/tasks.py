"""Background jobs of growth planning, run by ``thrive worker``."""

from __future__ import annotations

from django.tasks import task


@task()
def refresh_journey_map_task() -> dict[str, int]:
    """Find the customer journey in the timeline and store it."""
    from .journey_services import refresh_journey_map

    stored = refresh_journey_map()
    return {"map": stored.pk, "people": stored.people}
