"""Cross-sell in a real browser: the owner opens a customer's page and reads their likely
next product with the rule behind it, on a desktop and a phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from thrive.analytics.basket_rules import refresh_basket_rules
from thrive.core.roles import Role
from thrive.testing.factories import (
    AssociateFactory,
    OrderFactory,
    OrderLineFactory,
    PersonFactory,
    ProductFactory,
)

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1440, 390])
def test_an_owner_sees_a_customers_likely_next_product_in_words(page, width):
    AssociateFactory(username="maya", role=Role.OWNER)
    beans = ProductFactory(sku="BEANS", name="Huila beans", category="Coffee")
    grinder = ProductFactory(sku="GRIND", name="Burr grinder", category="Equipment")
    filters = ProductFactory(sku="FILT", name="Paper filters", category="Equipment")
    now = timezone.now()
    # With Ana's order below, by hand: 9 orders, beans in 5, a grinder in 3, both in 3.
    # Beans -> grinder: 3/5 = 60%, lift 0.6 / (3/9) = 1.8.
    for basket in [(beans, grinder)] * 3 + [(beans,)] + [(filters,)] * 4:
        order = OrderFactory(ordered_at=now - dt.timedelta(days=5))
        for product in basket:
            OrderLineFactory(order=order, product=product, sku=product.sku)
    ana = PersonFactory(first_name="Ana")
    OrderLineFactory(order=OrderFactory(person=ana), product=beans, sku="BEANS")
    refresh_basket_rules(now=now + dt.timedelta(minutes=1))
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "maya")
    page.goto(f"/people/{ana.pk}/")
    card = page.locator("#likely-next")
    expect(card.get_by_role("heading", name="Likely next products")).to_be_visible()
    expect(card).to_contain_text(
        "60% of the orders with Huila beans also had Burr grinder; "
        "that is 1.8× more often than orders in general."
    )
    screenshot(page, f"person-likely-next-{width}")
