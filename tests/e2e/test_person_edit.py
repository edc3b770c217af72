"""Editing a person in a real browser: custom fields as their own inputs, the time zone
and the country picked from lists, on a desktop and a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from thrive.contacts.models import CustomFieldDefinition, CustomFieldEntity, CustomFieldType
from thrive.core.roles import Role
from thrive.testing.factories import AssociateFactory, PersonFactory

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1440, 390])
def test_an_owner_edits_custom_fields_zone_and_country_without_codes(page, width, settings):
    settings.THRIVE_TIME_ZONE = "America/Los_Angeles"
    AssociateFactory(username="maya", role=Role.OWNER)
    CustomFieldDefinition.objects.create(
        entity=CustomFieldEntity.PERSON, key="favourite_roast", label="Favourite roast",
        field_type=CustomFieldType.CHOICE, choices=["light", "dark"],
    )  # fmt: skip
    CustomFieldDefinition.objects.create(
        entity=CustomFieldEntity.PERSON, key="cups_a_day", label="Cups a day",
        field_type=CustomFieldType.NUMBER,
    )  # fmt: skip
    ann = PersonFactory(first_name="Ann", last_name="Lee", time_zone="", country="")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "maya")
    page.goto(f"/people/{ann.pk}/edit/")
    expect(
        page.get_by_text("We keep it in international form, e.g. +1 503 555 0100.")
    ).to_be_visible()
    screenshot(page, f"person-edit-{width}")
    page.get_by_label("Favourite roast").select_option("dark")
    page.get_by_label("Cups a day").fill("3")
    zone = page.get_by_label("Time zone")
    # The business's zone comes first.
    expect(zone.locator("optgroup").first).to_have_attribute("label", "Your business's zone")
    zone.select_option("Europe/Dublin")
    page.get_by_label("Country").select_option(label="Ireland")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/people/{ann.pk}/")
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible()
    ann.refresh_from_db()
    assert ann.custom_fields == {"favourite_roast": "dark", "cups_a_day": 3}
    assert (ann.time_zone, ann.country) == ("Europe/Dublin", "IE")
