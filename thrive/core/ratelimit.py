"""Rate limits for public forms, sign-in and anything that sends email, shared by every
web process: a fixed-window counter per key kept in the database.

Why not Django's cache: the default LocMem cache is per process, so N processes would
each allow the full limit. A row per key and window works the same on SQLite and
PostgreSQL; old windows are swept as new ones open.

Every limit has a name; ``THRIVE_RATE_LIMITS`` (e.g. ``join_per_ip=20/hour``) changes
it without a code change (docs/operations.md lists the names).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.http import HttpRequest
from django.utils import timezone

from .models import RateCounter

# Every named limit, so a system check can tell a misspelt name in THRIVE_RATE_LIMITS.
NAMED: dict[str, Limit] = {}


@dataclass(frozen=True)
class Limit:
    """At most ``hits`` per ``window`` for one key; ``name`` is the settings name."""

    hits: int
    window: dt.timedelta
    name: str = ""

    def __post_init__(self) -> None:
        if self.name:
            NAMED.setdefault(self.name, self)

    def current(self) -> Limit:
        """This limit with any override from ``THRIVE_RATE_LIMITS`` applied."""
        override = getattr(settings, "THRIVE_RATE_LIMITS", {}).get(self.name)
        if not override:
            return self
        hits, seconds = override
        return replace(self, hits=hits, window=dt.timedelta(seconds=seconds), name="")


class Refused(Exception):  # noqa: N818 - a refusal, not an error
    """A public request refused before anything was written or sent."""


class RateLimited(Refused):
    """Too many requests; ``retry_after`` seconds until the window ends."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many requests.")
        self.retry_after = retry_after

    @property
    def minutes(self) -> int:
        return max(1, -(-self.retry_after // 60))


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR only. Behind a proxy the server (waitress with
    its trusted-proxy setting) puts the real client there; an X-Forwarded-For read here
    would be whatever the client says, and would let anyone dodge per-address limits."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def _window_start(now: dt.datetime, window: dt.timedelta) -> dt.datetime:
    seconds = max(int(window.total_seconds()), 1)
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def _retry_after(start: dt.datetime, limit: Limit, now: dt.datetime) -> int:
    return max(int((start + limit.window - now).total_seconds()) + 1, 1)


def hit(key: str, limit: Limit, *, now: dt.datetime | None = None) -> None:
    """Count one request for ``key``; raise RateLimited when it is over the limit.

    The increment is one conditional UPDATE, so concurrent requests cannot both take
    the last slot.
    """
    limit = limit.current()
    now = now or timezone.now()
    start = _window_start(now, limit.window)
    key = key[:200]
    with transaction.atomic():
        counted = RateCounter.objects.filter(
            key=key, window_start=start, hits__lt=limit.hits
        ).update(hits=F("hits") + 1)
        if counted:
            return
        if limit.hits > 0 and not RateCounter.objects.filter(
            key=key, window_start=start
        ).exists():
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
    raise RateLimited(_retry_after(start, limit, now))


def check_all(keys: list[tuple[str, Limit]], *, now: dt.datetime | None = None) -> None:
    """Count a request against several limits (e.g. per IP and per email)."""
    for key, limit in keys:
        hit(key, limit, now=now)


def refuse_if_over(key: str, limit: Limit, *, now: dt.datetime | None = None) -> None:
    """Raise RateLimited if ``key`` has used up ``limit`` in this window, without
    counting (sign-in counts only failures, after the password was checked)."""
    limit = limit.current()
    now = now or timezone.now()
    start = _window_start(now, limit.window)
    used = RateCounter.objects.filter(key=key[:200], window_start=start).aggregate(
        total=Sum("hits")
    )["total"] or 0
    if used >= limit.hits:
        raise RateLimited(_retry_after(start, limit, now))


def count_quietly(key: str, limit: Limit, *, now: dt.datetime | None = None) -> None:
    """Count one hit for ``key`` and never raise (the caller refuses on the next try)."""
    try:
        hit(key, limit, now=now)
    except RateLimited:
        pass


def forget(key: str) -> None:
    """Drop every count for ``key`` (a successful sign-in clears its failures)."""
    RateCounter.objects.filter(key=key[:200]).delete()
