"""Reads for strategy sessions: weekly hours, free slots, the calendar of bookings."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from thrive.core import business

from .models import (
    Availability,
    Booking,
    BookingStatus,
    BusyTime,
    CalendarConnection,
    DateOverride,
    SessionType,
)
from .slots import Busy, Overrides, Rules, Window, free_slots

# Buffers are at most two hours each (SessionType validators): a day's margin is ample.
MARGIN = dt.timedelta(days=1)


def zone_of(associate: Any) -> ZoneInfo:
    return ZoneInfo(business.associate_zone_name(associate))


def windows_for(associate: Any) -> list[Window]:
    return [
        Window(row.weekday, row.start_time, row.end_time)
        for row in Availability.objects.filter(associate=associate)
    ]


def rules_for(session_type: SessionType) -> Rules:
    return Rules(
        length=session_type.length,
        before=dt.timedelta(minutes=session_type.buffer_before_minutes),
        after=dt.timedelta(minutes=session_type.buffer_after_minutes),
        notice=dt.timedelta(hours=session_type.min_notice_hours),
        horizon=dt.timedelta(days=session_type.max_days_ahead),
    )


def busy_for(
    associate: Any, start: dt.datetime, end: dt.datetime, *, exclude: int | None = None
) -> list[Busy]:
    """The associate's live bookings that could clash with anything in [start, end)."""
    margin = MARGIN
    rows = Booking.objects.filter(
        associate=associate,
        status=BookingStatus.BOOKED,
        start_at__lt=end + margin,
        end_at__gt=start - margin,
    )
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return [
        Busy(
            b.start_at,
            b.end_at,
            dt.timedelta(minutes=b.buffer_before_minutes),
            dt.timedelta(minutes=b.buffer_after_minutes),
        )
        for b in rows
    ]


def calendar_busy_for(associate: Any, start: dt.datetime, end: dt.datetime) -> list[Busy]:
    """Busy times from the associate's connected calendars (the worker's last good fetch)
    that could clash with anything in [start, end)."""
    rows = BusyTime.objects.filter(
        associate=associate, start_at__lt=end + MARGIN, end_at__gt=start - MARGIN
    ).values_list("start_at", "end_at")
    return [Busy(a, b) for a, b in rows]


def overrides_for(associate: Any, first_day: dt.date, last_day: dt.date) -> Overrides:
    """The associate's date overrides and days off between two local dates."""
    found: dict[dt.date, list[tuple[dt.time, dt.time]]] = {}
    off: set[dt.date] = set()
    for row in DateOverride.objects.filter(
        associate=associate, day__gte=first_day - dt.timedelta(days=1),
        day__lte=last_day + dt.timedelta(days=1),
    ):  # fmt: skip
        if row.start_time is None or row.end_time is None:
            off.add(row.day)
        else:
            found.setdefault(row.day, []).append((row.start_time, row.end_time))
    # A day off wins over any hours given for the same date.
    return {**found, **{day: [] for day in off}}


def date_overrides(associate: Any, *, today: dt.date) -> QuerySet[DateOverride]:
    return DateOverride.objects.filter(associate=associate, day__gte=today)


def calendars_of(associate: Any) -> QuerySet[CalendarConnection]:
    return CalendarConnection.objects.filter(associate=associate)


def all_calendars() -> QuerySet[CalendarConnection]:
    return CalendarConnection.objects.select_related("associate").order_by(
        "associate__first_name", "associate__username", "id"
    )


def open_slots(
    associate: Any,
    session_type: SessionType,
    start: dt.datetime,
    end: dt.datetime,
    *,
    now: dt.datetime | None = None,
    exclude: int | None = None,
) -> list[dt.datetime]:
    """Free UTC slot starts in [start, end) for ``session_type`` with ``associate``."""
    now = now or timezone.now()
    zone = zone_of(associate)
    first_day = start.astimezone(zone).date() - dt.timedelta(days=1)
    last_day = end.astimezone(zone).date()
    slots = free_slots(
        windows_for(associate),
        zone,
        rules_for(session_type),
        busy_for(associate, start, end, exclude=exclude) + calendar_busy_for(associate, start, end),
        now=now,
        first_day=first_day,
        last_day=last_day,
        overrides=overrides_for(associate, first_day, last_day),
    )
    return [slot for slot in slots if start <= slot < end]


