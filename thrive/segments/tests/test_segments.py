"""Segments: every rule selects exactly the expected people, in one SQL query, on SQLite
and PostgreSQL; bad rules get plain messages with a path; the pages respect roles."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thrive.analytics.models import CustomerScore
from thrive.commerce.models import OrderStatus
from thrive.conftest import client_for
from thrive.contacts.models import (
    Activity,
    CustomFieldDefinition,
    CustomFieldType,
    Person,
    PersonRole,
    PersonTag,
    Tag,
)
from thrive.core import business
from thrive.segments import services
from thrive.segments.models import Segment
from thrive.segments.rules import (
    FIELDS,
    MAX_RULES,
    compile_rules,
    describe_rules,
    rule_errors,
    summary_text,
    validate_rules,
)
from thrive.testing.factories import (
    ChannelFactory,
    OrderFactory,
    OrderLineFactory,
    PersonFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


def at(day: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def add_activity(person: Person, kind: str, day: str) -> None:
    Activity.objects.create(person=person, kind=kind, occurred_at=at(day))


def add_score(person: Person, segment: str, rfm: str, p_alive: float, clv: str, risk: str) -> None:
    r, f, m = (int(c) for c in rfm)
    CustomerScore.objects.create(
        person=person, computed_at=NOW, frequency=2, recency_days=10, tenure_days=100,
        revenue=Decimal("1"), p_alive=p_alive, expected_purchases_90d=1.0,
        predicted_clv=Decimal(clv), churn_risk=risk, rfm_r=r, rfm_f=f, rfm_m=m,
        rfm_segment=segment,
    )  # fmt: skip


def make_person(
    first: str, last: str, email: str | None, seen: str, stage: str, **extra: Any
) -> Person:
    # The first stage-change activity happens when the person was first seen, not today.
    return PersonFactory(
        first_name=first, last_name=last, email=email, first_seen_at=at(seen),
        stage_changed_at=at(seen), stage=stage, **extra,
    )  # fmt: skip


@pytest.fixture
def world(db) -> dict[str, Person]:
    """Four people whose every attribute a rule can test is known by heart."""
    for key, label, kind, choices in [
        ("cups_per_day", "Cups per day", CustomFieldType.NUMBER, []),
        ("favourite_roast", "Favourite roast", CustomFieldType.CHOICE, ["light", "dark"]),
        ("birthday", "Birthday", CustomFieldType.DATE, []),
        ("notes", "Notes", CustomFieldType.TEXT, []),
    ]:
        CustomFieldDefinition.objects.create(
            entity="person", key=key, label=label, field_type=kind, choices=choices
        )
    instagram = ChannelFactory(slug="instagram", name="Instagram")
    referral = ChannelFactory(slug="referral", name="Referral")
    vip, wholesale = Tag.objects.create(name="VIP"), Tag.objects.create(name="Wholesale")

    ann = make_person(
        "Ann", "Archer", "ann@alpha.com", "2024-01-10", "client", country="US", city="Portland",
        acquisition_channel=instagram,
        custom_fields={"cups_per_day": 3, "favourite_roast": "dark", "birthday": "1990-05-01",
                       "notes": "Loves espresso"},
    )  # fmt: skip
    bob = make_person(
        "Bob", "Baker", "bob@beta.org", "2025-05-20", "prospect", country="GB", city="London",
        acquisition_channel=referral,
        custom_fields={"cups_per_day": "1.5", "favourite_roast": "light", "notes": "prefers decaf"},
    )  # fmt: skip
    cat = make_person("Cat", "Carter", None, "2023-03-03", "lost")
    dan = make_person(
        "Dan", "Dunn", "dan@alpha.com", "2025-06-14", "advocate", country="US", city="Seattle",
        acquisition_channel=instagram, custom_fields={"birthday": "2025-06-01", "cups_per_day": 10},
    )  # fmt: skip

    PersonTag.objects.create(person=ann, tag=vip)
    PersonTag.objects.create(person=cat, tag=vip)
    PersonTag.objects.create(person=cat, tag=wholesale)
    PersonRole.objects.create(person=bob, role="vendor")
    PersonRole.objects.create(person=cat, role="partner")
    PersonRole.objects.create(person=dan, role="associate")
    PersonRole.objects.create(person=dan, role="partner")

    def order(person: Person, day: str, total: str, status: str = "completed", refunded="0"):
        return OrderFactory(
            person=person, ordered_at=at(day), total=Decimal(total), refunded=Decimal(refunded),
            status=status,
        )  # fmt: skip

    # Ann: 3 counted orders worth 50 + 20 + 20 = 90; the voided 500 never counts.
    order(ann, "2025-01-05", "50")
    order(ann, "2025-03-01", "30", OrderStatus.PARTIALLY_REFUNDED, "10")
    order(ann, "2025-06-01", "20")
    order(ann, "2025-06-10", "500", OrderStatus.VOIDED)
    # Bob's only order is still pending: he has not ordered yet.
    order(bob, "2025-06-01", "80", OrderStatus.PENDING)
    # Cat's one order was refunded in full: it counts as an order worth nothing.
    order(cat, "2023-04-01", "200", OrderStatus.REFUNDED, "200")
    # Dan: 100 + (150 − 50) = 200 over two orders.
    order(dan, "2025-02-01", "100")
    order(dan, "2025-02-02", "150", OrderStatus.PARTIALLY_REFUNDED, "50")

    # What they bought: only kept orders count (Ann's voided filters, Bob's pending grinder
    # and Cat's refunded beans do not). Ann: grinder 2025-01-05, beans 2025-06-01; Dan:
    # beans 2025-02-01.
    beans = ProductFactory(sku="BEANS", name="Huila beans", category="Coffee")
    grinder = ProductFactory(sku="GRIND", name="Burr grinder", category="Equipment")
    filters = ProductFactory(sku="FILT", name="Paper filters", category="Equipment")
    for buyer, day, product, status in [
        (ann, "2025-01-05", grinder, "completed"),
        (ann, "2025-06-01", beans, "completed"),
        (ann, "2025-06-10", filters, OrderStatus.VOIDED),
        (bob, "2025-06-01", grinder, OrderStatus.PENDING),
        (cat, "2023-04-01", beans, OrderStatus.REFUNDED),
        (dan, "2025-02-01", beans, "completed"),
    ]:
        placed = buyer.orders.get(ordered_at=at(day), status=status)
        OrderLineFactory(order=placed, product=product, sku=product.sku)

    # Email engagement: Ann opened and clicked on 2025-06-10, Bob opened on 2025-01-01,
    # Cat unsubscribed on 2025-06-01, Dan was sent one he never opened.
    from thrive.outreach.models import Delivery, MessagePurpose

    for key, person, moments in [
        ("a", ann, {"opened_at": at("2025-06-10"), "clicked_at": at("2025-06-10")}),
        ("b", bob, {"opened_at": at("2025-01-01")}),
        ("c", cat, {"unsubscribed_at": at("2025-06-01")}),
        ("d", dan, {}),
    ]:
        Delivery.objects.create(
            idempotency_key=key, person=person, purpose=MessagePurpose.EMAIL_MARKETING,
            status="sent", sent_at=at("2024-12-01"), **moments,
        )  # fmt: skip

    add_score(ann, "champions", "545", 0.9, "400.00", "low")
    add_score(cat, "lost", "111", 0.1, "0.00", "high")
    add_score(dan, "at_risk", "234", 0.4, "120.50", "medium")

    # Lead scores (thrive.prospects): Bob is a likely client, Cat an unlikely one.
    from thrive.prospects.models import LeadModel, LeadScore

    lead_model = LeadModel.objects.create(status="ready")
    LeadScore.objects.create(person=bob, model=lead_model, probability=0.7)
    LeadScore.objects.create(person=cat, model=lead_model, probability=0.2)

    add_activity(ann, "note", "2025-06-14")
    add_activity(bob, "call", "2025-06-10")
    add_activity(cat, "email", "2023-04-01")
    add_activity(dan, "meeting", "2025-06-01")
    return {"A": ann, "B": bob, "C": cat, "D": dan}


def selected(rules: dict[str, Any], world: dict[str, Person]) -> str:
    """The letters of the people ``rules`` select, e.g. "AD"."""
    cleaned = validate_rules(rules)
    ids = set(Person.objects.filter(compile_rules(cleaned, now=NOW)).values_list("pk", flat=True))
    return "".join(letter for letter, person in world.items() if person.pk in ids)


def one(field: str, op: str, value: Any = None, **extra: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {"field": field, "op": op, **extra}
    if value is not None:
        rule["value"] = value
    return {"match": "all", "rules": [rule]}


CASES: list[tuple[dict[str, Any], str]] = [
    # Person fields (text comparisons ignore case; a missing email counts as empty).
    (one("first_name", "equals", "ann"), "A"),
    (one("first_name", "not_equals", "ANN"), "BCD"),
    (one("last_name", "contains", "ER"), "ABC"),
    (one("last_name", "not_contains", "er"), "D"),
    (one("last_name", "starts_with", "d"), "D"),
    (one("email", "contains", "@alpha"), "AD"),
    (one("email", "not_contains", "@alpha"), "BC"),
    (one("email", "is_empty"), "C"),
    (one("email", "is_not_empty"), "ABD"),
    (one("city", "equals", "portland"), "A"),
    (one("city", "not_equals", "london"), "ACD"),
    (one("city", "contains", "O"), "AB"),
    (one("city", "not_contains", "o"), "CD"),
    (one("city", "starts_with", "se"), "D"),
    (one("city", "is_not_empty"), "ABD"),
    (one("email", "equals", "BOB@beta.org"), "B"),
    (one("email", "not_equals", "bob@beta.org"), "ACD"),
    (one("email", "starts_with", "dan"), "D"),
    (one("first_name", "contains", "a"), "ACD"),
    (one("first_name", "not_contains", "a"), "B"),
    (one("first_name", "starts_with", "c"), "C"),
    (one("first_name", "is_empty"), ""),
    (one("first_name", "is_not_empty"), "ABCD"),
    (one("last_name", "equals", "dunn"), "D"),
    (one("last_name", "not_equals", "dunn"), "ABC"),
    (one("last_name", "is_empty"), ""),
    (one("last_name", "is_not_empty"), "ABCD"),
    (one("city", "is_empty"), "C"),
    (one("country", "in", ["US"]), "AD"),
    (one("country", "in", ["gb", "us"]), "ABD"),
    (one("country", "not_in", ["US"]), "BC"),
    (one("country", "is_empty"), "C"),
    (one("country", "is_not_empty"), "ABD"),
    (one("acquisition_channel", "in", ["instagram"]), "AD"),
    (one("acquisition_channel", "not_in", ["instagram"]), "BC"),
    (one("acquisition_channel", "is_empty"), "C"),
    (one("acquisition_channel", "is_not_empty"), "ABD"),
    (one("first_seen_at", "before", "2024-01-10"), "C"),
    (one("first_seen_at", "before", "2024-01-11"), "AC"),
    (one("first_seen_at", "after", "2025-05-20"), "D"),
    (one("first_seen_at", "between", ["2024-01-10", "2025-05-20"]), "AB"),
    (one("first_seen_at", "within_last_days", 30), "BD"),
    (one("first_seen_at", "more_than_days_ago", 30), "AC"),
    # Stage, roles, tags.
    (one("stage", "in", ["client", "advocate"]), "AD"),
    (one("stage", "not_in", ["lost"]), "ABD"),
    (one("role", "has", "vendor"), "B"),
    (one("role", "has", "partner"), "CD"),
    (one("role", "has_not", "partner"), "AB"),
    (one("tag", "has", "vip"), "AC"),
    (one("tag", "has", "Wholesale"), "C"),
    (one("tag", "has_not", "VIP"), "BD"),
    # Custom fields, by type.
    (one("custom_field", "equals", "loves espresso", key="notes"), "A"),
    (one("custom_field", "not_equals", "loves espresso", key="notes"), "BCD"),
    (one("custom_field", "contains", "DECAF", key="notes"), "B"),
    (one("custom_field", "not_contains", "decaf", key="notes"), "ACD"),
    (one("custom_field", "starts_with", "Loves", key="notes"), "A"),
    (one("custom_field", "is_empty", key="notes"), "CD"),
    (one("custom_field", "is_not_empty", key="notes"), "AB"),
    # 10 > 2 numerically (not as text), and "1.5" (a decimal string) is a number.
    (one("custom_field", "gt", 2, key="cups_per_day"), "AD"),
    (one("custom_field", "gte", 3, key="cups_per_day"), "AD"),
    (one("custom_field", "lt", 2, key="cups_per_day"), "B"),
    (one("custom_field", "lte", 1.5, key="cups_per_day"), "B"),
    (one("custom_field", "eq", 1.5, key="cups_per_day"), "B"),
    (one("custom_field", "eq", 3, key="cups_per_day"), "A"),
    (one("custom_field", "ne", 3, key="cups_per_day"), "BCD"),
    (one("custom_field", "is_empty", key="cups_per_day"), "C"),
    (one("custom_field", "is_not_empty", key="cups_per_day"), "ABD"),
    (one("custom_field", "before", "2000-01-01", key="birthday"), "A"),
    (one("custom_field", "after", "2000-01-01", key="birthday"), "D"),
    (one("custom_field", "between", ["1990-05-01", "1990-05-01"], key="birthday"), "A"),
    (one("custom_field", "within_last_days", 30, key="birthday"), "D"),
    (one("custom_field", "more_than_days_ago", 30, key="birthday"), "A"),
    (one("custom_field", "is_empty", key="birthday"), "BC"),
    (one("custom_field", "in", ["dark"], key="favourite_roast"), "A"),
    (one("custom_field", "in", ["dark", "light"], key="favourite_roast"), "AB"),
    (one("custom_field", "not_in", ["dark"], key="favourite_roast"), "BCD"),
    (one("custom_field", "is_empty", key="favourite_roast"), "CD"),
    # Activity (every person also has a stage-change activity on their first day).
    (one("activity", "within_last_days", 7, kind="call"), "B"),
    (one("activity", "within_last_days", 3, kind="call"), ""),
    (one("activity", "within_last_days", 7, kind="note"), "A"),
    (one("activity", "within_last_days", 7, kind="any"), "ABD"),
    (one("activity", "not_within_last_days", 7, kind="any"), "C"),
    (one("activity", "within_last_days", 30, kind="meeting"), "D"),
    (one("activity", "ever", kind="email"), "C"),
    (one("activity", "never", kind="email"), "ABD"),
    (one("activity", "never", kind="any"), ""),
    # Orders: voided and pending orders never count; a full refund is an order worth 0.
    (one("orders_count", "eq", 0), "B"),
    (one("orders_count", "gte", 1), "ACD"),
    (one("orders_count", "gt", 1), "AD"),
    (one("orders_count", "eq", 2), "D"),
    (one("orders_count", "eq", 3), "A"),
    (one("orders_count", "ne", 3), "BCD"),
    (one("orders_count", "lt", 3), "BCD"),
    (one("orders_count", "lte", 2), "BCD"),
    (one("orders_amount", "gt", 0), "AD"),
    (one("orders_amount", "eq", 0), "BC"),
    (one("orders_amount", "eq", 90), "A"),
    (one("orders_amount", "ne", 90), "BCD"),
    (one("orders_amount", "gte", 200), "D"),
    (one("orders_amount", "lt", 100), "ABC"),
    (one("orders_amount", "lte", 90), "ABC"),
    (one("orders_amount", "gte", 89.99), "AD"),
    (one("first_order_date", "before", "2025-01-01"), "C"),
    (one("first_order_date", "after", "2025-01-05"), "D"),
    (one("first_order_date", "between", ["2025-01-01", "2025-02-01"]), "AD"),
    (one("first_order_date", "within_last_days", 200), "AD"),
    (one("first_order_date", "within_last_days", 30), ""),
    (one("first_order_date", "more_than_days_ago", 365), "C"),
    (one("last_order_date", "before", "2025-06-01"), "CD"),
    (one("last_order_date", "after", "2025-02-02"), "A"),
    (one("last_order_date", "after", "2025-06-05"), ""),
    (one("last_order_date", "between", ["2025-02-01", "2025-05-31"]), "D"),
    (one("last_order_date", "within_last_days", 30), "A"),
    (one("last_order_date", "more_than_days_ago", 30), "CD"),
    (one("last_order_date", "more_than_days_ago", 365), "C"),
    # Products bought (windows from 2025-06-15: 30 days back is 2025-05-16, 90 is
    # 2025-03-17, 180 is 2024-12-17, 365 is 2024-06-15).
    (one("product_bought", "bought_ever", ["BEANS"]), "AD"),
    (one("product_bought", "bought_30", ["BEANS"]), "A"),
    (one("product_bought", "bought_90", ["GRIND"]), ""),
    (one("product_bought", "bought_90", ["BEANS", "GRIND"]), "A"),
    (one("product_bought", "bought_180", ["GRIND"]), "A"),
    (one("product_bought", "bought_365", ["BEANS"]), "AD"),
    (one("product_bought", "not_bought_ever", ["GRIND"]), "BCD"),
    (one("product_bought", "not_bought_ever", ["FILT"]), "ABCD"),
    (one("product_bought", "not_bought_30", ["BEANS"]), "BCD"),
    (one("product_bought", "not_bought_90", ["GRIND"]), "ABCD"),
    (one("product_bought", "not_bought_180", ["BEANS"]), "BC"),
    (one("product_bought", "not_bought_365", ["GRIND"]), "BCD"),
    (one("category_bought", "bought_ever", ["Equipment"]), "A"),
    (one("category_bought", "bought_30", ["Coffee"]), "A"),
    (one("category_bought", "bought_90", ["Equipment"]), ""),
    (one("category_bought", "bought_180", ["Coffee"]), "AD"),
    (one("category_bought", "bought_365", ["Equipment"]), "A"),
    (one("category_bought", "not_bought_ever", ["Coffee"]), "BC"),
    (one("category_bought", "not_bought_30", ["Equipment"]), "ABCD"),
    (one("category_bought", "not_bought_90", ["Coffee"]), "BCD"),
    (one("category_bought", "not_bought_180", ["Equipment"]), "BCD"),
    (one("category_bought", "not_bought_365", ["Coffee", "Equipment"]), "BC"),
    (one("email_engagement", "opened_within", 30), "A"),
    (one("email_engagement", "opened_within", 365), "AB"),
    (one("email_engagement", "not_opened_within", 30), "BCD"),
    (one("email_engagement", "clicked_within", 30), "A"),
    (one("email_engagement", "not_clicked_within", 30), "BCD"),
    (one("email_engagement", "unsubscribed_within", 30), "C"),
    (one("email_engagement", "unsubscribed_within", 7), ""),
    # Scores: people without a score (Bob) match none of these rules.
    (one("rfm_segment", "in", ["champions", "lost"]), "AC"),
    (one("rfm_segment", "not_in", ["champions"]), "CD"),
    (one("rfm_r", "gte", 2), "AD"),
    (one("rfm_r", "eq", 2), "D"),
    (one("rfm_r", "gt", 1), "AD"),
    (one("rfm_r", "lt", 5), "CD"),
    (one("rfm_r", "lte", 2), "CD"),
    (one("rfm_f", "gt", 3), "A"),
    (one("rfm_f", "gte", 3), "AD"),
    (one("rfm_f", "lt", 3), "C"),
    (one("rfm_f", "lte", 3), "CD"),
    (one("rfm_f", "ne", 4), "CD"),
    (one("rfm_m", "eq", 4), "D"),
    (one("rfm_m", "gt", 4), "A"),
    (one("rfm_m", "gte", 4), "AD"),
    (one("rfm_m", "lte", 4), "CD"),
    (one("rfm_m", "ne", 1), "AD"),
    (one("rfm_r", "ne", 5), "CD"),
    (one("rfm_f", "eq", 1), "C"),
    (one("rfm_m", "lt", 5), "CD"),
    (one("p_alive", "lt", 0.5), "CD"),
    (one("p_alive", "gte", 0.9), "A"),
    (one("p_alive", "gt", 0.9), ""),
    (one("p_alive", "lte", 0.1), "C"),
    (one("predicted_clv", "gt", 100), "AD"),
    (one("predicted_clv", "gte", 120.5), "AD"),
    (one("predicted_clv", "lt", 120.5), "C"),
    (one("predicted_clv", "lte", 120.5), "CD"),
    (one("predicted_clv", "eq", 0), "C"),
    (one("predicted_clv", "ne", 0), "AD"),
    (one("churn_risk", "in", ["high", "medium"]), "CD"),
    (one("churn_risk", "not_in", ["low"]), "CD"),
    (one("lead_score", "gte", 0.7), "B"),
    (one("lead_score", "lte", 0.5), "C"),
    # Groups.
    ({"match": "all", "rules": []}, "ABCD"),
    ({"match": "any", "rules": []}, "ABCD"),
    (
        {"match": "all", "rules": [
            {"field": "stage", "op": "in", "value": ["client", "advocate"]},
            {"match": "any", "rules": [
                {"field": "tag", "op": "has", "value": "VIP"},
                {"field": "orders_amount", "op": "gte", "value": 200},
            ]},
        ]},
        "AD",
    ),
    (
        {"match": "any", "rules": [
            {"field": "first_name", "op": "equals", "value": "bob"},
            {"match": "all", "rules": [
                {"field": "country", "op": "in", "value": ["US"]},
                {"field": "city", "op": "equals", "value": "Seattle"},
            ]},
        ]},
        "BD",
    ),
    (
        {"match": "all", "rules": [
            {"field": "email", "op": "is_not_empty"},
            {"match": "any", "rules": [
                {"match": "all", "rules": [
                    {"match": "any", "rules": [
                        {"field": "orders_count", "op": "eq", "value": 0},
                        {"field": "p_alive", "op": "lt", "value": 0.5},
                    ]},
                ]},
                {"field": "tag", "op": "has", "value": "VIP"},
            ]},
        ]},
        "ABD",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("rules", "expected"), CASES, ids=lambda v: json.dumps(v)[:80])
def test_each_rule_selects_exactly_the_expected_people(world, rules, expected):
    assert selected(rules, world) == expected


def test_every_field_and_operator_is_exercised():
    """The cases above cover the whole registry, so a new operator needs a case."""
    covered = {(rule["field"], rule["op"]) for rules, _ in CASES for rule in _leaves(rules)}
    expected = {(field.name, op.name) for field in FIELDS.values() for op in field.operators}
    assert expected - covered == set()


def _leaves(group: dict[str, Any]):
    for entry in group["rules"]:
        if "rules" in entry:
            yield from _leaves(entry)
        else:
            yield entry


def test_dates_are_days_in_the_business_time_zone(world, settings):
    # 05:00 UTC on 10 January is still the evening of 9 January in Los Angeles.
    late = make_person("Eve", "Early", "eve@example.com", "2024-01-10", "suspect")
    Person.objects.filter(pk=late.pk).update(first_seen_at=at("2024-01-10", hour=5))
    rule = one("first_seen_at", "before", "2024-01-10")
    settings.THRIVE_TIME_ZONE = "UTC"
    assert late not in Person.objects.filter(compile_rules(rule, now=NOW))
    settings.THRIVE_TIME_ZONE = "America/Los_Angeles"
    assert late in Person.objects.filter(compile_rules(rule, now=NOW))


def test_a_number_custom_field_holding_text_is_skipped_not_fatal(world):
    # Left behind if the field's type was changed after values were stored: the rule must
    # neither crash (PostgreSQL would refuse to cast "n/a") nor read it as 0.
    stray = PersonFactory(custom_fields={"cups_per_day": "n/a"})
    Person.objects.filter(pk=stray.pk).update(custom_fields={"cups_per_day": "n/a"})
    rule = one("custom_field", "lt", 5, key="cups_per_day")
    ids = set(Person.objects.filter(compile_rules(rule, now=NOW)).values_list("pk", flat=True))
    assert ids == {world["A"].pk, world["B"].pk}  # 3 and 1.5, not the stray


def test_counting_a_segment_is_a_single_query(world):
    rules = validate_rules({"match": "any", "rules": [
        {"field": "tag", "op": "has", "value": "VIP"},
        {"match": "all", "rules": [
            {"field": "orders_count", "op": "gt", "value": 1},
            {"field": "orders_amount", "op": "gte", "value": 100},
            {"field": "last_order_date", "op": "within_last_days", "value": 90},
            {"field": "activity", "kind": "call", "op": "never"},
            {"field": "custom_field", "key": "cups_per_day", "op": "gt", "value": 1},
            {"field": "p_alive", "op": "lt", "value": 0.5},
            {"field": "rfm_segment", "op": "in", "value": ["at_risk"]},
            {"field": "acquisition_channel", "op": "in", "value": ["instagram"]},
        ]},
    ]})  # fmt: skip
    # The business's zone (its settings row) is read once per request, before any count.
    business.time_zone_name()
    with CaptureQueriesContext(connection) as queries:
        count = Person.objects.filter(compile_rules(rules)).count()
    assert len(queries) == 1
    assert count == 2  # Ann and Cat by tag; Dan's last order is too old
    # Nothing in the query multiplies rows, so no DISTINCT is needed.
    assert "DISTINCT" not in queries[0]["sql"].upper()


def test_compiling_needs_no_query(world):
    rules = validate_rules(one("tag", "has", "VIP"))
    business.time_zone_name()  # the business's settings: read once per request, before
    with CaptureQueriesContext(connection) as queries:
        compile_rules(rules)
    assert len(queries) == 0


# ---------------------------------------------------------------------------- validation


def errors_of(rules: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        validate_rules(rules)
    return caught.value.message_dict


def nest(levels: int) -> dict[str, Any]:
    """Groups nested ``levels`` deep (the outermost counts as one), one rule inside."""
    group: dict[str, Any] = {
        "match": "all",
        "rules": [{"field": "stage", "op": "in", "value": ["client"]}],
    }
    for _ in range(levels - 1):
        group = {"match": "any", "rules": [group]}
    return group


@pytest.mark.parametrize(
    ("rules", "path", "words"),
    [
        (one("shoe_size", "eq", 42), "rules[0].field",
         "Rule 1: there is no field called 'shoe_size'"),
        (one("stage", "gt", 3), "rules[0].op",
         "Stage has no operator 'gt'; use one of: in, not_in"),
        (one("stage", "in", ["vip"]), "rules[0].value", "'vip' is not a known stage"),
        (one("orders_count", "gt", "3"), "rules[0].value", "'3' is not a number"),
        (one("orders_count", "gt", 1.5), "rules[0].value", "1.5 is not a whole number"),
        (one("orders_count", "gt", True), "rules[0].value", "True is not a number"),
        (one("p_alive", "lt", 1.5), "rules[0].value", "a probability is between 0 and 1"),
        (one("p_alive", "eq", 0.5), "rules[0].op", "has no operator 'eq'"),
        (one("rfm_r", "eq", 6), "rules[0].value", "from 1 to 5"),
        (one("first_seen_at", "before", "2025-13-01"), "rules[0].value", "not a real date"),
        (one("first_seen_at", "before", "01/02/2025"), "rules[0].value", "use YYYY-MM-DD"),
        (one("first_seen_at", "between", ["2025-02-01", "2025-01-01"]), "rules[0].value",
         "must not be after"),
        (one("first_seen_at", "within_last_days", 0), "rules[0].value", "from 1 to 36500"),
        (one("first_name", "contains", "  "), "rules[0].value", "give some text"),
        (one("first_name", "contains", "a\x00b"), "rules[0].value", "cannot be searched"),
        (one("email", "is_empty", "x"), "rules[0].value", "takes no value"),
        (one("email", "contains"), "rules[0].value", "give a value for “Email contains”"),
        (one("country", "in", ["USA"]), "rules[0].value", "not a two-letter country code"),
        (one("tag", "has", "Gold"), "rules[0].value", "'Gold' is not a known tag"),
        (one("acquisition_channel", "in", ["tv"]), "rules[0].value", "not a known acquisition"),
        (one("custom_field", "eq", 1, key="shoe_size"), "rules[0].key",
         "there is no custom field called 'shoe_size'"),
        (one("custom_field", "contains", "x", key="cups_per_day"), "rules[0].op",
         "Cups per day has no operator 'contains'"),
        (one("custom_field", "in", ["medium"], key="favourite_roast"), "rules[0].value",
         "'medium' is not a known custom field"),
        (one("activity", "ever", kind="telegram"), "rules[0].kind", "choose an activity kind"),
        (one("activity", "ever"), "rules[0].kind", "choose an activity kind"),
        (one("stage", None), "rules[0].op", "Stage needs an operator"),
        ({"match": "all", "rules": [{"field": "stage", "op": "in", "value": ["client"],
                                     "colour": "red"}]}, "rules[0]", "unknown key 'colour'"),
        ({"match": "both", "rules": []}, "match", "match must be “all” or “any”"),
        ({"match": "all", "rules": {}}, "rules", "“rules” must be a list"),
        ([1, 2], "rules", "a group must be an object"),
        ({"match": "all", "rules": ["stage"]}, "rules[0]", "a rule must be an object"),
        ({"match": "all", "rules": [{"match": "any", "rules": []}]}, "rules[0]",
         "this group has no rules"),
        ({"match": "all", "rules": [{"match": "any", "rules": [
            {"field": "stage", "op": "in", "value": ["client"]},
            {"field": "tag", "op": "has", "value": "nope"}]}]}, "rules[0].rules[1].value",
         "Rule 1.2: 'nope' is not a known tag"),
        (nest(5), "rules[0].rules[0].rules[0].rules[0]", "nested at most 4 levels deep"),
        ({"match": "all", "rules": [one("email", "is_empty")["rules"][0]] * (MAX_RULES + 1)},
         "rules[50]", "at most 50 rules and groups"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)  # fmt: skip
def test_bad_rules_are_explained_with_a_path(world, rules, path, words):
    messages = errors_of(rules)
    assert path in messages, messages
    assert any(words in message for message in messages[path]), messages[path]


def test_every_problem_is_reported_at_once(world):
    messages = errors_of({"match": "all", "rules": [
        {"field": "stage", "op": "in", "value": ["vip"]},
        {"field": "email", "op": "is_empty"},
        {"match": "any", "rules": [{"field": "nope", "op": "eq", "value": 1}]},
    ]})  # fmt: skip
    assert set(messages) == {"rules[0].value", "rules[2].rules[0].field"}
    assert messages["rules[2].rules[0].field"][0].startswith("Rule 3.1: ")


def test_the_limits_themselves_are_allowed(world):
    validate_rules(nest(4))
    validate_rules({"match": "all", "rules": [{"field": "email", "op": "is_empty"}] * MAX_RULES})


def test_cleaning_normalises_values(world):
    cleaned = validate_rules({"rules": [
        {"field": "tag", "op": "has", "value": " vip "},
        {"field": "country", "op": "in", "value": ["us", "US", "gb"]},
        {"field": "stage", "op": "in", "value": "client"},
        {"field": "email", "op": "contains", "value": " @alpha "},
    ]})  # fmt: skip
    assert cleaned == {"match": "all", "rules": [
        {"field": "tag", "op": "has", "value": "VIP"},
        {"field": "country", "op": "in", "value": ["US", "GB"]},
        {"field": "stage", "op": "in", "value": ["client"]},
        {"field": "email", "op": "contains", "value": "@alpha"},
    ]}  # fmt: skip


def test_without_references_only_the_shape_is_checked_and_no_query_runs(world):
    rules = one("tag", "has", "No such tag")
    with CaptureQueriesContext(connection) as queries:
        cleaned, errors = rule_errors(rules, check_references=False)
    assert errors == [] and cleaned is not None
    assert len(queries) == 0
    assert rule_errors(rules)[1][0].path == "rules[0].value"


def test_rules_are_described_in_plain_words(world):
    rules = validate_rules({"match": "all", "rules": [
        {"field": "stage", "op": "in", "value": ["client", "advocate", "prospect"]},
        {"match": "any", "rules": [
            {"field": "tag", "op": "has", "value": "VIP"},
            {"field": "orders_amount", "op": "gte", "value": 200},
            {"field": "activity", "kind": "call", "op": "within_last_days", "value": 30},
            {"field": "activity", "kind": "email", "op": "never"},
        ]},
        {"field": "custom_field", "key": "cups_per_day", "op": "gt", "value": 2},
        {"field": "p_alive", "op": "lt", "value": 0.25},
        {"field": "last_order_date", "op": "more_than_days_ago", "value": 90},
        {"field": "acquisition_channel", "op": "in", "value": ["instagram"]},
    ]})  # fmt: skip
    summary = describe_rules(rules)
    assert summary.text == "All of these are true:"
    texts = [child.text for child in summary.children]
    assert texts[0] == "Stage is any of Client, Advocate or Prospect"
    assert texts[1] == "Any of these is true:"
    assert [c.text for c in summary.children[1].children] == [
        "Has the tag “VIP”",
        "Total spent is at least 200 USD",
        "Had a call in the last 30 days",
        "Never had an email",
    ]
    assert texts[2:] == [
        "Cups per day (custom field) is more than 2",
        "Chance still a customer (P(alive)) is less than 25%",
        "Last order is more than 90 days ago",
        "Acquisition channel is any of Instagram",
    ]
    sentence = summary_text(rules)
    assert "Stage is any of Client, Advocate or Prospect and (Has the tag “VIP” or " in sentence
    assert describe_rules({"match": "all", "rules": []}).text == "Everyone (no rules yet)"


def test_names_that_no_longer_exist_are_pointed_out(world):
    rules = validate_rules(one("tag", "has", "Wholesale"))
    Tag.objects.filter(name="Wholesale").delete()
    assert describe_rules(rules).children[0].text == "Has the tag “Wholesale” (no such tag now)"
    assert not Person.objects.filter(compile_rules(rules)).exists()


# ---------------------------------------------------------------------------- the model


def test_a_segment_cleans_its_rules_and_lists_its_people(world, member):
    segment = Segment(name="Good customers", rules={"rules": [
        {"field": "orders_count", "op": "gte", "value": 2},
        {"field": "tag", "op": "has", "value": "vip"},
    ]})  # fmt: skip
    segment.full_clean()
    segment.save()
    assert segment.rules["rules"][1]["value"] == "VIP"
    assert list(segment.people()) == [world["A"]]


def test_a_segment_with_broken_rules_selects_nobody(world):
    segment = Segment.objects.create(name="Broken", rules={"rules": [{"field": "mood"}]})
    assert segment.condition() is None
    assert list(segment.people()) == []
    assert "there is no field called 'mood'" in segment.rules_problems()[0]
    with pytest.raises(ValidationError) as caught:
        segment.full_clean()
    assert "rules" in caught.value.message_dict


def test_segment_names_are_unique_ignoring_case(world, member):
    services.create_segment(actor=member, name="VIPs", rules={"rules": []})
    with pytest.raises(ValidationError) as caught:
        services.create_segment(actor=member, name="vips ", rules={"rules": []})
    assert "already exists" in caught.value.message_dict["name"][0]


def test_read_only_associates_cannot_change_segments_through_services(world, read_only):
    with pytest.raises(PermissionDenied):
        services.create_segment(actor=read_only, name="Mine", rules={"rules": []})
    segment = Segment.objects.create(name="Theirs")
    with pytest.raises(PermissionDenied):
        services.update_segment(segment, actor=read_only, name="Mine", rules={"rules": []})
    with pytest.raises(PermissionDenied):
        services.delete_segment(segment, actor=read_only)
    assert Segment.objects.filter(name="Theirs").exists()


# ---------------------------------------------------------------------------- the pages


def make_segment(name: str = "VIP customers", rules: dict[str, Any] | None = None) -> Segment:
    return Segment.objects.create(
        name=name, rules=validate_rules(rules or one("tag", "has", "VIP"))
    )


def rules_json(rules: dict[str, Any]) -> str:
    return json.dumps(rules)


EDITORS = ["owner", "member"]


def test_the_list_shows_each_segment_and_where_its_current_count_comes_from(world, persona):
    vip = make_segment()
    make_segment("Broken", {"rules": []})
    broken = Segment.objects.get(name="Broken")
    Segment.objects.filter(pk=broken.pk).update(rules={"rules": [{"field": "mood"}]})
    client = client_for(persona)
    html = client.get(reverse("segments")).content.decode()
    assert f'href="{reverse("segment", args=[vip.pk])}"' in html
    assert f'href="/people/?segment={vip.pk}"' in html
    assert f'data-segment-count="{reverse("segment_count", args=[vip.pk])}"' in html
    assert "Rules need fixing" in html
    assert (reverse("segment_new") in html) == (persona.role != "read_only")
    # Each count is asked for on its own, and is the number the segment's page shows.
    counted = client.get(reverse("segment_count", args=[vip.pk]))
    assert counted.status_code == 200
    assert counted.json() == {"count": 2, "text": "2"}
    assert vip.people().count() == 2
    refused = client.get(reverse("segment_count", args=[broken.pk]))
    assert refused.status_code == 400 and refused.json() == {"error": "Rules need fixing"}
    assert client.get(reverse("segment_count", args=[broken.pk + 99])).status_code == 404


def test_a_segment_count_needs_a_signed_in_associate(world, member):
    vip = make_segment()
    from django.test import Client

    anonymous = Client().get(reverse("segment_count", args=[vip.pk]))
    assert anonymous.status_code in (302, 401, 403)
    assert b"count" not in anonymous.content


def test_the_list_page_query_count_does_not_grow_with_segments(world, member):
    client = client_for(member)
    make_segment("One")
    client.get(reverse("segments"))  # warm the session and content types
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("segments")).status_code == 200
    for i, rules in enumerate(rules for rules, _ in CASES[::9]):
        make_segment(f"More {i}", rules)
    Segment.objects.create(name="Broken", rules={"rules": [{"field": "mood"}]})
    assert Segment.objects.count() > 10
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("segments")).status_code == 200
    assert len(many) == len(few)


def test_a_segment_page_shows_its_rules_count_members_and_people_link(world, persona):
    segment = make_segment()
    html = client_for(persona).get(reverse("segment", args=[segment.pk])).content.decode()
    assert "Has the tag “VIP”" in html
    assert "<strong>2</strong> people" in html
    assert f'href="/people/{world["A"].pk}/"' in html
    assert f'href="/people/{world["C"].pk}/"' in html
    assert f'href="/people/{world["B"].pk}/"' not in html
    assert f'href="/people/?segment={segment.pk}"' in html
    can_change = persona.role != "read_only"
    assert (reverse("segment_edit", args=[segment.pk]) in html) == can_change
    assert (reverse("segment_delete", args=[segment.pk]) in html) == can_change


def test_a_segment_page_lists_the_first_fifty_members(member):
    for i in range(53):
        PersonFactory(last_name=f"Member{i:02d}", city="Bend")
    segment = make_segment("Bend", one("city", "equals", "Bend"))
    html = client_for(member).get(reverse("segment", args=[segment.pk])).content.decode()
    assert "The first 50 of 53" in html
    assert len(re.findall(r'href="/people/\d+/"', html)) == 50
    assert "Member49" in html and "Member50" not in html


def test_a_segment_page_explains_broken_rules(world, member):
    segment = Segment.objects.create(name="Broken", rules={"rules": [{"field": "mood"}]})
    response = client_for(member).get(reverse("segment", args=[segment.pk]))
    assert response.status_code == 200
    assert "there is no field called" in response.content.decode()


@pytest.mark.parametrize("role", EDITORS)
def test_editors_create_edit_and_delete_segments(world, request, role):
    client = client_for(request.getfixturevalue(role))
    assert client.get(reverse("segment_new")).status_code == 200
    response = client.post(reverse("segment_new"), {
        "name": "Regulars", "description": "Two orders or more",
        "rules": rules_json(one("orders_count", "gte", 2)),
    })  # fmt: skip
    segment = Segment.objects.get(name="Regulars")
    assert response.status_code == 302 and response["Location"] == segment.get_absolute_url()
    assert segment.created_by.username == role
    assert set(segment.people()) == {world["A"], world["D"]}

    edit = reverse("segment_edit", args=[segment.pk])
    page = client.get(edit).content.decode()
    assert "orders_count" in page and 'id="segment-registry"' in page
    response = client.post(edit, {
        "name": "Big regulars", "description": "",
        "rules": rules_json(one("orders_count", "gte", 3)),
    })  # fmt: skip
    assert response.status_code == 302
    segment.refresh_from_db()
    assert segment.name == "Big regulars" and list(segment.people()) == [world["A"]]

    delete = reverse("segment_delete", args=[segment.pk])
    assert client.get(delete).status_code == 200  # asks first
    assert client.post(delete).status_code == 302
    assert not Segment.objects.filter(pk=segment.pk).exists()


def test_read_only_associates_get_403_for_every_change(world, read_only):
    segment = make_segment()
    client = client_for(read_only)
    data = {"name": "Mine", "rules": rules_json(one("email", "is_empty"))}
    assert client.get(reverse("segment_new")).status_code == 403
    assert client.post(reverse("segment_new"), data).status_code == 403
    assert client.get(reverse("segment_edit", args=[segment.pk])).status_code == 403
    assert client.post(reverse("segment_edit", args=[segment.pk]), data).status_code == 403
    assert client.post(reverse("segment_delete", args=[segment.pk])).status_code == 403
    assert list(Segment.objects.values_list("name", flat=True)) == ["VIP customers"]
    # Looking is fine, including the live count.
    assert client.get(reverse("segment", args=[segment.pk])).status_code == 200
    counted = client.get(
        reverse("segment_preview"), {"rules": rules_json(one("email", "is_empty"))}
    )
    assert counted.json()["count"] == 1


def test_the_editor_works_without_javascript(world, member):
    client = client_for(member)
    page = client.get(reverse("segment_new")).content.decode()
    assert '<textarea name="rules"' in page and 'aria-live="polite"' in page
    assert "Fields and operators you can use" in page
    response = client.post(reverse("segment_new"), {
        "name": "Lapsed", "rules": rules_json(one("last_order_date", "more_than_days_ago", 30)),
        "preview": "1",
    })  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200 and not Segment.objects.exists()
    assert "person matches" in html or "people match" in html
    assert "Last order is more than 30 days ago" in html
    # Checking the count before choosing a name is normal, not an error.
    response = client.post(
        reverse("segment_new"),
        {"name": "", "rules": rules_json(one("email", "is_empty")), "preview": "1"},
    )
    assert "<strong>1</strong> person matches" in response.content.decode()
    assert not response.context["form"].errors


def test_the_editor_explains_bad_rules_and_keeps_what_was_typed(world, member):
    client = client_for(member)
    response = client.post(reverse("segment_new"), {"name": "Oops", "rules": '{"rules": ['})
    html = response.content.decode()
    assert response.status_code == 200 and "not valid JSON" in html
    assert "{&quot;rules&quot;: [" in html
    response = client.post(
        reverse("segment_new"), {"name": "Oops", "rules": rules_json(one("stage", "gt", 3))}
    )
    assert "Rule 1: Stage has no operator" in response.content.decode()
    assert not Segment.objects.exists()


def test_the_editor_refuses_a_duplicate_name_on_the_name_field(world, member):
    make_segment("Regulars")
    response = client_for(member).post(
        reverse("segment_new"), {"name": "REGULARS", "rules": rules_json(one("email", "is_empty"))}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["A segment with this name already exists."]


# ------------------------------------------------------------------------ the live count


def preview(client, raw: Any):
    return client.get(reverse("segment_preview"), {"rules": raw})


def test_the_preview_counts_the_people_the_rules_select(world, member):
    response = preview(client_for(member), rules_json(one("stage", "in", ["client", "advocate"])))
    assert response.status_code == 200
    assert response.json() == {"count": 2, "summary": "Stage is any of Client or Advocate"}


@pytest.mark.parametrize(
    ("raw", "path", "words"),
    [
        ("{", "", "not valid JSON"),
        ("", "", "Write the rules as JSON"),
        ("[" * 5000 + "]" * 5000, "", "nested far too deeply"),
        ("1" * 5000, "", "far too long"),
        ('{"rules": [{"field": "stage", "op": "in", "value": ["vip"]}]}', "rules[0].value",
         "'vip' is not a known stage"),
        ('"just text"', "rules", "a group must be an object"),
    ],
)  # fmt: skip
def test_the_preview_answers_bad_rules_with_400_and_messages(world, member, raw, path, words):
    response = preview(client_for(member), raw)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors[0]["path"] == path and words in errors[0]["message"]


def test_the_preview_needs_rules_and_a_get(world, member):
    client = client_for(member)
    assert client.get(reverse("segment_preview")).status_code == 400
    assert client.post(reverse("segment_preview"), {"rules": "{}"}).status_code == 405


def test_the_preview_needs_sign_in(world):
    from django.test import Client

    response = Client().get(reverse("segment_preview"), {"rules": "{}"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


JSON_SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
    | st.sampled_from(["", "client", "VIP", "2025-01-01", "2025-02-30", "instagram", "US"])
)  # fmt: skip
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
OP_NAMES = sorted({op.name for field in FIELDS.values() for op in field.operators})
RULE_LIKE = st.fixed_dictionaries(
    {"field": st.sampled_from([*FIELDS, "mood"]), "op": st.sampled_from([*OP_NAMES, "~"])},
    optional={
        "value": JSON_VALUES,
        "key": st.sampled_from(["cups_per_day", "favourite_roast", "birthday", "notes", "x"]),
        "kind": st.sampled_from(["any", "call", "x"]) | JSON_VALUES,
    },
)
GROUP_LIKE = st.recursive(
    st.fixed_dictionaries(
        {"rules": st.lists(RULE_LIKE | JSON_VALUES, max_size=4)},
        optional={"match": st.sampled_from(["all", "any", "none"]) | JSON_VALUES},
    ),
    lambda inner: st.fixed_dictionaries(
        {"match": st.sampled_from(["all", "any"]), "rules": st.lists(inner | RULE_LIKE, max_size=3)}
    ),
    max_leaves=6,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    payload=GROUP_LIKE.map(lambda v: json.dumps(v, allow_nan=True))
    | JSON_VALUES.map(lambda v: json.dumps(v, allow_nan=True))
    | st.text(max_size=60)
)
def test_the_preview_never_fails_on_garbage(world, member, payload):
    response = preview(client_for(member), payload)
    assert response.status_code in (200, 400)
    body = response.json()
    assert ("count" in body) if response.status_code == 200 else body["errors"]


def test_segments_can_be_found_and_fixed_in_the_admin(world, owner):
    segment = make_segment()
    client = client_for(owner)
    assert client.get(reverse("admin:segments_segment_changelist")).status_code == 200
    change = reverse("admin:segments_segment_change", args=[segment.pk])
    assert client.get(change).status_code == 200
    bad = {"name": "VIP customers", "description": "", "rules": '{"rules": [{"field": "mood"}]}'}
    response = client.post(change, bad)
    assert response.status_code == 200 and "there is no field called" in response.content.decode()
    response = client.post(reverse("admin:segments_segment_add"), {
        "name": "Made in the admin", "description": "", "rules": '{"rules": []}',
    })  # fmt: skip
    assert response.status_code == 302
    assert Segment.objects.get(name="Made in the admin").created_by == owner
