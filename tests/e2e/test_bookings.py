"""Booking a strategy session in a real browser: the visitor's zone comes from the
browser, the slot is booked, a second visitor on the same slot is told it was just
taken, the invite arrives at the SMTP server, and Maya sees and cancels it."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from thrive.bookings import services
from thrive.bookings.models import Booking, BookingStatus, SessionType
from thrive.bookings.slots import Window
from thrive.core.roles import Role
from thrive.testing.factories import AssociateFactory

from .conftest import open_section, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sessions(settings, live_server, smtp_sink):
    settings.THRIVE_PUBLIC_URL = live_server.url
    maya = AssociateFactory(username="maya", first_name="Maya", last_name="Okafor",
                            role=Role.OWNER, email="maya@example.com",
                            time_zone="America/Los_Angeles")  # fmt: skip
    services.set_weekly_hours(
        maya, [Window(day, dt.time(9), dt.time(12)) for day in range(7)], actor=None
    )
    SessionType.objects.create(
        name="Free strategy session", slug="free-strategy-session", minutes=30,
        buffer_after_minutes=10, min_notice_hours=12, max_days_ahead=30,
        description="Thirty minutes on your café's coffee.",
    )  # fmt: skip
    return maya


def test_a_visitor_books_in_their_own_zone_and_maya_sees_it(browser, live_server, page,
                                                            sessions, smtp_sink):  # fmt: skip
    berlin = browser.new_context(base_url=live_server.url, timezone_id="Europe/Berlin",
                                 viewport={"width": 1280, "height": 900})  # fmt: skip
    visitor = berlin.new_page()
    visitor.set_default_timeout(15_000)
    visitor.goto("/book/")
    visitor.wait_for_url(re.compile(r"tz=Europe%2FBerlin"))  # the script read the browser
    visitor.get_by_role("link", name="Free strategy session").click()
    expect(visitor.get_by_label("Times shown in")).to_have_value("Europe/Berlin")
    first = visitor.get_by_test_id("slots").locator("a.slot").first
    expect(first).to_be_visible()
    screenshot(visitor, "bookings-public-slots")
    slot_url = first.get_attribute("href")
    shown = first.inner_text()

    # A second visitor opens the same time before the first one books it.
    rival = berlin.new_page()
    rival.goto(slot_url)

    first.click()
    visitor.get_by_label("First name").fill("Lena")
    visitor.get_by_label("Last name").fill("<b>Park</b>")
    visitor.get_by_label("Email", exact=True).fill("lena@example.com")
    visitor.get_by_label("What would you like to talk about?").fill("Opening a café")
    visitor.get_by_label(re.compile("I agree that")).check()
    screenshot(visitor, "bookings-public-form")
    visitor.get_by_role("button", name="Book this time").click()
    expect(visitor.get_by_test_id("booked")).to_be_visible()
    expect(visitor.get_by_test_id("when")).to_contain_text(shown)
    screenshot(visitor, "bookings-public-booked")

    booking = Booking.objects.get()
    local = booking.start_at.astimezone(ZoneInfo("Europe/Berlin"))
    assert f"{local:%H:%M}" == shown and booking.visitor_time_zone == "Europe/Berlin"
    assert booking.person.last_name == "<b>Park</b>"  # stored as typed, shown escaped

    rival.get_by_label("First name").fill("Rita")
    rival.get_by_label("Email", exact=True).fill("rita@example.com")
    rival.get_by_label(re.compile("I agree that")).check()
    rival.get_by_role("button", name="Book this time").click()
    expect(rival.get_by_test_id("taken")).to_contain_text("just taken")
    assert Booking.objects.count() == 1

    [mail] = smtp_sink.wait_for(2) and smtp_sink.to("lena@example.com")
    [part] = [p for p in mail.message.walk() if p.get_content_type() == "text/calendar"]
    event = Calendar.from_ical(part.get_content()).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == booking.start_at

    # Lena moves it to the second time of the next day, from the page she landed on.
    later = visitor.get_by_test_id("slots").locator("section").nth(1).locator("button.slot")
    new_time = later.nth(1).inner_text()
    later.nth(1).click()
    expect(visitor.get_by_test_id("when")).to_contain_text(new_time)
    booking = Booking.objects.get(status=BookingStatus.BOOKED)
    assert booking.sequence == 1 and booking.rescheduled_from is not None
    berlin.close()

    sign_in(page, "maya")
    open_section(page, "Reach")
    page.get_by_role("link", name="Sessions").click()
    row = page.get_by_role("row").filter(has_text="<b>Park</b>")
    expect(row).to_contain_text("Opening a café")
    maya_local = booking.start_at.astimezone(ZoneInfo("America/Los_Angeles"))
    expect(row).to_contain_text(f"{maya_local:%H:%M}")
    screenshot(page, "bookings-staff")
    row.get_by_role("button", name=re.compile("Cancel the session")).click()
    expect(page.get_by_role("status")).to_contain_text("Cancelled the session")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert [m.message["Subject"].split(":")[0] for m in smtp_sink.to("lena@example.com")] == [
        "Booked", "Moved", "Cancelled",
    ]  # fmt: skip
