"""Associates' own calendars: a real Radicale CalDAV server and a real iCal feed on
loopback, fetched into the busy-time cache the booking pages read; recurring, all-day,
zoned and floating events; and every way a calendar can fail, told in words."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from thrive.bookings import calendar_services, calendars, queries
from thrive.bookings.models import Booking, BusyTime, CalendarConnection, CalendarKind

from .conftest import next_slot

pytestmark = pytest.mark.django_db

CODE = "%Y%m%dT%H%MZ"
LA = ZoneInfo("America/Los_Angeles")
BERLIN = ZoneInfo("Europe/Berlin")


def _ics(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + body
            + "END:VCALENDAR\r\n").encode()  # fmt: skip


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _event(uid: str, start: dt.datetime, minutes: int = 30, extra: str = "") -> str:
    end = start + dt.timedelta(minutes=minutes)
    return (f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{_utc(start)}\r\n"
            f"DTEND:{_utc(end)}\r\nSUMMARY:Private\r\n{extra}")  # fmt: skip


def _window(around: dt.datetime) -> dict[str, dt.datetime]:
    return {"start": around - dt.timedelta(days=10), "end": around + dt.timedelta(days=20)}


# Reading iCalendar ------------------------------------------------------------------------


def test_a_weekly_event_in_berlin_time_is_busy_every_week_at_berlin_wall_clock():
    first = dt.datetime(2026, 10, 19, 10, 0, tzinfo=BERLIN)  # before Europe's clock change
    feed = _ics(
        "UID:weekly\r\nDTSTAMP:20260101T000000Z\r\n"
        "DTSTART;TZID=Europe/Berlin:20261019T100000\r\n"
        "DTEND;TZID=Europe/Berlin:20261019T110000\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\n"
        "EXDATE;TZID=Europe/Berlin:20261026T100000"
    )
    busy = calendars.parse_busy(feed, **_window(first), zone=LA)
    assert [b.start for b in busy] == [
        first.astimezone(dt.UTC),
        dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC),  # 10:00 Berlin in winter time
    ]
    assert all(b.end - b.start == dt.timedelta(hours=1) for b in busy)


def test_an_all_day_event_blocks_the_associates_whole_local_day():
    feed = _ics("UID:day\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20261210\r\n"
                "DTEND;VALUE=DATE:20261211\r\nSUMMARY:Trade fair")  # fmt: skip
    around = dt.datetime(2026, 12, 10, tzinfo=dt.UTC)
    [busy] = calendars.parse_busy(feed, **_window(around), zone=LA)
    assert busy.start == dt.datetime(2026, 12, 10, 0, 0, tzinfo=LA)
    assert busy.end == dt.datetime(2026, 12, 11, 0, 0, tzinfo=LA)


def test_floating_times_are_the_associates_and_free_or_cancelled_events_block_nothing():
    feed = _ics(
        "UID:floating\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261210T090000\r\n"
        "DTEND:20261210T100000",
        _event("free", dt.datetime(2026, 12, 10, 20, tzinfo=dt.UTC), extra="TRANSP:TRANSPARENT"),
        _event("off", dt.datetime(2026, 12, 10, 21, tzinfo=dt.UTC), extra="STATUS:CANCELLED"),
    )
    around = dt.datetime(2026, 12, 10, tzinfo=dt.UTC)
    [busy] = calendars.parse_busy(feed, **_window(around), zone=LA)
    assert busy.start == dt.datetime(2026, 12, 10, 9, 0, tzinfo=LA)


def test_something_that_is_not_ical_is_refused_in_words():
    with pytest.raises(calendars.FetchError, match="not with an iCal calendar"):
        calendars.parse_busy(b"<html>Sign in</html>", **_window(dt.datetime.now(dt.UTC)),
                             zone=LA)  # fmt: skip


# Through a real CalDAV server ---------------------------------------------------------------


def _connect_caldav(associate, server, calendar, password=None):
    return calendar_services.connect_calendar(
        associate, actor=associate, kind=CalendarKind.CALDAV, url=str(calendar.url),
        username="tom", password=password or server.users["tom"], name="Work",
    )  # fmt: skip


def test_a_busy_time_in_caldav_is_not_offered_and_booking_it_is_refused(
    open_all_week, kind, radicale
):
    maya = open_all_week
    day = (dt.datetime.now(LA) + dt.timedelta(days=3)).date()
    slot = dt.datetime.combine(day, dt.time(10), tzinfo=LA).astimezone(dt.UTC)
    calendar = radicale.new_calendar()
    calendar.save_event(dtstart=slot, dtend=slot + dt.timedelta(minutes=30), summary="Dentist")
    connection = _connect_caldav(maya, radicale, calendar)
    # The password is kept sealed, never as typed.
    assert "roast-2026" not in CalendarConnection.objects.values_list("password_sealed",
                                                                      flat=True)[0]  # fmt: skip
    assert slot in queries.open_slots(maya, kind, slot, slot + dt.timedelta(hours=1))

    assert calendar_services.refresh_calendar(connection.pk) is True

    assert slot not in queries.open_slots(maya, kind, slot, slot + dt.timedelta(hours=1))
    visitor = Client()
    week = {"tz": "America/Los_Angeles", "from": slot.astimezone(LA).date()}
    page = visitor.get(reverse("book_slots", args=["maya", kind.slug]), week)
    assert page.status_code == 200
    assert slot.strftime(CODE).encode() not in page.content
    # The slot after the event is offered; the one before is not, because its 10-minute
    # buffer would reach into the event.
    after, before = slot + dt.timedelta(minutes=30), slot - dt.timedelta(minutes=30)
    assert after.strftime(CODE).encode() in page.content
    assert before.strftime(CODE).encode() not in page.content
    assert (before - dt.timedelta(minutes=30)).strftime(CODE).encode() in page.content
    response = visitor.post(
        reverse("book_form", args=["maya", kind.slug, slot.strftime(CODE)]),
        {"first_name": "Lena", "email": "lena@example.com", "consent": "on",
         "tz": "America/Los_Angeles"},
    )  # fmt: skip
    assert response.status_code == 409
    assert b"busy in the calendar" in response.content
    assert not Booking.objects.exists()


def test_a_weekly_caldav_event_blocks_every_week(open_all_week, kind, radicale):
    maya = open_all_week
    slot = next_slot(maya, kind, skip=6)
    local = slot.astimezone(BERLIN)
    calendar = radicale.new_calendar()
    calendar.save_event(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        "UID:weekly-standup\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART;TZID=Europe/Berlin:{local - dt.timedelta(days=7):%Y%m%dT%H%M%S}\r\n"
        f"DTEND;TZID=Europe/Berlin:{local - dt.timedelta(days=7, minutes=-30):%Y%m%dT%H%M%S}\r\n"
        "RRULE:FREQ=WEEKLY\r\nSUMMARY:Stand-up\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    calendar_services.refresh_calendar(_connect_caldav(maya, radicale, calendar).pk)
    for week in (0, 1, 2):
        start = (local + dt.timedelta(days=7 * week)).astimezone(dt.UTC)
        assert not queries.open_slots(maya, kind, start, start + dt.timedelta(minutes=1)), week


def test_a_wrong_caldav_password_is_shown_with_the_reason_and_nothing_crashes(
    open_all_week, kind, radicale, owner
):
    calendar = radicale.new_calendar()
    connection = _connect_caldav(open_all_week, radicale, calendar, password="wrong")
    assert calendar_services.refresh_calendar(connection.pk) is False
    connection.refresh_from_db()
    assert "refused the username or password" in connection.last_error
    page = Client()
    page.force_login(open_all_week)
    html = page.get(reverse("sessions")).content.decode()
    assert "Last fetch failed" in html and "refused the username or password" in html
    assert "ignore this calendar until a fetch succeeds" in html


def test_an_unreachable_calendar_says_so(open_all_week):
    connection = calendar_services.connect_calendar(
        open_all_week, actor=open_all_week, kind=CalendarKind.CALDAV,
        url="http://127.0.0.1:9/cal/", username="tom", password="x",
    )  # fmt: skip
    assert calendar_services.refresh_calendar(connection.pk) is False
    connection.refresh_from_db()
    assert connection.last_error == "Could not reach 127.0.0.1:9: the connection was refused."


# Through a real iCal feed -------------------------------------------------------------------


def _connect_feed(associate, url):
    return calendar_services.connect_calendar(
        associate, actor=associate, kind=CalendarKind.ICAL, url=url, name="Phone"
    )


def test_a_feed_blocks_its_busy_times_and_a_failure_keeps_the_last_good_ones(
    open_all_week, kind, feed_server
):
    maya = open_all_week
    slot = next_slot(maya, kind, skip=2)
    url = feed_server.serve("/maya.ics", _ics(_event("lunch", slot)))
    connection = _connect_feed(maya, url)
    assert calendar_services.refresh_calendar(connection.pk) is True
    assert BusyTime.objects.filter(connection=connection).count() == 1
    assert slot not in queries.open_slots(maya, kind, slot, slot + dt.timedelta(hours=1))

    feed_server.serve("/maya.ics", b"down for maintenance", status=503, kind="text/plain")
    assert calendar_services.refresh_calendar(connection.pk) is False
    connection.refresh_from_db()
    assert connection.last_error == "The server answered with an error (HTTP 503)."
    assert connection.last_success_at is not None
    # Still blocked: the last good fetch stands.
    assert slot not in queries.open_slots(maya, kind, slot, slot + dt.timedelta(hours=1))


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (b"<!doctype html><title>Sign in</title>", 200, "not with an iCal calendar"),
        (b"", 404, "Nothing at that address (HTTP 404)"),
        (b"BEGIN:VCALENDAR\r\n" + b"X" * (calendars.MAX_BYTES + 10), 200, "larger than 5 MB"),
    ],
    ids=["html", "missing", "huge"],
)
def test_a_bad_feed_is_refused_with_a_clear_reason(open_all_week, feed_server, body, status,
                                                    reason):  # fmt: skip
    connection = _connect_feed(open_all_week, feed_server.serve("/bad.ics", body, status=status))
    assert calendar_services.refresh_calendar(connection.pk) is False
    connection.refresh_from_db()
    assert reason in connection.last_error
    assert not BusyTime.objects.exists()


def test_only_web_addresses_can_be_connected(open_all_week):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="starts with https://"):
        _connect_feed(open_all_week, "file:///etc/passwd")
    webcal = _connect_feed(open_all_week, "webcal://calendar.example.com/busy.ics")
    assert webcal.url == "https://calendar.example.com/busy.ics"


def test_a_feed_thrive_serves_is_kept_as_a_path_and_fetched_from_the_current_address(
    open_all_week, kind, feed_server, settings
):
    from .conftest import FeedServer

    maya = open_all_week
    slot = next_slot(maya, kind, skip=2)
    feed_server.serve("/static/maya.ics", _ics(_event("lunch", slot)))
    settings.THRIVE_PUBLIC_URL = feed_server.url("")
    connection = _connect_feed(maya, "/static/maya.ics")
    assert connection.url == "/static/maya.ics"
    assert calendar_services.refresh_calendar(connection.pk) is True
    assert feed_server.requests == 1

    # Thrive now answers on another port: the same connection follows it there.
    moved = FeedServer()
    try:
        later = slot + dt.timedelta(days=1)
        moved.serve("/static/maya.ics", _ics(_event("dentist", later)))
        settings.THRIVE_PUBLIC_URL = moved.url("")
        assert calendar_services.refresh_calendar(connection.pk) is True
        assert moved.requests == 1 and feed_server.requests == 1
        busy = BusyTime.objects.filter(connection=connection).values_list("start_at", flat=True)
        assert list(busy) == [later]
    finally:
        moved.server.shutdown()
        moved.server.server_close()


# Refreshing ---------------------------------------------------------------------------------


def _queued_refreshes() -> int:
    return DBTaskResult.objects.filter(task_path__endswith="refresh_calendar_task").count()


def test_connecting_queues_a_fetch_and_each_fetch_queues_the_next(
    open_all_week, feed_server, django_capture_on_commit_callbacks
):
    url = feed_server.serve("/maya.ics", _ics())
    with django_capture_on_commit_callbacks(execute=True):
        connection = _connect_feed(open_all_week, url)
    assert _queued_refreshes() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert calendar_services.run_refresh_job(connection.pk) is True
    connection.refresh_from_db()
    assert connection.last_success_at is not None
    assert _queued_refreshes() == 2
    assert connection.refresh_due_at > connection.last_success_at + dt.timedelta(minutes=14)


def test_the_booking_page_queues_one_refresh_for_a_stale_calendar_and_never_fetches_itself(
    open_all_week, kind, feed_server, django_capture_on_commit_callbacks
):
    url = feed_server.serve("/maya.ics", _ics())
    connection = _connect_feed(open_all_week, url)
    CalendarConnection.objects.filter(pk=connection.pk).update(
        refresh_due_at=None, last_attempt_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    before = _queued_refreshes()
    page = reverse("book_slots", args=["maya", kind.slug])
    with django_capture_on_commit_callbacks(execute=True):
        Client().get(page)
        Client().get(page)
    assert _queued_refreshes() == before + 1
    assert feed_server.requests == 0


def test_after_a_restore_every_calendar_gets_a_refresh_queued_again(
    open_all_week, feed_server, django_capture_on_commit_callbacks
):
    from thrive.core.reschedule import reschedule_all

    connection = _connect_feed(open_all_week, feed_server.serve("/maya.ics", _ics()))
    # As restored: a refresh said to be pending, but the queue row is gone.
    CalendarConnection.objects.filter(pk=connection.pk).update(refresh_due_at=dt.datetime.now(dt.UTC))
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert reschedule_all()["calendar busy-time refreshes"] == 1
    assert _queued_refreshes() == 1


def test_a_server_that_never_answers_is_given_up_on_in_words():
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/busy.ics"
        with pytest.raises(calendars.FetchError, match="did not answer"):
            calendars.fetch_feed(url, timeout=0.5)


def test_moving_a_session_onto_a_busy_time_is_refused_in_words(open_all_week, kind):
    from thrive.bookings.links import manage_token

    from .conftest import book

    maya = open_all_week
    booking = book(maya, kind, next_slot(maya, kind))
    target = next_slot(maya, kind, skip=3)
    connection = CalendarConnection.objects.create(associate=maya, kind="ical",
                                                   url="https://example.com/maya.ics")  # fmt: skip
    BusyTime.objects.create(connection=connection, associate=maya, start_at=target,
                            end_at=target + dt.timedelta(minutes=30))  # fmt: skip
    response = Client().post(reverse("book_move", args=[manage_token(booking)]),
                             {"start": target.strftime(CODE)})  # fmt: skip
    assert response.status_code == 409
    assert b"busy in the calendar" in response.content
    booking.refresh_from_db()
    assert booking.status == "booked"
