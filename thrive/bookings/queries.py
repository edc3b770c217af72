"""Reads for strategy sessions: weekly hours, free slots, the calendar of bookings."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from thrive.core import business

from .models import Availability, Booking, BookingStatus, SessionType
from .slots import Busy, Rules, Window, free_slots


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
    # Buffers are at most two hours each (SessionType validators): a day's margin is ample.
    margin = dt.timedelta(days=1)
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
    slots = free_slots(
        windows_for(associate),
        zone,
        rules_for(session_type),
        busy_for(associate, start, end, exclude=exclude),
        now=now,
        first_day=start.astimezone(zone).date() - dt.timedelta(days=1),
        last_day=end.astimezone(zone).date(),
    )
    return [slot for slot in slots if start <= slot < end]


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
    for slot in open_slots(associate, session_type, start, end, now=now, exclude=exclude):
        local = slot.astimezone(visitor_zone)
        found.setdefault(local.date(), []).append(local)
    return sorted(found.items())


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
