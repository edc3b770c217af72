"""Requesting and running the prospects refresh (profile, lead scores, partner thanks).

The job reads the customer scores the analytics refresh writes; it is queued when
someone opens the Reach pages and the profile is older than the latest analytics
snapshot (or six hours), and by the Refresh button.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from thrive.analytics import queries as analytics_queries

from .models import IdealProfile

STALE_AFTER = dt.timedelta(hours=6)


def run_refresh() -> dict[str, int]:
    from .leads import train_and_score
    from .portal import thank_partners
    from .profile import refresh_profile

    profile = refresh_profile()
    model = train_and_score()
    return {"profile": profile.pk, "lead_model": model.pk, "thanked": thank_partners()}


def is_stale(profile: IdealProfile | None) -> bool:
    if profile is None:
        return True
    snapshot = analytics_queries.latest_snapshot()
    newer_scores = snapshot is not None and snapshot.computed_at > profile.computed_at
    return newer_scores or timezone.now() - profile.computed_at > STALE_AFTER


def request_refresh() -> None:
    """Queue the refresh after the current transaction commits."""
    from .tasks import refresh_prospects

    transaction.on_commit(lambda: refresh_prospects.enqueue())
