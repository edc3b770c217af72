"""A prospect books a session a team shares, on a phone: they answer the intake question
(required, so the form says so when it is skipped), the booking goes to the associate
with fewer recent sessions, and the answer is on the person's timeline for Maya."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from thrive.bookings import services
from thrive.bookings.models import Booking, QuestionKind, SessionType
from thrive.bookings.slots import Window
from thrive.core.roles import Role
from thrive.testing.factories import AssociateFactory

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_prospect_books_the_team_answers_a_question_and_maya_sees_it(
    browser, live_server, page, settings
):
    settings.THRIVE_PUBLIC_URL = live_server.url
    maya = AssociateFactory(username="maya", first_name="Maya", last_name="Okafor",
                            role=Role.OWNER, time_zone="America/Los_Angeles")  # fmt: skip
    tom = AssociateFactory(username="tom", first_name="Tom", last_name="Reyes",
                           role=Role.MEMBER, time_zone="America/Los_Angeles")  # fmt: skip
    for associate in (maya, tom):
        services.set_weekly_hours(associate, [Window(d, dt.time(9), dt.time(12))
                                              for d in range(7)], actor=None)  # fmt: skip
    kind = SessionType.objects.create(
        name="Free strategy session", slug="free-strategy-session", minutes=30,
        min_notice_hours=0, max_days_ahead=30,
    )  # fmt: skip
    services.save_session_type(actor=None, instance=kind, associates=[maya, tom])
    services.add_question(kind, actor=None, label="What kind of place do you run?",
                          kind=QuestionKind.CHOICE, choices="Café\nRestaurant\nOffice",
                          required=True)  # fmt: skip
    # Maya has had a session lately, Tom none: the next team booking goes to Tom.
    first = services.book_with_team(
        session_type=kind, start=_first_free(kind), email="earlier@example.com",
        first_name="Earlier", consent_text="I agree.",
    )  # fmt: skip
    assert first.associate == maya

    phone = browser.new_context(base_url=live_server.url, timezone_id="America/Los_Angeles",
                                viewport={"width": 390, "height": 844})  # fmt: skip
    prospect = phone.new_page()
    prospect.set_default_timeout(15_000)
    prospect.goto("/book/?tz=America/Los_Angeles")
    prospect.get_by_role("link", name="With whoever is free").click()
    expect(prospect.get_by_role("heading", level=1)).to_have_text(
        "Free strategy session with our team"
    )
    prospect.get_by_test_id("slots").locator("a.slot").nth(3).click()
    prospect.get_by_label("First name").fill("Ana")
    prospect.get_by_label("Email", exact=True).fill("ana@example.com")
    prospect.get_by_label(re.compile("I agree that")).check()
    prospect.get_by_role("button", name="Book this time").click()
    expect(prospect.get_by_text("Please answer this question.")).to_be_visible()
    prospect.get_by_label("What kind of place do you run?").select_option("Café")
    prospect.get_by_label(re.compile("I agree that")).check()
    screenshot(prospect, "bookings-team-question-phone")
    prospect.get_by_role("button", name="Book this time").click()
    expect(prospect.get_by_test_id("booked")).to_be_visible()
    phone.close()

    booking = Booking.objects.get(person__email="ana@example.com")
    assert booking.associate == tom
    assert booking.answers == [{"question": "What kind of place do you run?", "answer": "Café"}]

    sign_in(page, "maya")
    page.goto(f"/people/{booking.person_id}/")
    expect(page.get_by_text("What kind of place do you run?: Café")).to_be_visible()
    screenshot(page, "bookings-team-answer-on-timeline")


def _first_free(kind: SessionType) -> dt.datetime:
    from django.utils import timezone

    from thrive.bookings import queries

    now = timezone.now()
    slots = queries.team_open_slots(kind, now, now + dt.timedelta(days=7))
    return next(iter(slots))
