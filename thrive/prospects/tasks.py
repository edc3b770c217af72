"""Background work of the prospects app, run by ``thrive worker``."""

from __future__ import annotations

from django.tasks import task

from .refresh import run_refresh


@task()
def refresh_prospects() -> dict[str, int]:
    """Recompute the ideal-client profile and lead scores, and thank partners whose
    referrals became clients. Safe to run twice."""
    return run_refresh()
