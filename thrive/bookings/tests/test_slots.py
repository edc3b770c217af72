"""Slot generation in the associate's zone, checked against hand-worked UTC times
around the 2026 and 2027 US daylight-saving changes (America/Los_Angeles:
PDT = UTC-7 until 1 Nov 2026, PST = UTC-8 until 14 Mar 2027, then PDT again)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from thrive.bookings.slots import Busy, Rules, Window, free_slots, is_offered, local_instant

LA = ZoneInfo("America/Los_Angeles")
UTC = dt.UTC
HALF_HOUR = Rules(length=dt.timedelta(minutes=30), horizon=dt.timedelta(days=800))
LONG_AGO = dt.datetime(2026, 1, 1, tzinfo=UTC)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def slots_on(day: dt.date, windows: list[Window], rules: Rules = HALF_HOUR, busy=()):
    return free_slots(windows, LA, rules, list(busy), now=LONG_AGO, first_day=day, last_day=day)


MONDAY_MORNING = [Window(0, dt.time(9), dt.time(12))]


def test_a_monday_morning_stays_nine_local_across_the_march_change():
    before = slots_on(dt.date(2027, 3, 8), MONDAY_MORNING)  # PST
    after = slots_on(dt.date(2027, 3, 15), MONDAY_MORNING)  # PDT
    assert before[0] == utc(2027, 3, 8, 17, 0) and after[0] == utc(2027, 3, 15, 16, 0)
    assert len(before) == len(after) == 6
    assert {s.astimezone(LA).strftime("%H:%M") for s in before + after} == {
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
    }  # fmt: skip


def test_a_monday_morning_stays_nine_local_across_the_november_change():
    before = slots_on(dt.date(2026, 10, 26), MONDAY_MORNING)  # PDT
    after = slots_on(dt.date(2026, 11, 2), MONDAY_MORNING)  # PST
    assert before[0] == utc(2026, 10, 26, 16, 0)
    assert after[0] == utc(2026, 11, 2, 17, 0)
    assert before[-1].astimezone(LA).time() == after[-1].astimezone(LA).time() == dt.time(11, 30)


def test_a_window_over_the_spring_forward_night_is_two_real_hours_long():
    night = [Window(6, dt.time(1), dt.time(4))]  # Sunday 14 March 2027, 02:00 is skipped
    slots = slots_on(dt.date(2027, 3, 14), night)
    assert slots == [utc(2027, 3, 14, 9, 0), utc(2027, 3, 14, 9, 30),
                     utc(2027, 3, 14, 10, 0), utc(2027, 3, 14, 10, 30)]  # fmt: skip
    assert [s.astimezone(LA).strftime("%H:%M") for s in slots] == [
        "01:00", "01:30", "03:00", "03:30",
    ]  # fmt: skip


def test_a_window_over_the_fall_back_night_is_four_real_hours_long():
    night = [Window(6, dt.time(1), dt.time(4))]  # Sunday 1 November 2026, 01:00 twice
    slots = slots_on(dt.date(2026, 11, 1), night)
    assert len(slots) == 8
    assert slots[0] == utc(2026, 11, 1, 8, 0) and slots[-1] == utc(2026, 11, 1, 11, 30)


def test_hours_that_start_in_the_skipped_hour_offer_nothing_that_day():
    assert local_instant(dt.date(2027, 3, 14), dt.time(2, 30), LA) is None
    assert slots_on(dt.date(2027, 3, 14), [Window(6, dt.time(2), dt.time(3))]) == []
    assert len(slots_on(dt.date(2027, 3, 21), [Window(6, dt.time(2), dt.time(3))])) == 2


def test_buffers_on_both_sides_keep_the_neighbouring_slots_free():
    # Busy 10:00–10:30 local (18:00 UTC, PST) keeping 10 minutes after itself; the new
    # session keeps 10 minutes after too. 09:30 would run its buffer into 10:00; 10:30
    # starts inside the busy session's buffer.
    rules = Rules(length=dt.timedelta(minutes=30), after=dt.timedelta(minutes=10),
                  horizon=dt.timedelta(days=800))  # fmt: skip
    busy = [Busy(utc(2027, 3, 8, 18, 0), utc(2027, 3, 8, 18, 30), after=dt.timedelta(minutes=10))]
    slots = slots_on(dt.date(2027, 3, 8), MONDAY_MORNING, rules, busy)
    assert [s.astimezone(LA).strftime("%H:%M") for s in slots] == ["09:00", "11:00", "11:30"]


def test_minimum_notice_and_horizon_bound_the_slots():
    rules = Rules(length=dt.timedelta(minutes=30), notice=dt.timedelta(hours=2),
                  horizon=dt.timedelta(days=7))  # fmt: skip
    now = utc(2027, 3, 8, 16, 45)  # 08:45 local on the Monday
    windows = MONDAY_MORNING
    today = free_slots(windows, LA, rules, [], now=now, first_day=dt.date(2027, 3, 8),
                       last_day=dt.date(2027, 3, 22))  # fmt: skip
    local = [s.astimezone(LA) for s in today]
    # 08:45 + 2 h notice = 10:45: the first slot is the next start, 11:00.
    assert local[0].strftime("%Y-%m-%d %H:%M") == "2027-03-08 11:00"
    assert max(today) <= now + dt.timedelta(days=7)
    assert all(s.date() != dt.date(2027, 3, 22) for s in local)


def test_is_offered_accepts_only_slot_starts():
    assert is_offered(utc(2027, 3, 8, 17, 30), MONDAY_MORNING, LA, HALF_HOUR, [], now=LONG_AGO)
    assert not is_offered(utc(2027, 3, 8, 17, 15), MONDAY_MORNING, LA, HALF_HOUR, [],
                          now=LONG_AGO)  # fmt: skip
    assert not is_offered(utc(2027, 3, 8, 20, 0), MONDAY_MORNING, LA, HALF_HOUR, [],
                          now=LONG_AGO)  # fmt: skip
