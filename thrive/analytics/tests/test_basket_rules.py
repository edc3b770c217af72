"""Cross-sell rules found by the worker in recent orders, checked against counts worked
out by hand, and each person's likely next products in plain words."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.utils import timezone

from thrive.analytics import basket_rules
from thrive.analytics.basket_rules import likely_next_products, refresh_basket_rules
from thrive.analytics.hooks import _after_refresh
from thrive.analytics.models import BasketRule
from thrive.commerce.models import OrderStatus
from thrive.conftest import client_for
from thrive.contacts import profiling
from thrive.testing.factories import (
    OrderFactory,
    OrderLineFactory,
    PersonFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def _order(person, *products, days_ago=10, status=OrderStatus.COMPLETED):
    order = OrderFactory(person=person, ordered_at=NOW - dt.timedelta(days=days_ago), status=status)
    for p in products:
        OrderLineFactory(order=order, product=p, sku=p.sku, description=p.name)
    return order


@pytest.fixture
def shop():
    """Eleven recent orders of beans (B), a grinder (G) and filters (F):
    B G ×3, B ×2, B F, G ×2, F ×3. Worked by hand: N = 11, B in 6, G in 5, F in 4,
    BG in 3, BF in 1, GF in 0. Rules need 3 orders, so only B and G pair up:
    B → G: confidence 3/6 = 50%, lift 0.5 / (5/11) = 1.1;
    G → B: confidence 3/5 = 60%, lift 0.6 / (6/11) = 1.1."""
    beans = ProductFactory(name="Huila beans")
    grinder = ProductFactory(name="Burr grinder")
    filters = ProductFactory(name="Paper filters")
    baskets = [
        *[(beans, grinder)] * 3,
        *[(beans,)] * 2,
        (beans, filters),
        *[(grinder,)] * 2,
        *[(filters,)] * 3,
    ]
    for basket in baskets:
        _order(PersonFactory(), *basket)
    # Outside the window or not kept: they would make filters go with beans.
    for _ in range(4):
        _order(PersonFactory(), beans, filters, days_ago=800)
        _order(PersonFactory(), beans, filters, status=OrderStatus.REFUNDED)
    return {"beans": beans, "grinder": grinder, "filters": filters}


def test_the_rules_are_the_ones_worked_out_by_hand(shop):
    assert refresh_basket_rules(now=NOW) == 2
    b, g = shop["beans"].pk, shop["grinder"].pk
    rules = [
        (r.antecedent, r.consequent, round(r.confidence, 6), round(r.lift, 6), r.orders)
        for r in BasketRule.objects.all()
    ]
    assert rules == [
        ([g], [b], 0.6, round(0.6 / (6 / 11), 6), 11),
        ([b], [g], 0.5, round(0.5 / (5 / 11), 6), 11),
    ]
    assert {r.computed_at for r in BasketRule.objects.all()} == {NOW}


def test_a_new_run_replaces_the_old_rules_and_a_tighter_support_finds_none(shop):
    refresh_basket_rules(now=NOW)
    # 3 of 11 orders is 27%: a 30% minimum support leaves no pair frequent.
    assert refresh_basket_rules(now=NOW, min_support=0.3) == 0
    assert not BasketRule.objects.exists()


def test_a_catalogue_bought_all_together_stops_at_the_work_bound_and_logs_it(
    shop, monkeypatch, caplog
):
    # Bounds of 4 itemsets and 2 candidate rules stand in for the real 250,000 each: the
    # 3 products and the beans-grinder pair make 4 itemsets, so both rules still fit.
    monkeypatch.setattr(basket_rules, "MAX_ITEMSETS", 4)
    monkeypatch.setattr(basket_rules, "MAX_CANDIDATE_RULES", 2)
    assert refresh_basket_rules(now=NOW) == 2
    assert "work bounds" not in caplog.text
    # Every product in 20 more orders: 3 pairs and a triple are frequent, 7 itemsets with
    # 12 candidate rules; mining stops after the products, and the log says so.
    for _ in range(20):
        _order(PersonFactory(), shop["beans"], shop["grinder"], shop["filters"])
    with caplog.at_level(logging.WARNING, logger="thrive.analytics.basket_rules"):
        assert refresh_basket_rules(now=NOW) == 0
    assert "stopped at the work bounds" in caplog.text
    assert "3 itemsets mined, none of 2 products or more" in caplog.text
    assert not BasketRule.objects.exists()


def test_the_rules_are_found_again_after_every_analytics_refresh():
    assert refresh_basket_rules in _after_refresh


def test_a_beans_buyer_is_offered_the_grinder_with_the_rule_in_words(shop):
    refresh_basket_rules(now=NOW)
    buyer = PersonFactory()
    _order(buyer, shop["beans"])
    likely = likely_next_products(buyer)
    assert [s.products for s in likely.suggestions] == [["Burr grinder"]]
    assert likely.suggestions[0].sentence == (
        "50% of the orders with Huila beans also had Burr grinder; "
        "that is 1.1× more often than orders in general."
    )
    owner_of_both = PersonFactory()
    _order(owner_of_both, shop["beans"], shop["grinder"])
    assert likely_next_products(owner_of_both).suggestions == []
    filters_only = PersonFactory()
    _order(filters_only, shop["filters"])
    assert likely_next_products(filters_only).suggestions == []


def test_the_person_page_shows_likely_next_products_and_none_for_who_declined(shop, owner):
    refresh_basket_rules(now=NOW)
    buyer = PersonFactory(first_name="Ana")
    _order(buyer, shop["beans"])
    page = client_for(owner).get(f"/people/{buyer.pk}/").content.decode()
    assert "Likely next products" in page
    assert "50% of the orders with Huila beans also had Burr grinder" in page
    profiling.decline(buyer, actor=owner)
    page = client_for(owner).get(f"/people/{buyer.pk}/").content.decode()
    assert "Ana declined personalisation and analytics, so no products are suggested" in page
    assert "also had Burr grinder" not in page
    assert likely_next_products(buyer).declined


def test_every_role_sees_the_suggestions(shop, persona):
    refresh_basket_rules(now=NOW)
    buyer = PersonFactory()
    _order(buyer, shop["grinder"])
    page = client_for(persona).get(f"/people/{buyer.pk}/").content.decode()
    assert "60% of the orders with Burr grinder also had Huila beans" in page
