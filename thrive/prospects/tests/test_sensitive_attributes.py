"""Sensitive attributes (health, religion, ethnicity, … and any custom field the owner
marks) never reach the ideal-client profile, lead scoring or the partner portal."""

from __future__ import annotations

import numpy as np
import pytest
from django.test import Client
from django.utils import timezone

from thrive.analytics.refresh import run_refresh
from thrive.conftest import client_for
from thrive.contacts.models import CustomFieldDefinition, Person, RelationshipRole
from thrive.contacts.models.fields import special_category
from thrive.contacts.services import add_role
from thrive.prospects.clients import client_table
from thrive.prospects.leads import train_and_score
from thrive.prospects.models import IdealProfile, LeadModelStatus, LeadScore
from thrive.prospects.portal import issue_portal_link
from thrive.prospects.profile import compute_profile
from thrive.prospects.tests.test_customers import AS_OF, _business
from thrive.prospects.tests.test_leads import NOW, _history
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _field(key: str, label: str, choices: list[str], **kw) -> CustomFieldDefinition:
    return CustomFieldDefinition.objects.create(
        entity="person", key=key, label=label, field_type="choice", choices=choices, **kw
    )


@pytest.mark.parametrize(
    ("key", "label", "category"),
    [
        ("health_condition", "Health condition", "health"),
        ("faith", "Faith", "religion or belief"),
        ("religion", "Religion", "religion or belief"),
        ("ethnicity", "Ethnic background", "ethnicity or race"),
        ("race", "Race", "ethnicity or race"),
        ("orientation", "Sexual orientation", "sexual orientation or sex life"),
        ("politics", "Political views", "political opinion"),
        ("union_member", "Trade-union member", "trade-union membership"),
        ("access_needs", "Disability", "disability"),
        ("due_date", "Pregnancy due date", "pregnancy"),
        ("allergies", "Allergies", "health"),
        ("favourite_roast", "Favourite roast", ""),
        ("brew_method", "Brew method", ""),
        ("birthday", "Birthday", ""),
        ("grace_period", "Grace period", ""),  # "race" only at the start of a word
    ],
)
def test_special_categories_are_recognised_by_key_or_label(key, label, category):
    assert special_category(key, label) == category


def test_a_new_field_named_for_a_special_category_starts_sensitive_and_the_owner_may_untick_it():
    health = _field("health", "Health", ["Fine", "Not fine"])
    roast = _field("roast", "Roast", ["Light", "Dark"])
    assert health.sensitive and not roast.sensitive
    health.sensitive = False  # the owner says the name misleads
    health.save()
    health.refresh_from_db()
    assert not health.sensitive
    marked = _field("tier", "Tier", ["A", "B"], sensitive=True)
    assert marked.sensitive  # any field the owner marks


def _top_clients_marked(key: str) -> set[int]:
    """The top tenth of the profile's clients get value "A" in ``key``, the rest "B": a
    perfect predictor the profile would show at once."""
    table = client_table(as_of=AS_OF)
    order = np.argsort(-table.clv, kind="stable")[: int(np.ceil(table.size * 0.1))]
    top = {int(table.person_ids[i]) for i in order}
    for person in Person.objects.filter(pk__in=list(table.person_ids)):
        person.custom_fields = {**person.custom_fields, key: "A" if person.pk in top else "B"}
        person.save(update_fields=["custom_fields"])
    return top


def test_the_ideal_client_profile_never_uses_a_sensitive_field():
    _business()
    run_refresh(as_of=AS_OF)
    religion = _field("religion", "Religion", ["A", "B"])
    _field("roast", "Roast", ["A", "B"])
    _top_clients_marked("religion")
    _top_clients_marked("roast")
    attributes = client_table(as_of=AS_OF).attributes
    assert "roast" in attributes and "religion" not in attributes
    lifts = compute_profile(client_table(as_of=AS_OF), min_members=2)["lifts"]
    assert {r["attribute"] for r in lifts} >= {"roast"}
    assert "religion" not in {r["attribute"] for r in lifts}
    # The same field unmarked would be used: the exclusion is what keeps it out.
    religion.sensitive = False
    religion.save()
    assert "religion" in client_table(as_of=AS_OF).attributes


