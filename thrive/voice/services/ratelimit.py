"""A fixed-window rate limiter kept in the database, shared by every web process.

Why not Django's cache: the default LocMem cache is per process, so N processes would
each allow the full limit. A row per key and window works the same on SQLite and
PostgreSQL; old windows are swept as new ones open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ..models import RateCounter


@dataclass(frozen=True)
class Limit:
    """At most ``hits`` per ``window`` for one key."""

    hits: int
    window: dt.timedelta


# Per IP and per email: a shared office IP gets more room than one mailbox.
MAGIC_LINK_PER_IP = Limit(10, dt.timedelta(hours=1))
MAGIC_LINK_PER_EMAIL = Limit(3, dt.timedelta(hours=1))
POST_PER_IP = Limit(60, dt.timedelta(hours=1))
IDEAS_PER_PERSON = Limit(5, dt.timedelta(hours=1))
COMMENTS_PER_PERSON = Limit(20, dt.timedelta(hours=1))
VOTES_PER_PERSON = Limit(60, dt.timedelta(hours=1))
ANSWERS_PER_IP = Limit(60, dt.timedelta(hours=1))


class RateLimited(Exception):
    """Too many requests; ``retry_after`` seconds until the window ends."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many requests.")
        self.retry_after = retry_after


def _window_start(now: dt.datetime, window: dt.timedelta) -> dt.datetime:
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def hit(key: str, limit: Limit, *, now: dt.datetime | None = None) -> None:
    """Count one request for ``key``; raise RateLimited when it is over the limit.

    The increment is one conditional UPDATE, so concurrent requests cannot both take
    the last slot.
    """
    now = now or timezone.now()
    start = _window_start(now, limit.window)
    key = key[:200]
    with transaction.atomic():
        counted = RateCounter.objects.filter(
            key=key, window_start=start, hits__lt=limit.hits
        ).update(hits=F("hits") + 1)
        if counted:
            return
        if not RateCounter.objects.filter(key=key, window_start=start).exists():
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=key, window_start=start, hits=1)
                # A new window: forget this key's old ones.
                RateCounter.objects.filter(key=key, window_start__lt=start).delete()
                return
            except IntegrityError:
                # Created concurrently: take the conditional path again.
                if RateCounter.objects.filter(
                    key=key, window_start=start, hits__lt=limit.hits
                ).update(hits=F("hits") + 1):
                    return
    retry = int((start + limit.window - now).total_seconds()) + 1
    raise RateLimited(max(retry, 1))


def check_all(keys: list[tuple[str, Limit]], *, now: dt.datetime | None = None) -> None:
    """Count a request against several limits (e.g. per IP and per email)."""
    for key, limit in keys:
        hit(key, limit, now=now)
