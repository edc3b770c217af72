"""Requests per minute per caller, counted in the database so every web process and
machine shares the count (a fixed window: at most the limit in each clock minute)."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from .models import RateWindow


class RateLimited(Exception):
    """Too many requests; ``retry_after`` seconds until the next window."""

    def __init__(self, retry_after: int, limit: int) -> None:
        self.retry_after = retry_after
        self.limit = limit
        super().__init__(f"More than {limit} requests in a minute.")


def per_minute() -> int:
    return int(getattr(settings, "THRIVE_API_RATE_PER_MINUTE", 600))


def hit(caller: str, *, now: float | None = None) -> int:
    """Count one request by ``caller``; raise RateLimited over the limit. Returns the
    count in this window."""
    moment = time.time() if now is None else now
    window = int(moment // 60)
    limit = per_minute()
    updated = RateWindow.objects.filter(caller=caller, window=window).update(hits=F("hits") + 1)
    if not updated:
        try:
            with transaction.atomic():
                RateWindow.objects.create(caller=caller, window=window, hits=1)
        except IntegrityError:  # another request created the window first
            RateWindow.objects.filter(caller=caller, window=window).update(hits=F("hits") + 1)
        # Old windows are cleared once a minute per caller, when a new one starts.
        RateWindow.objects.filter(caller=caller, window__lt=window - 1).delete()
    hits = RateWindow.objects.filter(caller=caller, window=window).values_list("hits", flat=True)
    count = hits.first() or 1
    if count > limit:
        raise RateLimited(max(1, int((window + 1) * 60 - moment)), limit)
    return count
