"""The owner checks the lead model is fair to people by a sensitive attribute, in a real
browser: from the Leads page to Fairness, the sensitive health field compared by default,
then by country, on a desktop and on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from thrive.contacts.models import CustomFieldDefinition, Person
from thrive.core.roles import Role
from thrive.prospects.leads import train_and_score
from thrive.prospects.tests.test_leads import NOW, _history
from thrive.testing.factories import AssociateFactory

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def trained(live_server):
    AssociateFactory(username="maya", first_name="Maya", role=Role.OWNER)
    _history()
    CustomFieldDefinition.objects.create(
        entity="person", key="health", label="Health condition", field_type="choice",
        choices=["Yes", "No"],
    )  # fmt: skip
    for i, person in enumerate(Person.objects.order_by("pk")):
        person.custom_fields = {"health": "Yes" if i % 3 == 0 else "No"}
        person.country = "DE" if i % 2 else "FR"
        person.save(update_fields=["custom_fields", "country"])
    train_and_score(now=NOW)


@pytest.mark.parametrize("width", [1440, 390])
def test_the_owner_checks_the_lead_model_is_fair_by_a_sensitive_field(page, trained, width):
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "maya")
    page.goto("/reach/leads/")
    page.get_by_role("link", name="Fairness").click()
    expect(page.get_by_role("heading", name="Is the lead model fair?")).to_be_visible()
    health = page.get_by_role("heading", name="By health condition")
    expect(health).to_be_visible()
    expect(page.get_by_role("checkbox", name="Health condition sensitive")).to_be_checked()
    section = page.locator("section", has=health)
    expect(section.get_by_role("row", name="Yes")).to_be_visible()
    expect(section.get_by_role("columnheader", name="Vs best")).to_be_visible()
    scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner + 1, f"the fairness page is {scroll}px wide at {width}px"
    screenshot(page, f"reach-fairness-{width}")
    page.get_by_role("checkbox", name="Health condition sensitive").uncheck()
    page.get_by_role("checkbox", name="Acquisition channel").uncheck()
    page.get_by_role("checkbox", name="Country").check()
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", name="By country")).to_be_visible()
    expect(page.get_by_role("heading", name="By health condition")).to_have_count(0)
    assert errors == []
