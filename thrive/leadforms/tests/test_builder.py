"""The form builder: owners and members build forms without JSON or HTML; read-only
associates look and get 403 on every write; bad settings get a clear message."""

from __future__ import annotations

from typing import Any

import pytest

from thrive.conftest import client_for
from thrive.contacts.models import CustomFieldDefinition, CustomFieldType
from thrive.contacts.models.fields import CustomFieldEntity
from thrive.core.roles import Role

from ..models import LeadForm
from .conftest import CONSENT_WORDS, course, make_form

pytestmark = pytest.mark.django_db


def posted(rows: list[dict[str, Any]], **settings: Any) -> dict[str, Any]:
    data = {"name": "Wholesale enquiry", "slug": "wholesale", "button_label": "Send",
            "thank_you_text": "We will call you within a day.", "is_active": "on",
            "fields-TOTAL_FORMS": str(len(rows)), "fields-INITIAL_FORMS": "0",
            "fields-MIN_NUM_FORMS": "0", "fields-MAX_NUM_FORMS": "40", **settings}  # fmt: skip
    for number, row in enumerate(rows):
        for key, value in row.items():
            data[f"fields-{number}-{key}"] = value
    return data


ROWS = [
    {"target": "first_name", "label": "Your name", "required": "on"},
    {"target": "email", "label": "Work email"},
    {"target": "custom:cafe", "label": "Your café", "help_text": "So we know who you are."},
    {"target": "", "label": ""},
]


@pytest.fixture
def cafe_field(db):
    return CustomFieldDefinition.objects.create(
        entity=CustomFieldEntity.PERSON, key="cafe", label="Café", field_type=CustomFieldType.TEXT
    )


@pytest.mark.parametrize("role", [Role.OWNER, Role.MEMBER])
def test_owners_and_members_build_a_form_from_the_field_list(role, cafe_field):
    from thrive.testing.factories import AssociateFactory

    tom = AssociateFactory(username="tom", first_name="Tom")
    sequence = course("Wholesale follow-up", purpose="transactional")
    client = client_for(AssociateFactory(username=f"b-{role}", role=role))
    page = client.get("/forms/new/")
    assert page.status_code == 200
    assert b"Favourite" not in page.content and "Café (custom field)" in page.content.decode()
    response = client.post("/forms/new/", posted(
        ROWS, tags="wholesale, lead", notify=str(tom.pk), sequence=str(sequence.pk),
        consent_phone_calls="You may call me about wholesale prices.",
        redirect_url="https://kettleandcrow.example/thanks",
    ))  # fmt: skip
    form = LeadForm.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/forms/{form.pk}/"
    assert [(f.target, f.label, f.required) for f in form.fields.all()] == [
        ("first_name", "Your name", True), ("email", "Work email", True),
        ("custom:cafe", "Your café", False),
    ]  # fmt: skip
    assert form.consent_texts == {"phone_calls": "You may call me about wholesale prices."}
    assert (form.tag_list, form.notify, form.sequence) == (["wholesale", "lead"], tom, sequence)
    detail = client.get(f"/forms/{form.pk}/").content.decode()
    assert '&lt;iframe src="http://testserver/f/wholesale/?embed=1"' in detail


def test_editing_replaces_the_fields(owner):
    form = make_form()
    client = client_for(owner)
    page = client.get(f"/forms/{form.pk}/edit/").content.decode()
    assert 'value="First name"' in page
    client.post(f"/forms/{form.pk}/edit/", posted(
        [{"target": "email", "label": "Email"}, {"target": "city", "label": "Town"}],
        name="Brew course", slug="brew-course",
    ))  # fmt: skip
    assert [f.target for f in form.fields.all()] == ["email", "city"]


def test_a_read_only_associate_looks_but_cannot_build(read_only):
    form = make_form()
    client = client_for(read_only)
    assert client.get("/forms/").status_code == 200
    assert client.get(f"/forms/{form.pk}/").status_code == 200
    assert b"New form" not in client.get("/forms/").content
    assert client.get("/forms/new/").status_code == 403
    assert client.post("/forms/new/", posted(ROWS[:2])).status_code == 403
    edit = client.post(f"/forms/{form.pk}/edit/", posted(ROWS[:2], name="Hacked"))
    assert edit.status_code == 403
    assert LeadForm.objects.get().name == "Brew course"


@pytest.mark.parametrize(("rows", "chosen", "message"), [
    ([{"target": "first_name", "label": "Name"}], {}, "Add the Email field"),
    ([{"target": "email"}, {"target": "email"}], {}, "“Email” is already on the form"),
    (ROWS[1:2], {"redirect_url": "javascript:alert(1)"}, "starting with http:// or https://"),
    (ROWS[1:2], {"slug": "not a slug"}, "Enter a valid"),
    (ROWS[1:2], {"tags": "x" * 70}, "at most 60 characters"),
    (ROWS[1:2], {"sequence": "MARKETING"}, "write the words of that consent box"),
])  # fmt: skip
def test_bad_settings_are_named_and_nothing_is_saved(owner, rows, chosen, message):
    if chosen.get("sequence") == "MARKETING":
        chosen = {**chosen, "sequence": str(course().pk)}
    response = client_for(owner).post("/forms/new/", posted(rows, **chosen))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not LeadForm.objects.exists()


def test_a_marketing_sequence_is_accepted_with_its_consent_words(owner):
    sequence = course()
    response = client_for(owner).post("/forms/new/", posted(
        ROWS[1:2], sequence=str(sequence.pk), consent_email_marketing=CONSENT_WORDS
    ))  # fmt: skip
    assert response.status_code == 302
    assert LeadForm.objects.get().asks_marketing


def test_forms_sit_in_the_navigation_next_to_outreach(owner):
    html = client_for(owner).get("/outreach/").content.decode()
    assert 'href="/forms/"' in html