def _profile_with(attribute: str, value: str) -> None:
    """A profile computed before the owner marked ``attribute``'s field sensitive."""
    rows = [
        {"attribute": attribute, "value": value, "sentence": f"Clients whose {attribute} is "
         f"{value} are 4.0× as likely", "lift": 4.0, "clear": True, "members": 30,
         "top_members": 12, "low": 2.0, "high": 6.0},
        {"attribute": "acquisition channel", "value": "Partner café", "lift": 2.0,
         "sentence": "Clients whose acquisition channel is Partner café are 2.0× as likely",
         "clear": True, "members": 30, "top_members": 6, "low": 1.2, "high": 3.0},
    ]  # fmt: skip
    IdealProfile.objects.create(
        computed_at=timezone.now(), clients=300, top_clients=30,
        payload={"clients": 300, "top": 30, "base_rate": 0.1, "threshold": 500.0,
                 "lifts": rows, "highlights": rows, "reason": ""},
    )  # fmt: skip


def test_the_partner_portal_never_shows_a_sensitive_field_even_from_an_older_profile():
    _profile_with("ethnic background", "Group X")
    field = _field("background", "Ethnic background", ["Group X", "Group Y"])
    assert field.sensitive
    partner = PersonFactory(first_name="Maya")
    add_role(partner, RelationshipRole.REFERRAL_PARTNER, actor=None)
    client = Client()
    client.post("/partners/open/" + issue_portal_link(partner, actor=None).rsplit("/", 1)[1])
    html = client.get("/partners/").content.decode()
    assert "Partner café" in html
    assert "Group X" not in html and "ethnic background" not in html.lower()
    field.sensitive = False
    field.save()
    assert "Group X" in client.get("/partners/").content.decode()


def test_the_reach_page_hides_a_sensitive_field_of_an_older_profile(owner):
    _profile_with("health", "Diabetic")
    _field("health", "Health", ["Diabetic", "Not"])
    html = client_for(owner).get("/reach/").content.decode()
    assert "Partner café" in html and "Diabetic" not in html


def test_lead_scores_do_not_change_when_a_sensitive_field_flips():
    """A sensitive field equal to who became a client would be a perfect feature; the lead
    model must not see it, so flipping every value leaves every score as it was."""
    _history()
    _field("faith", "Faith", ["Yes", "No"])
    won = set(Person.objects.filter(stage="client").values_list("pk", flat=True))
    for person in Person.objects.all():
        person.custom_fields = {"faith": "Yes" if person.pk in won else "No"}
        person.save(update_fields=["custom_fields"])
    first = train_and_score(now=NOW)
    assert first.status == LeadModelStatus.READY, first.note
    before = dict(LeadScore.objects.values_list("person_id", "probability"))
    coefficients = {c["feature"] for c in first.metrics["coefficients"]}
    assert not any("faith" in name for name in coefficients)
    for person in Person.objects.all():
        person.custom_fields = {"faith": "No" if person.pk in won else "Yes"}
        person.save(update_fields=["custom_fields"])
    train_and_score(now=NOW)
    after = dict(LeadScore.objects.values_list("person_id", "probability"))
    assert before.keys() == after.keys()
    assert all(after[p] == pytest.approx(before[p], abs=1e-12) for p in before)


def test_the_demo_health_field_is_sensitive_and_filled_for_every_tenth_person_by_reason():
    from thrive.prospects.demo import SENSITIVE_CHOICES, SENSITIVE_KEY, _sensitive_field

    people = [PersonFactory() for _ in range(20)]
    _sensitive_field()
    _sensitive_field()  # idempotent
    field = CustomFieldDefinition.objects.get(key=SENSITIVE_KEY)
    assert field.sensitive and field.choices == SENSITIVE_CHOICES
    for person in people:
        person.refresh_from_db()
        slot = person.pk % 10
        expected = SENSITIVE_CHOICES[slot] if slot < 3 else None
        assert person.custom_fields.get(SENSITIVE_KEY) == expected
