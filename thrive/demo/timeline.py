"""The demo's clock: days since the start of its history, and the random streams.

Planning works in float days ``t`` of the roastery's local time (Pacific standard time),
``0 <= t < days``. Only at the end are they turned into UTC seconds, squeezing each day
into opening hours; that map is strictly increasing, so every "before"/"after" the plan
guarantees survives the conversion.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

# About two and a half years of history before the as-of date.
HISTORY_DAYS = 913
# Local midnight (UTC-8) expressed in UTC; the roastery is in Portland, Oregon.
LOCAL_MIDNIGHT_UTC_HOUR = 8
# Events happen between 07:00 and 23:00 local time.
OPEN_HOUR, OPEN_HOURS = 7.0, 16.0
MONTH_DAYS = 30.4375

# Random streams: each kind of randomness has its own key so adding draws to one never
# shifts another; per-chunk streams add the chunk number.
STREAM_PEOPLE = 0
STREAM_B2B = 1
STREAM_RETAIL = 2
STREAM_BASKETS = 3
STREAM_EXTRAS = 4
STREAM_REFERRALS = 5
STREAM_SPEND = 6


def local_today(now: dt.datetime) -> dt.date:
    """The roastery's date at ``now``: the default as-of, which keeps every event in the
    past (the latest is at 07:00 UTC on as-of, and as-of starts at 08:00 UTC)."""
    return (now.astimezone(dt.UTC) - dt.timedelta(hours=LOCAL_MIDNIGHT_UTC_HOUR)).date()


def rng_for(seed: int, *key: int) -> np.random.Generator:
    """An independent generator for (seed, key): the same pair always gives the same draws."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


@dataclass(frozen=True)
class Calendar:
    """Day ``d`` of the history is the local date ``start + d``; events fall before ``days``.

    ``day_month[d]`` is the index into ``months`` (first days of the months covered) and
    ``day_calmonth[d]`` the calendar month 0..11, both for ``d`` in ``0..days``.
    """

    as_of: dt.date
    start: dt.date
    days: int
    day_month: np.ndarray
    day_calmonth: np.ndarray
    months: tuple[dt.date, ...]

    @property
    def start_utc(self) -> dt.datetime:
        """The UTC instant of t = 0 (local midnight of the first day)."""
        return dt.datetime.combine(self.start, dt.time(LOCAL_MIDNIGHT_UTC_HOUR), tzinfo=dt.UTC)

    def seconds(self, t: np.ndarray) -> np.ndarray:
        """Whole seconds after ``start_utc`` for plan times ``t`` (non-decreasing in t)."""
        t = np.asarray(t, dtype=np.float64)
        day = np.floor(t)
        hours = OPEN_HOUR + OPEN_HOURS * (t - day)
        return (day * 86400.0 + np.floor(hours * 3600.0)).astype(np.int64)

    def day_index(self, t: np.ndarray) -> np.ndarray:
        return np.clip(np.floor(np.asarray(t, dtype=np.float64)), 0, self.days).astype(np.int64)

    def date_of(self, t: float) -> dt.date:
        return self.start + dt.timedelta(days=int(np.floor(t)))

    def per_day(self, monthly: np.ndarray) -> np.ndarray:
        """Expand 12 calendar-month factors to one per day (``days + 1`` values)."""
        return np.asarray(monthly, dtype=np.float64)[self.day_calmonth]


def make_calendar(as_of: dt.date) -> Calendar:
    start = as_of - dt.timedelta(days=HISTORY_DAYS)
    # The last local day is the one before as-of, so nothing lies in the future even when
    # as-of is today: the latest event is at 23:00 local (07:00 UTC) on as-of's eve.
    days = HISTORY_DAYS - 1
    first_day = np.datetime64(start, "D")
    dates = first_day + np.arange(days + 1).astype("timedelta64[D]")
    month_numbers = dates.astype("datetime64[M]").astype(np.int64)  # months since 1970
    first = int(month_numbers[0])
    day_month = (month_numbers - first).astype(np.int32)
    day_calmonth = (month_numbers % 12).astype(np.int8)
    last_event_month = int(month_numbers[days - 1])
    months = tuple(
        np.datetime64(m, "M").astype("datetime64[D]").item()
        for m in range(first, last_event_month + 1)
    )
    return Calendar(as_of, start, days, day_month, day_calmonth, months)
