"""Free slots from weekly hours, in plain functions (no database).

Weekly hours are wall-clock times in the associate's zone, so each day's window is built
with zoneinfo for that date and only then turned into UTC: a Monday 09:00–12:00 stays
09:00 local on both sides of a DST change. Stepping through a window happens in UTC
(adding a timedelta to an aware local datetime is wall-clock arithmetic in Python), so a
window that spans the change itself has its true length: 01:00–04:00 is two hours on the
spring-forward night and four on the fall-back night. Local times that do not exist (the
skipped hour) never start a window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

UTC = dt.UTC


@dataclass(frozen=True)
class Window:
    """Weekly hours: ``weekday`` 0 = Monday, local wall-clock start and end."""

    weekday: int
    start: dt.time
    end: dt.time


Overrides = Mapping[dt.date, Sequence[tuple[dt.time, dt.time]]]
"""Dates whose hours differ from the weekly ones: the local windows of that date, or
none at all for a date off."""

NO_OVERRIDES: Overrides = {}


@dataclass(frozen=True)
class Busy:
    """A live booking: its UTC start and end, and the buffers it keeps around itself."""

    start: dt.datetime
    end: dt.datetime
    before: dt.timedelta = dt.timedelta(0)
    after: dt.timedelta = dt.timedelta(0)


@dataclass(frozen=True)
class Rules:
    """What a session needs: its length, buffers, minimum notice and booking horizon."""

    length: dt.timedelta
    before: dt.timedelta = dt.timedelta(0)
    after: dt.timedelta = dt.timedelta(0)
    notice: dt.timedelta = dt.timedelta(0)
    horizon: dt.timedelta = dt.timedelta(days=30)


def local_instant(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime | None:
    """The UTC instant of wall-clock ``at`` on ``day`` in ``zone``; None if that local
    time does not exist (skipped by a spring-forward change). An ambiguous time (the
    repeated hour in autumn) is its first occurrence."""
    local = dt.datetime.combine(day, at, tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant


def _window_end(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    # An end inside the skipped hour means the first instant after it.
    local = dt.datetime.combine(day, at, tzinfo=zone)
    return local.astimezone(UTC)


def conflicts(start: dt.datetime, end: dt.datetime, rules: Rules, other: Busy) -> bool:
    """True if a session [start, end) with ``rules``' buffers clashes with ``other``:
    either one's buffers would cut into the other's session."""
    return (start - rules.before < other.end and end + rules.after > other.start) or (
        start < other.end + other.after and end > other.start - other.before
    )


def free_slots(
    windows: Iterable[Window],
    zone: ZoneInfo,
    rules: Rules,
    busy: Sequence[Busy],
    *,
    now: dt.datetime,
    first_day: dt.date,
    last_day: dt.date,
    overrides: Overrides = NO_OVERRIDES,
) -> list[dt.datetime]:
    """UTC start times of free sessions on the associate's local days ``first_day`` to
    ``last_day`` (inclusive), in order. Slots start at the window's start and follow each
    other every session length; a slot must fit in the window, start at least
    ``rules.notice`` after ``now``, no later than ``rules.horizon`` after it, and not
    clash with ``busy``. A date in ``overrides`` uses its own windows instead of the
    weekday's (none: the associate is off that day)."""
    by_day: dict[int, list[Window]] = {}
    for window in windows:
        by_day.setdefault(window.weekday, []).append(window)
    earliest, latest = now + rules.notice, now + rules.horizon
    found: set[dt.datetime] = set()
    day = first_day
    while day <= last_day:
        if day in overrides:
            todays = [Window(day.weekday(), a, b) for a, b in overrides[day]]
        else:
            todays = by_day.get(day.weekday(), [])
        for window in todays:
            start = local_instant(day, window.start, zone)
            if start is None:
                continue
            end = _window_end(day, window.end, zone)
            while start + rules.length <= end:
                finish = start + rules.length
                if earliest <= start <= latest and not any(
                    conflicts(start, finish, rules, other) for other in busy
                ):
                    found.add(start)
                start = finish
        day += dt.timedelta(days=1)
    return sorted(found)


def is_offered(
    start: dt.datetime,
    windows: Iterable[Window],
    zone: ZoneInfo,
    rules: Rules,
    busy: Sequence[Busy],
    *,
    now: dt.datetime,
    overrides: Overrides = NO_OVERRIDES,
) -> bool:
    """True if ``start`` (UTC) is one of the free slots: the check a booking re-runs."""
    local_day = start.astimezone(zone).date()
    # A window that began the day before can run past midnight only in UTC terms; look
    # at the neighbouring days too.
    slots = free_slots(
        windows,
        zone,
        rules,
        busy,
        now=now,
        first_day=local_day - dt.timedelta(days=1),
        last_day=local_day + dt.timedelta(days=1),
        overrides=overrides,
    )
    return start in slots
