"""A person's day in the workspace, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from thrive.contacts import services
from thrive.contacts.models import Activity
from thrive.core.roles import Role
from thrive.testing.factories import AssociateFactory, OrganizationFactory, PersonFactory

from .conftest import open_section, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop():
    tom = AssociateFactory(username="tom", first_name="Tom", last_name="Reyes", role=Role.MEMBER)
    AssociateFactory(username="sam", first_name="Sam", role=Role.READ_ONLY)
    cafe = OrganizationFactory(name="Blue Door Café")
    ann = PersonFactory(first_name="Ann", last_name="Lee", email="ann@bluedoor.example",
                        organization=cafe, stage="client")  # fmt: skip
    for i in range(12):
        PersonFactory(first_name=f"Guest{i}", last_name="Visitor", email=f"guest{i}@example.com")
    services.add_tag(ann, "wholesale", actor=tom)
    return tom, ann


def test_search_open_360_and_log_a_call(page, shop):
    tom, ann = shop
    sign_in(page, "tom")
    open_section(page, "Customers")
    page.get_by_role("link", name="People", exact=True).click()
    page.get_by_label("Search").fill("blue door")
    expect(page.locator("#people-results tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=blue\+door"))
    screenshot(page, "people-search")
    page.get_by_role("link", name="Ann Lee").click()
    page.get_by_role("heading", name="Ann Lee").wait_for()
    page.get_by_label("Call").check()
    page.get_by_label("Subject").fill("Tasting for the new Kenya")
    page.get_by_label("Minutes spent").fill("20")
    page.get_by_role("button", name="Log it").click()
    page.locator("#timeline").get_by_text("Tasting for the new Kenya").wait_for()
    screenshot(page, "person-360")
    call = Activity.objects.get(person=ann, kind="call")
    assert call.associate_id == tom.pk and call.duration_minutes == 20


def test_read_only_associate_sees_no_edit_controls(page, shop):
    _, ann = shop
    sign_in(page, "sam")
    page.goto(f"/people/{ann.pk}/")
    page.get_by_role("heading", name="Ann Lee").wait_for()
    assert page.get_by_role("button", name="Log it").count() == 0
    assert page.get_by_role("link", name="Edit").count() == 0
    page.goto("/people/")
    assert page.get_by_role("button", name="Apply to selected").count() == 0
    response = page.request.post(f"/people/{ann.pk}/log", form={"kind": "note", "body": "x"})
    assert response.status == 403
    assert not Activity.objects.filter(person=ann, kind="note").exists()
