"""Maya connects her calendar's iCal feed on the sessions page; once the worker has
fetched it, a prospect on the booking page (desktop and phone width) is not offered the
time she is busy, and the time after it is."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from thrive.bookings import calendar_services, services
from thrive.bookings.models import CalendarConnection, SessionType
from thrive.bookings.slots import Window
from thrive.bookings.tests.conftest import FeedServer
from thrive.core.roles import Role
from thrive.testing.factories import AssociateFactory

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

LA = ZoneInfo("America/Los_Angeles")


@pytest.fixture
def feed():
    server = FeedServer()
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_a_prospect_is_not_offered_a_time_that_is_busy_in_the_associates_calendar(
    browser, live_server, page, settings, feed
):
    settings.THRIVE_PUBLIC_URL = live_server.url
    maya = AssociateFactory(username="maya", first_name="Maya", last_name="Okafor",
                            role=Role.OWNER, email="maya@example.com",
                            time_zone="America/Los_Angeles")  # fmt: skip
    services.set_weekly_hours(maya, [Window(d, dt.time(9), dt.time(12)) for d in range(7)],
                              actor=None)  # fmt: skip
    SessionType.objects.create(name="Free strategy session", slug="free-strategy-session",
                               minutes=30, buffer_after_minutes=0, min_notice_hours=0,
                               max_days_ahead=30)  # fmt: skip
    day = (dt.datetime.now(LA) + dt.timedelta(days=3)).date()
    busy = dt.datetime.combine(day, dt.time(10), tzinfo=LA)
    stamp = busy.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    end = (busy + dt.timedelta(minutes=30)).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    url = feed.serve("/maya.ics", (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:dentist\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{stamp}\r\nDTEND:{end}\r\n"
        "SUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode())  # fmt: skip

    # Maya's path: the sessions page, connect a feed.
    sign_in(page, "maya")
    page.goto("/sessions/")
    page.get_by_text("Connect a calendar").click()
    page.get_by_label("Calendar type").select_option("ical")
    page.get_by_label("Name (optional)").fill("My phone")
    page.get_by_label("Address").fill(url)
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Connected “My phone”")
    expect(page.get_by_test_id("my-calendars")).to_contain_text("Waiting for the first fetch")
    # The worker's job, run here as the worker would.
    connection = CalendarConnection.objects.get()
    assert calendar_services.run_refresh_job(connection.pk)
    page.reload()
    expect(page.get_by_test_id("my-calendars")).to_contain_text("1 busy time, fetched at")
    screenshot(page, "bookings-calendar-connected")

    label = f"{busy:%A %-d %B} 10:00"
    after = f"{busy:%A %-d %B} 10:30"
    for width, height, name in ((1440, 900, "desktop"), (390, 844, "phone")):
        context = browser.new_context(base_url=live_server.url, timezone_id="America/Los_Angeles",
                                      viewport={"width": width, "height": height})  # fmt: skip
        prospect = context.new_page()
        prospect.set_default_timeout(15_000)
        prospect.goto(f"/book/maya/free-strategy-session/?tz=America/Los_Angeles"
                      f"&from={day.isoformat()}")  # fmt: skip
        slots = prospect.get_by_test_id("slots")
        expect(slots.get_by_role("link", name=after, exact=True)).to_be_visible()
        expect(slots.get_by_role("link", name=label, exact=True)).to_have_count(0)
        before = f"{busy:%A %-d %B} 09:30"
        expect(slots.get_by_role("link", name=before, exact=True)).to_be_visible()
        screenshot(prospect, f"bookings-calendar-busy-skipped-{name}")
        context.close()
