"""An owner names the business and sets its time zone on the settings page, on a wide
screen and on a phone; the dashboard's getting-started checklist shows what is left."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from thrive.accounts.models import Business, SettingChange
from thrive.core import business
from thrive.core.roles import Role
from thrive.testing.factories import AssociateFactory

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def nothing_from_the_server(monkeypatch):
    for name in ("THRIVE_PUBLIC_URL", "THRIVE_SERVED_URL", "THRIVE_TIME_ZONE",
                 "THRIVE_CURRENCY", "THRIVE_BUSINESS_NAME"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    business.clear_cache()
    yield
    business.clear_cache()


@pytest.mark.parametrize(
    ("width", "name", "zone"),
    [(1440, "Kettle & Crow", "Europe/Berlin"), (390, "Kettle & Crow Mobile", "Asia/Tokyo")],
)
def test_an_owner_changes_the_name_and_zone_and_sees_the_checklist(page, width, name, zone):
    AssociateFactory(username="maya", role=Role.OWNER, first_name="Maya")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "maya")

    page.goto("/")
    checklist = page.locator("#onboarding")
    expect(checklist).to_contain_text("Getting started: 0 of 7 done")
    for label in ("Name the business", "Set who emails come from", "Set the public address",
                  "Import your contacts", "Connect email", "Invite a colleague",
                  "Switch on a first workflow"):  # fmt: skip
        expect(checklist.get_by_role("link", name=label)).to_be_visible()
    expect(checklist.get_by_role("link", name="Import your contacts")).to_have_attribute(
        "href", "/imports/"
    )

    checklist.get_by_role("link", name="Name the business and set its time zone").click()
    expect(page).to_have_url(re.compile(r"/settings/$"))
    page.get_by_label("Business name").fill(name)
    page.get_by_label("Time zone").select_option(zone)
    page.get_by_label("Currency").select_option("EUR")
    form = page.locator("form.settings-form")
    # The form fits the screen: nothing wider than the viewport to scroll sideways to.
    assert form.evaluate("f => f.scrollWidth <= f.clientWidth + 1")
    assert form.evaluate("f => f.getBoundingClientRect().right") <= width
    screenshot(page, f"settings-{width}")
    page.get_by_role("button", name="Save settings").click()

    expect(page.locator(".messages")).to_contain_text("Saved 3 changes.")
    expect(page.locator(".in-use")).to_contain_text(f"{zone} (settings page)")
    expect(page.get_by_text(f"changed time zone from “blank” to “{zone}”")).to_be_visible()
    row = Business.objects.get()
    assert (row.name, row.time_zone, row.currency) == (name, zone, "EUR")
    assert row.brand_colour == ""  # an untouched colour input changes nothing
    assert SettingChange.objects.filter(field="time zone", new_value=zone).count() == 1

    page.goto("/")
    expect(page.locator("h1").first).to_have_text(name)
    expect(page.locator('#onboarding [data-step="basics"]')).to_have_attribute("data-done", "yes")
    expect(page.locator("#onboarding")).to_contain_text("Getting started: 1 of 7 done")
    screenshot(page, f"dashboard-checklist-{width}")


def test_an_associate_sets_their_own_zone_and_hours_on_a_phone(page):
    from thrive.accounts.models import Associate
    from thrive.bookings.models import Availability

    AssociateFactory(username="sam", role=Role.MEMBER, first_name="Sam")
    page.set_viewport_size({"width": 390, "height": 900})
    sign_in(page, "sam")
    page.goto("/settings/profile/")
    page.get_by_label("My time zone").select_option("America/New_York")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".lead")).to_contain_text("America/New_York")
    page.get_by_label("Monday").fill("09:00-12:00")
    page.get_by_role("button", name="Save my hours").click()
    expect(page.locator(".messages")).to_contain_text("Saved your weekly hours (1 window)")
    expect(page).to_have_url(re.compile(r"/settings/profile/$"))
    assert Associate.objects.get(username="sam").time_zone == "America/New_York"
    assert Availability.objects.filter(associate__username="sam").count() == 1
    assert page.evaluate("document.querySelector('main').scrollWidth <= 390")
    screenshot(page, "profile-390")