def team_of(session_type: SessionType) -> list[Any]:
    """The active associates with weekly hours who take ``session_type`` in round robin
    (empty when the session type is booked with one named associate)."""
    return list(
        session_type.associates.filter(is_active=True, availability__isnull=False)
        .distinct()
        .order_by("first_name", "username")
    )


def recent_load(associates: list[Any], *, since: dt.datetime) -> dict[int, int]:
    """Sessions booked with each associate since ``since`` (moves count once)."""
    counts = {a.pk: 0 for a in associates}
    rows = (
        Booking.objects.filter(associate__in=associates, created_at__gte=since)
        .exclude(status=BookingStatus.RESCHEDULED)
        .values_list("associate_id", flat=True)
    )
    for pk in rows:
        counts[pk] = counts.get(pk, 0) + 1
    return counts


def team_open_slots(
    session_type: SessionType, start: dt.datetime, end: dt.datetime,
    *, now: dt.datetime | None = None,
) -> dict[dt.datetime, list[Any]]:  # fmt: skip
    """Each free UTC slot start in [start, end) with the team members free then."""
    found: dict[dt.datetime, list[Any]] = {}
    for associate in team_of(session_type):
        for slot in open_slots(associate, session_type, start, end, now=now):
            found.setdefault(slot, []).append(associate)
    return dict(sorted(found.items()))


def slots_by_day(
    associate: Any,
    session_type: SessionType,
    visitor_zone: ZoneInfo,
    first_day: dt.date,
    days: int = 7,
    *,
    now: dt.datetime | None = None,
    exclude: int | None = None,
) -> list[tuple[dt.date, list[dt.datetime]]]:
    """``days`` of the visitor's own calendar from ``first_day``, each with its free slots
    as aware datetimes in the visitor's zone."""
    start = dt.datetime.combine(first_day, dt.time(0), tzinfo=visitor_zone)
    end = dt.datetime.combine(first_day + dt.timedelta(days=days), dt.time(0), tzinfo=visitor_zone)
    found: dict[dt.date, list[dt.datetime]] = {
        first_day + dt.timedelta(days=i): [] for i in range(days)
    }
    if associate is None:  # round robin: any team member free
        starts = list(team_open_slots(session_type, start, end, now=now))
    else:
        starts = open_slots(associate, session_type, start, end, now=now, exclude=exclude)
    for slot in starts:
        local = slot.astimezone(visitor_zone)
        found.setdefault(local.date(), []).append(local)
    return sorted(found.items())


def stale_calendars(associates: list[Any], *, now: dt.datetime) -> QuerySet[CalendarConnection]:
    """Connections of ``associates`` not refreshed lately and with no refresh pending."""
    from .calendar_services import LOST_AFTER, STALE_AFTER

    return (
        CalendarConnection.objects.filter(associate__in=associates)
        .filter(
            models.Q(last_attempt_at__isnull=True) | models.Q(last_attempt_at__lt=now - STALE_AFTER)
        )
        .filter(
            models.Q(refresh_due_at__isnull=True) | models.Q(refresh_due_at__lt=now - LOST_AFTER)
        )
    )


def bookable_associates() -> QuerySet[Any]:
    """Active associates with weekly hours, in name order."""
    return (
        get_user_model()
        .objects.filter(is_active=True, availability__isnull=False)
        .distinct()
        .order_by("first_name", "username")
    )


def active_session_types() -> QuerySet[SessionType]:
    return SessionType.objects.filter(active=True)


def upcoming_sessions(*, now: dt.datetime | None = None) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(status=BookingStatus.BOOKED, end_at__gt=now or timezone.now())
        .select_related("associate", "person", "session_type")
        .order_by("start_at", "id")
    )


def recent_sessions(*, limit: int = 20) -> QuerySet[Booking]:
    """Sessions that are over or called off, newest first."""
    return (
        Booking.objects.exclude(status=BookingStatus.BOOKED)
        .exclude(status=BookingStatus.RESCHEDULED)
        .select_related("associate", "person", "session_type")
        .order_by("-start_at", "-id")[:limit]
    )
