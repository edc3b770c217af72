"""Quiet hours in each person's own time zone: pure functions of time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..conf import business_zone_name


def zone_for(name: str) -> ZoneInfo:
    """The person's zone, or the business's when it is blank or unknown."""
    for candidate in (name, business_zone_name(), "UTC"):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def is_quiet(local: dt.time, window: tuple[dt.time, dt.time]) -> bool:
    """True inside ``[start, end)``; a window whose start is after its end spans midnight."""
    start, end = window
    if start < end:
        return start <= local < end
    return local >= start or local < end


def quiet_until(
    now: dt.datetime, zone: ZoneInfo, window: tuple[dt.time, dt.time]
) -> dt.datetime | None:
    """When quiet hours end, if ``now`` falls in them in ``zone``; None if it does not."""
    local = now.astimezone(zone)
    if not is_quiet(local.time(), window):
        return None
    end = window[1]
    candidate = dt.datetime.combine(local.date(), end, tzinfo=zone)
    if candidate <= local:
        candidate = dt.datetime.combine(local.date() + dt.timedelta(days=1), end, tzinfo=zone)
    return candidate.astimezone(dt.UTC)
