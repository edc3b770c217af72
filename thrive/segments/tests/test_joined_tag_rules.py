"""Tag and role tests that one subquery can answer together select exactly the people the
rules select one by one.

"Has tag A or has tag B" under *any*, and "has not A and has not B" under *all*, compile
to one test for any of the names (one EXISTS on PostgreSQL instead of an OR of two,
which it answered with a lookup per person for every person). The people list in a
segment joins the segment's conditions to its own filters.
"""

from __future__ import annotations

import itertools

import pytest

from thrive.contacts import services as contact_services
from thrive.contacts.models import Person, PersonRole, RelationshipRole, Stage
from thrive.contacts.queries import people_matching
from thrive.segments.rules import compile_rules
from thrive.segments.services import create_segment
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

TAGS = ("subscriber", "wholesale", "gift")
ROLES = (RelationshipRole.VENDOR, RelationshipRole.PARTNER)


@pytest.fixture
def everyone(member) -> list[Person]:
    """One person for every combination of the three tags and two roles, in two stages."""
    people = []
    for n, (tags, roles, stage) in enumerate(
        itertools.product(
            itertools.product([False, True], repeat=len(TAGS)),
            itertools.product([False, True], repeat=len(ROLES)),
            (Stage.PROSPECT, Stage.CLIENT),
        )
    ):
        person = PersonFactory(first_name=f"P{n}", stage=stage)
        for name, has in zip(TAGS, tags, strict=True):
            if has:
                contact_services.add_tag(person, name, actor=member)
        for role, has in zip(ROLES, roles, strict=True):
            if has:
                PersonRole.objects.create(person=person, role=role)
        people.append(person)
    return people


def ids(rules: dict) -> set[int]:
    return set(Person.objects.filter(compile_rules(rules)).values_list("pk", flat=True))


def one_by_one(rules: dict) -> set[int]:
    """What the rules select, each rule counted on its own and combined in Python."""
    everyone = set(Person.objects.values_list("pk", flat=True))
    chosen = None
    for entry in rules["rules"]:
        part = one_by_one(entry) if "rules" in entry else ids({"rules": [entry]})
        if chosen is None:
            chosen = part
        else:
            chosen = chosen | part if rules["match"] == "any" else chosen & part
    return everyone if chosen is None else chosen


def tag(op: str, name: str) -> dict:
    return {"field": "tag", "op": op, "value": name}


def role(op: str, name: str) -> dict:
    return {"field": "role", "op": op, "value": name}


STAGE_CLIENT = {"field": "stage", "op": "in", "value": [Stage.CLIENT]}

CASES = {
    "two tags, any": {"match": "any", "rules": [tag("has", "subscriber"), tag("has", "wholesale")]},
    "three tags any case, one unknown": {
        "match": "any",
        "rules": [tag("has", "SUBSCRIBER"), tag("has", "Gift"), tag("has", "no-such-tag")],
    },
    "not two tags, all": {
        "match": "all",
        "rules": [tag("has_not", "subscriber"), tag("has_not", "wholesale")],
    },
    "mixed has and has not, any": {
        "match": "any",
        "rules": [tag("has", "gift"), tag("has_not", "subscriber"), tag("has", "wholesale")],
    },
    "mixed has and has not, all": {
        "match": "all",
        "rules": [tag("has", "gift"), tag("has_not", "subscriber"), tag("has_not", "wholesale")],
    },
    "two roles and a stage, any": {
        "match": "any",
        "rules": [role("has", ROLES[0]), STAGE_CLIENT, role("has", ROLES[1])],
    },
    "not two roles, all, with a stage": {
        "match": "all",
        "rules": [role("has_not", ROLES[0]), STAGE_CLIENT, role("has_not", ROLES[1])],
    },
    "tags and roles in nested groups": {
        "match": "all",
        "rules": [
            {"match": "any", "rules": [tag("has", "subscriber"), tag("has", "gift")]},
            {"match": "any", "rules": [role("has", ROLES[0]), role("has", ROLES[1])]},
            {"match": "all", "rules": [tag("has_not", "wholesale"), tag("has_not", "gift")]},
        ],
    },
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_joined_tests_select_the_people_the_rules_select_one_by_one(everyone, name):
    rules = CASES[name]
    assert ids(rules) == one_by_one(rules)


def test_the_cases_select_neither_nobody_nor_everybody(everyone):
    for name, rules in CASES.items():
        assert 0 < len(ids(rules)) < len(everyone), name


def test_the_people_list_in_a_segment_is_its_members_within_the_other_filters(everyone, member):
    segment = create_segment(actor=member, name="Subscribers", rules=CASES["two tags, any"])
    members = one_by_one(CASES["two tags, any"])
    clients = set(Person.objects.filter(stage=Stage.CLIENT).values_list("pk", flat=True))
    listed = people_matching({"segment": segment.pk, "stage": Stage.CLIENT})
    assert set(listed.values_list("pk", flat=True)) == members & clients
    assert listed.count() == len(members & clients)
    assert list(people_matching({"segment": segment.pk + 100})) == []


def test_two_tags_under_any_are_one_subquery_on_the_tags(everyone):
    sql = str(Person.objects.filter(compile_rules(CASES["two tags, any"])).query)
    assert sql.count("contacts_persontag") == 1
