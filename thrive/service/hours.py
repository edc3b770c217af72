"""Business hours: SLA clocks run only while the business is open.

Hours are kept simply (weekdays 09:00–17:00 by default) in the business's own zone, so a
ticket that arrives on Friday evening is due on Monday, and a change of clocks moves
nothing: the arithmetic walks local days.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from thrive.core import business

from .models import ServiceSettings


def current_settings() -> ServiceSettings:
    found = ServiceSettings.objects.order_by("pk").first()
    return found or ServiceSettings()


def add_business_minutes(
    start: dt.datetime, minutes: int, settings: ServiceSettings | None = None,
    zone: ZoneInfo | None = None,
) -> dt.datetime:  # fmt: skip
    """The moment ``minutes`` of open time after ``start``."""
    settings = settings or current_settings()
    zone = zone or business.zone()
    days = settings.workday_numbers
    if not days or settings.closes <= settings.opens:
        # No hours kept: count the clock as always running rather than never.
        return start + dt.timedelta(minutes=minutes)
    local = start.astimezone(zone)
    left = dt.timedelta(minutes=minutes)
    day = local.date()
    for _ in range(3700):  # ten years of days is plenty for any target
        if day.weekday() in days:
            opens = dt.datetime.combine(day, settings.opens, zone)
            closes = dt.datetime.combine(day, settings.closes, zone)
            begin = max(opens, local)
            if begin < closes:
                room = closes - begin
                if left <= room:
                    return (begin + left).astimezone(dt.UTC)
                left -= room
        day += dt.timedelta(days=1)
        local = dt.datetime.combine(day, dt.time(0), zone)
    return start + dt.timedelta(minutes=minutes)


def business_minutes_between(
    start: dt.datetime, end: dt.datetime, settings: ServiceSettings | None = None,
    zone: ZoneInfo | None = None,
) -> int:  # fmt: skip
    """Open minutes from ``start`` to ``end`` (0 when ``end`` is not later)."""
    settings = settings or current_settings()
    zone = zone or business.zone()
    if end <= start:
        return 0
    days = settings.workday_numbers
    if not days or settings.closes <= settings.opens:
        return int((end - start).total_seconds() // 60)
    total = dt.timedelta()
    day = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    while day <= last:
        if day.weekday() in days:
            opens = dt.datetime.combine(day, settings.opens, zone)
            closes = dt.datetime.combine(day, settings.closes, zone)
            begin, finish = max(opens, start), min(closes, end)
            if finish > begin:
                total += finish - begin
        day += dt.timedelta(days=1)
    return int(total.total_seconds() // 60)
