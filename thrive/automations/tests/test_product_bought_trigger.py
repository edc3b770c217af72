"""The "product bought" trigger: fired when a completed order containing the product is
recorded, or a pending one with it is paid; never by refunds, voids or other products."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from thrive.automations import engine
from thrive.automations.models import Enrollment, Workflow
from thrive.automations.words import describe_trigger
from thrive.commerce.services import LineInput, complete_order, record_order, refund_order
from thrive.testing.factories import PersonFactory, ProductFactory

pytestmark = pytest.mark.django_db

STEPS = [{"kind": "wait", "days": 1}]


def enrolled(workflow) -> set[int]:
    return set(Enrollment.objects.filter(workflow=workflow).values_list("person_id", flat=True))


def _order(person, owner, number, *skus, status="completed"):
    lines = [LineInput(1, "20", sku=sku) for sku in skus]
    return record_order(person, actor=owner, number=number, lines=lines, status=status)


def test_it_fires_for_the_product_named_and_any_product_when_none_is(build, owner):
    ProductFactory(sku="BEANS", name="Huila beans")
    ProductFactory(sku="GRIND", name="Burr grinder")
    grinder_flow = build("product_bought", STEPS, trigger_config={"product": "GRIND"})
    any_flow = build("product_bought", STEPS, trigger_config={})
    ana, ben, cy, di = (PersonFactory() for _ in range(4))
    _order(ana, owner, "A1", "BEANS", "GRIND")
    _order(ben, owner, "B1", "BEANS")
    pending = _order(cy, owner, "C1", "GRIND", status="pending")
    # A line that is not in the catalogue names no product.
    record_order(di, actor=owner, number="D1", lines=[LineInput(1, "5", description="Tip")])
    engine.process_activities()
    assert enrolled(grinder_flow) == {ana.pk}
    assert enrolled(any_flow) == {ana.pk, ben.pk}
    complete_order(pending, actor=owner)
    engine.process_activities()
    assert enrolled(grinder_flow) == {ana.pk, cy.pk}


def test_a_refund_of_an_order_with_the_product_does_not_fire_it(build, owner):
    ProductFactory(sku="GRIND", name="Burr grinder")
    ana = PersonFactory()
    order = _order(ana, owner, "A1", "GRIND")
    flow = build("product_bought", STEPS, trigger_config={"product": "GRIND"})
    refund_order(order, "5", actor=owner)
    engine.process_activities()
    assert enrolled(flow) == set()


def test_an_unknown_product_is_refused_with_its_sku(build):
    with pytest.raises(ValidationError, match="no product with the SKU “NOPE”"):
        build("product_bought", STEPS, trigger_config={"product": "NOPE"})


def test_the_trigger_reads_in_words():
    one = Workflow(trigger="product_bought", trigger_config={"product": "GRIND"})
    assert describe_trigger(one).startswith("When someone buys GRIND")
    any_product = Workflow(trigger="product_bought", trigger_config={})
    assert describe_trigger(any_product).startswith("When someone buys a product")
