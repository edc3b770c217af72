"""Segment rules on products and categories bought or not bought, with a window, counted
on a small shop worked out by hand (on SQLite and PostgreSQL alike)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from thrive.commerce.models import OrderStatus
from thrive.conftest import client_for
from thrive.testing.factories import (
    OrderFactory,
    OrderLineFactory,
    PersonFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    """Ana bought beans 10 days ago; Ben beans 200 days ago and a grinder 5 days ago; Cy
    a grinder 400 days ago; Di's beans of 5 days ago were refunded; Ed never ordered."""
    now = timezone.now()
    beans = ProductFactory(sku="BEANS", name="Huila beans", category="Coffee")
    grinder = ProductFactory(sku="GRIND", name="Burr grinder", category="Equipment")

    def bought(person, product, days, status=OrderStatus.COMPLETED):
        order = OrderFactory(person=person, ordered_at=now - dt.timedelta(days=days), status=status)
        OrderLineFactory(order=order, product=product, sku=product.sku)

    ana, ben, cy, di = (PersonFactory(first_name=n) for n in ("Ana", "Ben", "Cy", "Di"))
    PersonFactory(first_name="Ed")
    bought(ana, beans, 10)
    bought(ben, beans, 200)
    bought(ben, grinder, 5)
    bought(cy, grinder, 400)
    bought(di, beans, 5, status=OrderStatus.REFUNDED)


def _rule(field, op, value):
    return {"field": field, "op": op, "value": value}


def _preview(client, *rules):
    raw = json.dumps({"match": "all", "rules": list(rules)})
    return client.get(reverse("segment_preview"), {"rules": raw})


@pytest.mark.parametrize(
    ("rules", "count"),
    [
        ([_rule("product_bought", "bought_ever", ["BEANS"])], 2),  # Ana, Ben
        ([_rule("product_bought", "bought_90", ["BEANS"])], 1),  # Ana
        ([_rule("product_bought", "bought_365", ["BEANS", "GRIND"])], 2),  # Ana, Ben
        ([_rule("product_bought", "not_bought_ever", ["GRIND"])], 3),  # Ana, Di, Ed
        ([_rule("product_bought", "not_bought_30", ["GRIND"])], 4),  # all but Ben
        (
            [
                _rule("product_bought", "bought_ever", ["BEANS"]),
                _rule("product_bought", "not_bought_ever", ["GRIND"]),
            ],
            1,  # Ana: beans, never a grinder
        ),
        ([_rule("category_bought", "bought_30", ["Equipment"])], 1),  # Ben
        ([_rule("category_bought", "not_bought_365", ["Coffee"])], 3),  # Cy, Di, Ed
    ],
)
def test_bought_and_not_bought_rules_count_the_people_worked_out_by_hand(
    shop, member, rules, count
):
    response = _preview(client_for(member), *rules)
    assert response.status_code == 200, response.content
    assert response.json()["count"] == count


def test_the_rule_reads_in_plain_words(shop, read_only):
    response = _preview(
        client_for(read_only), _rule("product_bought", "bought_90", ["BEANS", "GRIND"])
    )
    assert response.json()["summary"] == (
        "Product was bought in the last 90 days: any of Huila beans (BEANS) or Burr grinder (GRIND)"
    )


def test_an_unknown_product_or_operator_is_a_clear_error(shop, member):
    response = _preview(client_for(member), _rule("product_bought", "bought_ever", ["NOPE"]))
    assert response.status_code == 400
    assert "'NOPE'" in response.json()["errors"][0]["message"]
    response = _preview(client_for(member), _rule("category_bought", "bought_7", ["Coffee"]))
    assert response.status_code == 400
    assert "bought_30" in response.json()["errors"][0]["message"]


def test_the_rule_builder_offers_the_products_and_categories(shop, member):
    page = client_for(member).get(reverse("segment_new"))
    registry = page.context["registry"]
    assert [tuple(o) for o in registry["options"]["product"]] == [
        ("GRIND", "Burr grinder (GRIND)"),
        ("BEANS", "Huila beans (BEANS)"),
    ]
    assert [tuple(o) for o in registry["options"]["category"]] == [
        ("Coffee", "Coffee"),
        ("Equipment", "Equipment"),
    ]


def test_a_segment_evaluated_as_of_a_past_day_reads_the_purchases_known_then(shop):
    from thrive.contacts.models import Person
    from thrive.segments.rules import compile_rules, validate_rules

    rules = validate_rules(
        {"match": "all", "rules": [_rule("product_bought", "not_bought_ever", ["GRIND"])]}
    )
    ten_days_ago = timezone.now() - dt.timedelta(days=10)
    then = Person.objects.filter(compile_rules(rules, now=ten_days_ago))
    # Ben's grinder came 5 days ago: ten days ago he had never bought one.
    assert sorted(then.values_list("first_name", flat=True)) == ["Ana", "Ben", "Di", "Ed"]
