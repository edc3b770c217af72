"""SLA clocks count business hours only, in the business's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from thrive.service.hours import add_business_minutes, business_minutes_between
from thrive.service.models import ServiceSettings

TORONTO = ZoneInfo("America/Toronto")
WEEKDAYS_9_TO_5 = ServiceSettings(workdays="0,1,2,3,4", opens=dt.time(9), closes=dt.time(17))


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=TORONTO)  # 4 Dec is a Friday


def test_a_friday_evening_email_is_due_on_monday_morning():
    due = add_business_minutes(at(4, 19), 60, WEEKDAYS_9_TO_5, TORONTO)
    assert due == at(7, 10)


def test_a_target_longer_than_a_day_carries_over_the_weekend():
    due = add_business_minutes(at(4, 16), 3 * 60, WEEKDAYS_9_TO_5, TORONTO)
    assert due == at(7, 11)


def test_minutes_between_skip_nights_and_weekends():
    assert business_minutes_between(at(4, 16), at(7, 11), WEEKDAYS_9_TO_5, TORONTO) == 180
    assert business_minutes_between(at(5, 10), at(6, 12), WEEKDAYS_9_TO_5, TORONTO) == 0
    assert business_minutes_between(at(7, 11), at(4, 16), WEEKDAYS_9_TO_5, TORONTO) == 0


def test_hours_across_a_clock_change_stay_local():
    march = dt.datetime(2027, 3, 5, 16, tzinfo=TORONTO)  # DST starts Sunday 14 March
    due = add_business_minutes(march, 6 * 8 * 60, WEEKDAYS_9_TO_5, TORONTO)
    assert due == dt.datetime(2027, 3, 15, 16, tzinfo=TORONTO)
