"""Writes for connected calendars: connect, remove, refresh the busy-time cache, and
queue refreshes.

A refresh runs in the worker (``tasks.refresh_calendar``), fetches the remote calendar
outside any transaction, then swaps the connection's ``BusyTime`` rows in one transaction.
A failure records the reason and keeps the last good rows, so booking pages go on using
them. Each refresh queues the next one (every ``REFRESH_EVERY``); a booking page that finds
a connection stale (a lost queue, a restart) queues one too. Only one refresh per
connection is ever pending: queuing claims ``refresh_due_at`` with a conditional update.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from thrive.core import business, sealed
from thrive.core.roles import Role, check_actor

from . import calendars
from .models import BusyTime, CalendarConnection, CalendarKind, DateOverride, SessionType
from .queries import zone_of

log = logging.getLogger(__name__)

PURPOSE = b"thrive.bookings.calendar-password"
REFRESH_EVERY = dt.timedelta(minutes=15)
STALE_AFTER = dt.timedelta(minutes=30)
LOST_AFTER = dt.timedelta(minutes=10)
PAST_MARGIN = dt.timedelta(days=1)
LONGEST_HORIZON = 366


def _check_may_change(associate: Any, actor: Any) -> None:
    check_actor(actor)
    if actor is not None and actor.pk != associate.pk and actor.role != Role.OWNER:
        raise PermissionDenied("Only an owner can change another associate's calendar.")


def connect_calendar(
    associate: Any,
    *,
    actor: Any,
    kind: str,
    url: str,
    username: str = "",
    password: str = "",
    name: str = "",
) -> CalendarConnection:
    """Connect a calendar to ``associate`` and queue its first fetch. The password is kept
    encrypted (``core.sealed``); the address must be http(s)."""
    _check_may_change(associate, actor)
    if kind not in CalendarKind.values:
        raise ValidationError({"kind": "Choose CalDAV or an iCal feed."})
    try:
        url = calendars.normalise_url(url)
    except calendars.FetchError as exc:
        raise ValidationError({"url": str(exc)}) from exc
    if kind == CalendarKind.CALDAV and not username.strip():
        raise ValidationError({"username": "A CalDAV calendar needs the account's username."})
    connection = CalendarConnection(
        associate=associate, kind=kind, url=url, username=username.strip()[:200],
        name=name.strip()[:100],
        password_sealed=sealed.seal(password, purpose=PURPOSE) if password else "",
    )  # fmt: skip
    connection.full_clean(exclude=["associate"])
    with transaction.atomic():
        connection.save()
        queue_refresh(connection)
    return connection


def remove_calendar(connection: CalendarConnection, *, actor: Any) -> None:
    """Disconnect a calendar: its busy times stop counting at once."""
    _check_may_change(connection.associate, actor)
    connection.delete()


def password_of(connection: CalendarConnection) -> str:
    if not connection.password_sealed:
        return ""
    return sealed.unseal(connection.password_sealed, purpose=PURPOSE)


def fetch_window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """From a day ago to the furthest day any active session type can be booked."""
    ahead = (
        SessionType.objects.filter(active=True).aggregate(days=Max("max_days_ahead"))["days"] or 30
    )
    days = min(ahead + 2, LONGEST_HORIZON)
    return now - PAST_MARGIN, now + dt.timedelta(days=days)


def resolve_url(stored: str) -> str:
    """The address to fetch for a stored one: a path (a feed Thrive serves itself, such as
    the demo's) is on the business's public address as it is now, not as it was when the
    calendar was connected."""
    if stored.startswith("/") and not stored.startswith("//"):
        return business.public_url().rstrip("/") + stored
    return stored


def fetch_busy(connection: CalendarConnection, *, now: dt.datetime) -> list[calendars.Interval]:
    """Read the remote calendar (no database write); raises calendars.FetchError."""
    start, end = fetch_window(now)
    zone = zone_of(connection.associate)
    if connection.kind == CalendarKind.CALDAV:
        try:
            password = password_of(connection)
        except sealed.Unreadable as exc:
            raise calendars.FetchError(
                "The saved password can no longer be read (the install's secret key "
                "changed): connect the calendar again."
            ) from exc
        return calendars.busy_from_caldav(
            resolve_url(connection.url), username=connection.username,
            password=password,
            start=start, end=end, zone=zone,
        )  # fmt: skip
    url = resolve_url(connection.url)
    return calendars.busy_from_feed(url, start=start, end=end, zone=zone)


def refresh_calendar(connection_id: int, *, now: dt.datetime | None = None) -> bool:
    """Fetch one connection into its busy-time cache. True on success; on failure the
    reason is stored and the last good busy times stay."""
    now = now or timezone.now()
    connection = (
        CalendarConnection.objects.select_related("associate").filter(pk=connection_id).first()
    )
    if connection is None:
        return False
    try:
        intervals = fetch_busy(connection, now=now)
    except calendars.FetchError as exc:
        CalendarConnection.objects.filter(pk=connection_id).update(
            last_attempt_at=now, last_error=str(exc)[:500]
        )
        log.info("calendar %s: fetch failed: %s", connection_id, exc)
        return False
    return store_busy(connection_id, intervals, now=now)


def store_busy(
    connection_id: int, intervals: list[calendars.Interval], *, now: dt.datetime
) -> bool:
    """Swap in a successful fetch's busy times; False if the connection is gone."""
    with transaction.atomic():
        connection = CalendarConnection.objects.filter(pk=connection_id).first()
        if connection is None:
            return False  # removed while fetching
        BusyTime.objects.filter(connection_id=connection_id).delete()
        BusyTime.objects.bulk_create(
            BusyTime(
                connection_id=connection_id,
                associate_id=connection.associate_id,
                start_at=i.start,
                end_at=i.end,
            )  # fmt: skip
            for i in intervals
        )
        CalendarConnection.objects.filter(pk=connection_id).update(
            last_attempt_at=now, last_success_at=now, last_error="", busy_count=len(intervals)
        )
    return True


def queue_refresh(connection: CalendarConnection, *, delay: dt.timedelta = dt.timedelta(0)) -> bool:
    """Queue a refresh of ``connection`` unless one is pending; True if this call did."""
    from .tasks import refresh_calendar_task

    now = timezone.now()
    due = now + delay
    claimed = (
        CalendarConnection.objects.filter(pk=connection.pk)
        .filter(Q(refresh_due_at__isnull=True) | Q(refresh_due_at__lt=now - LOST_AFTER))
        .update(refresh_due_at=due)
    )
    if claimed:
        pk = connection.pk
        transaction.on_commit(lambda: refresh_calendar_task.using(run_after=due).enqueue(pk))
    return bool(claimed)


def refresh_now(connection: CalendarConnection, *, actor: Any) -> bool:
    """The associate asks for a refresh: queued at once (a pending later one is moved)."""
    _check_may_change(connection.associate, actor)
    CalendarConnection.objects.filter(pk=connection.pk).update(refresh_due_at=None)
    return queue_refresh(connection)


def queue_stale(associates: list[Any], *, now: dt.datetime | None = None) -> int:
    """Queue a refresh of every stale connection of ``associates`` (a booking page asks:
    the page itself only reads the cache). Returns how many were queued."""
    from .queries import stale_calendars

    now = now or timezone.now()
    return sum(queue_refresh(c) for c in stale_calendars(associates, now=now))


def reschedule_refreshes() -> int:
    """After a restore (which does not bring back the task queue): a refresh of every
    connection, queued now; the restored ``refresh_due_at`` names jobs that never came."""
    connections = list(CalendarConnection.objects.all())
    CalendarConnection.objects.update(refresh_due_at=None)
    return sum(queue_refresh(c) for c in connections)


def run_refresh_job(connection_id: int) -> bool:
    """The worker's job: refresh, then queue the next refresh of the same connection."""
    CalendarConnection.objects.filter(pk=connection_id).update(refresh_due_at=None)
    ok = refresh_calendar(connection_id)
    connection = CalendarConnection.objects.filter(pk=connection_id).first()
    if connection is not None:
        queue_refresh(connection, delay=REFRESH_EVERY)
    return ok


# Date overrides and time off -----------------------------------------------------------


def set_date_hours(
    associate: Any,
    day: dt.date,
    windows: list[tuple[dt.time, dt.time]],
    *,
    actor: Any,
    note: str = "",
) -> int:
    """Replace the hours of one date (local to the associate): ``windows``, or none for a
    date off. Returns the rows kept."""
    return set_days(associate, day, day, windows, actor=actor, note=note)


MAX_DAYS_OFF = 366


def set_days(
    associate: Any,
    first: dt.date,
    last: dt.date,
    windows: list[tuple[dt.time, dt.time]],
    *,
    actor: Any,
    note: str = "",
) -> int:
    """The same hours (none: time off) on every date from ``first`` to ``last``."""
    _check_may_change(associate, actor)
    if last < first:
        raise ValidationError({"last_day": "The last day is before the first."})
    if (last - first).days >= MAX_DAYS_OFF:
        raise ValidationError({"last_day": f"At most {MAX_DAYS_OFF} days at a time."})
    ordered = sorted(windows)
    for (a, b), (c, _d) in zip(ordered, ordered[1:], strict=False):
        if c < b:
            raise ValidationError({"hours": f"{a:%H:%M}–{b:%H:%M} and the next range overlap."})
    rows = []
    day = first
    while day <= last:
        if windows:
            rows += [DateOverride(associate=associate, day=day, start_time=a, end_time=b,
                                  note=note[:200]) for a, b in ordered]  # fmt: skip
        else:
            rows.append(DateOverride(associate=associate, day=day, note=note[:200]))
        day += dt.timedelta(days=1)
    for row in rows:
        row.full_clean(exclude=["associate"])
    with transaction.atomic():
        DateOverride.objects.filter(associate=associate, day__gte=first, day__lte=last).delete()
        DateOverride.objects.bulk_create(rows)
    return len(rows)


def clear_date(override: DateOverride, *, actor: Any) -> None:
    """Back to the weekly hours on that date."""
    _check_may_change(override.associate, actor)
    DateOverride.objects.filter(associate=override.associate, day=override.day).delete()
