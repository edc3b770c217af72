"""Bad input gets a clear message naming the field; nothing is dropped, truncated or coerced."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from thrive.contacts import services
from thrive.contacts.identity import normalize_email, normalize_phone
from thrive.contacts.models import CustomFieldDefinition, CustomFieldType, Person

pytestmark = pytest.mark.django_db


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


@pytest.fixture
def fields():
    CustomFieldDefinition.objects.create(
        entity="person", key="favourite_roast", label="Favourite roast",
        field_type=CustomFieldType.CHOICE, choices=["light", "medium", "dark"],
    )  # fmt: skip
    CustomFieldDefinition.objects.create(
        entity="person", key="cups_per_day", label="Cups per day", field_type=CustomFieldType.NUMBER
    )
    CustomFieldDefinition.objects.create(
        entity="person", key="birthday", label="Birthday", field_type=CustomFieldType.DATE
    )
    CustomFieldDefinition.objects.create(
        entity="person", key="notes", label="Notes", field_type=CustomFieldType.TEXT
    )


def test_emails_are_trimmed_and_lower_cased():
    assert normalize_email("  Maya@Example.COM ") == "maya@example.com"
    assert normalize_email("   ") is None


@pytest.mark.parametrize("bad", ["maya", "maya@", "@example.com", "maya@@example.com", "a b@c.com"])
def test_invalid_emails_are_refused_naming_the_field(bad):
    assert "email" in errors_of(lambda: normalize_email(bad))


def test_phones_are_stored_in_e164_and_nonsense_is_refused():
    assert normalize_phone("(415) 555-0123", region="US") == "+14155550123"
    assert normalize_phone("+44 20 7946 0958") == "+442079460958"
    assert "phone" in errors_of(lambda: normalize_phone("12", region="US"))
    assert "phone" in errors_of(lambda: normalize_phone("call me maybe", region="US"))


def test_the_same_email_in_another_case_is_a_duplicate(member):
    services.create_person(actor=member, email="ann@example.com")
    messages = errors_of(lambda: services.create_person(actor=member, email="ANN@example.com"))
    assert "email" in messages
    assert Person.objects.count() == 1


def test_create_person_reports_every_bad_field_at_once(member, fields):
    messages = errors_of(
        lambda: services.create_person(
            actor=member,
            email="nope",
            phone="12",
            time_zone="Mars/Olympus",
            custom_fields={"favourite_roast": "burnt"},
        )  # fmt: skip
    )
    assert {"email", "phone", "time_zone", "custom_fields.favourite_roast"} <= set(messages)
    assert "burnt" in messages["custom_fields.favourite_roast"][0]
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("key", "raw", "stored"),
    [
        ("favourite_roast", "dark", "dark"),
        ("cups_per_day", "3", 3),
        ("cups_per_day", "2.5", "2.5"),
        ("birthday", "1990-02-28", "1990-02-28"),
        ("notes", "likes oat milk", "likes oat milk"),
    ],
)
def test_valid_custom_field_values_are_stored_exactly(member, fields, key, raw, stored):
    person = services.create_person(actor=member, email="c@example.com", custom_fields={key: raw})
    assert Person.objects.get(pk=person.pk).custom_fields == {key: stored}


@pytest.mark.parametrize(
    ("key", "raw", "fragment"),
    [
        ("cups_per_day", "three", "not a number"),
        ("cups_per_day", "NaN", "not a finite number"),
        ("cups_per_day", True, "must be a number"),
        ("birthday", "28/02/1990", "not a date"),
        ("birthday", "1990-02-30", "not a date"),
        ("notes", 42, "must be text"),
        ("notes", "x" * 1001, "longer than 1000"),
        ("favourite_roast", "Dark", "not one of"),
        ("no_such_field", "x", "no custom field"),
    ],
)
def test_invalid_custom_field_values_are_refused_naming_the_field(
    member, fields, key, raw, fragment
):
    messages = errors_of(
        lambda: services.create_person(
            actor=member, email="c@example.com", custom_fields={key: raw}
        )
    )
    assert fragment in messages[f"custom_fields.{key}"][0]


def test_required_custom_fields_must_be_given(member):
    CustomFieldDefinition.objects.create(
        entity="person", key="size", label="Team size", field_type="number", required=True
    )
    messages = errors_of(lambda: services.create_person(actor=member, email="r@example.com"))
    assert messages["custom_fields.size"] == ["Team size is required."]


def test_a_choice_field_without_choices_is_refused():
    definition = CustomFieldDefinition(
        entity="person", key="roast", label="Roast", field_type="choice", choices=[]
    )
    assert "choices" in errors_of(definition.full_clean)


def test_unknown_person_fields_are_refused_not_ignored(member):
    assert "favourite" in errors_of(lambda: services.create_person(actor=member, favourite="x"))
