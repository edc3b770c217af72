"""Records in the workspace, in a real browser: add a person, record an order with two
lines, refund part of it, and correct a logged call; the new-order page on a phone."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from thrive.commerce.models import Order, OrderStatus
from thrive.contacts.models import Activity, Person
from thrive.core.roles import Role
from thrive.testing.factories import AssociateFactory, PersonFactory, ProductFactory

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def maya():
    AssociateFactory(username="maya", first_name="Maya", last_name="Ortiz", role=Role.OWNER)
    ProductFactory(sku="ETH-250", name="Ethiopia Guji 250g", price=Decimal("18.00"))


def test_add_a_person_record_an_order_refund_it_and_correct_a_call(page, maya):
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, "maya")
    page.goto("/people/")
    page.get_by_role("link", name="Add person").click()
    page.get_by_label("First name").fill("Sadie")
    page.get_by_label("Last name").fill("Acosta")
    page.get_by_label("Email").fill("sadie@example.com")
    page.get_by_role("button", name="Add person").click()
    page.get_by_role("heading", name="Sadie Acosta").wait_for()
    sadie = Person.objects.get(email="sadie@example.com")

    page.get_by_role("link", name="Record an order").click()
    page.get_by_role("heading", name="Record an order for Sadie Acosta").wait_for()
    page.locator('[name="lines-0-product"]').select_option(label="Ethiopia Guji 250g (ETH-250)")
    page.locator('[name="lines-0-quantity"]').fill("2")
    page.locator('[name="lines-1-description"]').fill("Gift wrap")
    page.locator('[name="lines-1-unit_price"]').fill("4.50")
    # The static script adds a row and takes it away again.
    page.get_by_role("button", name="Add a line").click()
    expect(page.locator("[data-line]")).to_have_count(3)
    page.locator("[data-line]").nth(2).get_by_role("button", name="Remove").click()
    expect(page.locator("[data-line]")).to_have_count(2)
    screenshot(page, "records-order-new-1440")
    page.get_by_role("button", name="Record order").click()
    expect(page.locator("[data-total]")).to_have_text("40.50 USD")
    order = Order.objects.get(person=sadie)
    assert order.total == Decimal("40.50") and order.lines.count() == 2

    page.get_by_label("Amount to refund").fill("4.50")
    page.get_by_label("Reason").first.fill("Wrap arrived torn")
    page.get_by_role("button", name="Refund", exact=True).click()
    expect(page.locator("[data-net]")).to_have_text("36.00 USD")
    screenshot(page, "records-order-refunded-1440")
    order.refresh_from_db()
    assert (order.refunded, order.status) == (Decimal("4.50"), OrderStatus.PARTIALLY_REFUNDED)

    page.goto(f"/people/{sadie.pk}/")
    page.get_by_label("Call").check()
    page.get_by_label("Subject").fill("Asked about decaf")
    page.get_by_label("Minutes spent").fill("30")
    page.get_by_role("button", name="Log it").click()
    timeline = page.locator("#timeline")
    timeline.get_by_text("Asked about decaf").wait_for()
    timeline.get_by_role("link", name="Correct or retract").first.click()
    page.get_by_label("Subject").fill("Asked about decaf in 5 lb bags")
    page.get_by_label("Minutes").fill("15")
    page.get_by_role("button", name="Save correction").click()
    timeline.get_by_text("Asked about decaf in 5 lb bags").wait_for()
    expect(timeline.get_by_text("Edited by Maya Ortiz")).to_be_visible()
    screenshot(page, "records-call-corrected-1440")
    call = Activity.objects.get(person=sadie, kind="call")
    assert call.duration_minutes == 15 and call.supersedes is not None


def test_the_new_order_page_fits_a_phone(page, maya):
    ann = PersonFactory(first_name="Ann", last_name="Lee")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "maya")
    page.goto(f"/orders/new/?person={ann.pk}")
    page.get_by_role("heading", name="Record an order for Ann Lee").wait_for()
    page.get_by_role("button", name="Add a line").click()
    width = page.evaluate("document.documentElement.scrollWidth")
    screenshot(page, "records-order-new-390")
    assert width <= 390
