"""When a wait ends, computed in the person's own time zone."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from thrive.core import business


def person_zone(person: Any) -> ZoneInfo:
    """The person's time zone, or the business's when theirs is unknown or invalid."""
    for name in (getattr(person, "time_zone", ""), business.time_zone_name(), "UTC"):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def after(now: dt.datetime, cfg: dict[str, Any]) -> dt.datetime:
    """``now`` plus the step's days, hours and minutes (elapsed time, not wall clock)."""
    return now + dt.timedelta(
        days=cfg.get("days") or 0, hours=cfg.get("hours") or 0, minutes=cfg.get("minutes") or 0
    )


def _at(day: dt.date, clock: dt.time, zone: ZoneInfo) -> dt.datetime:
    # fold=0: an hour that happens twice (autumn) means its first occurrence, and a time
    # skipped by the spring change (02:30) lands an hour later in the same UTC instant
    # the clock would have shown without the change, so no wait is lost or doubled.
    return dt.datetime.combine(day, clock, tzinfo=zone).astimezone(dt.UTC)


def local_deadline(now: dt.datetime, cfg: dict[str, Any], zone: ZoneInfo) -> dt.datetime:
    """The UTC moment a ``wait_until`` step ends for someone in ``zone``.

    With ``date``: that day at ``time``, local. Otherwise the local day ``after_days``
    from today at ``time``; if that moment has passed (e.g. 09:00 when it is already
    10:00 and after_days is 0), the next day at ``time``.
    """
    hour, minute = (int(part) for part in str(cfg["time"]).split(":"))
    clock = dt.time(hour, minute)
    if cfg.get("date"):
        return _at(dt.date.fromisoformat(cfg["date"]), clock, zone)
    day = now.astimezone(zone).date() + dt.timedelta(days=int(cfg.get("after_days") or 0))
    deadline = _at(day, clock, zone)
    while deadline <= now:
        day += dt.timedelta(days=1)
        deadline = _at(day, clock, zone)
    return deadline
