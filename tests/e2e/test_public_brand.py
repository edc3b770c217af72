"""The idea board and a booking page in a real browser, on a wide screen and a phone: the
business's name heads the page (in its colour, linking to its website, never to a staff
page), and nothing scrolls sideways."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from thrive.accounts.models import Business
from thrive.bookings import services
from thrive.bookings.models import SessionType
from thrive.bookings.slots import Window
from thrive.core.roles import Role
from thrive.testing.factories import AssociateFactory, PersonFactory
from thrive.voice.services.ideas import submit_idea, vote_for_idea

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "Kettle & Crow Coffee Roasters"


@pytest.fixture
def business(settings, live_server):
    settings.THRIVE_PUBLIC_URL = live_server.url
    Business.objects.create(name=NAME, website="https://kettleandcrow.example")
    maya = AssociateFactory(username="maya", first_name="Maya", last_name="Okafor",
                            role=Role.OWNER, time_zone="Europe/London")  # fmt: skip
    services.set_weekly_hours(
        maya, [Window(day, dt.time(9), dt.time(17)) for day in range(7)], actor=None
    )
    SessionType.objects.create(name="Free strategy session", slug="free-strategy-session",
                               minutes=30, max_days_ahead=30)  # fmt: skip
    people = [PersonFactory() for _ in range(4)]
    idea = submit_idea(people[0], title="Decaf in 5 lb bags, ground for a cafetière please")
    for person in people[1:]:
        vote_for_idea(person, idea)
    return idea


@pytest.mark.parametrize("width", [1440, 390])
def test_public_pages_carry_the_business_name_and_fit_the_screen(browser, live_server,
                                                                 business, width):  # fmt: skip
    context = browser.new_context(base_url=live_server.url, timezone_id="Europe/Berlin",
                                  viewport={"width": width, "height": 900})  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    for path in ("/ideas/", f"/ideas/{business.pk}/", "/book/",
                 "/book/maya/free-strategy-session/"):  # fmt: skip
        page.goto(path)
        page.wait_for_load_state("networkidle")
        header = page.get_by_test_id("public-header")
        expect(header).to_contain_text(NAME)
        expect(header).not_to_contain_text("Thrive")
        expect(header.get_by_role("link", name=NAME)).to_have_attribute(
            "href", "https://kettleandcrow.example"
        )
        # The accent is the business's (the default here), applied through the nonce'd style.
        border = page.evaluate(
            "getComputedStyle(document.querySelector('.public-header')).borderTopColor"
        )
        assert border == "rgb(15, 118, 110)"
        fits = page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
        assert fits, f"{path} scrolls sideways at {width} px"
        screenshot(page, f"public-{path.strip('/').replace('/', '-') or 'home'}-{width}")
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()
