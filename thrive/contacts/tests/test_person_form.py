"""The person edit form an owner can use: one typed input per defined custom field (no
JSON box), a time zone and a country chosen from lists and checked again on the server,
and phone help in plain words."""

from __future__ import annotations

import pytest

from thrive.conftest import client_for
from thrive.contacts.forms import PersonForm
from thrive.contacts.models import CustomFieldDefinition, CustomFieldEntity, CustomFieldType
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def definitions():
    make = CustomFieldDefinition.objects.create
    return [
        make(entity=CustomFieldEntity.PERSON, key="favourite_roast", label="Favourite roast",
             field_type=CustomFieldType.CHOICE, choices=["light", "dark"]),
        make(entity=CustomFieldEntity.PERSON, key="cups_a_day", label="Cups a day",
             field_type=CustomFieldType.NUMBER),
        make(entity=CustomFieldEntity.PERSON, key="birthday", label="Birthday",
             field_type=CustomFieldType.DATE),
        make(entity=CustomFieldEntity.PERSON, key="nickname", label="Nickname",
             field_type=CustomFieldType.TEXT),
    ]  # fmt: skip


def _post(person, **extra: str) -> dict[str, str]:
    data = {"first_name": person.first_name, "last_name": person.last_name,
            "email": person.email, "time_zone": "", "country": ""}  # fmt: skip
    data.update(extra)
    return data


def test_each_defined_custom_field_is_its_own_typed_input(member, definitions):
    person = PersonFactory(custom_fields={"favourite_roast": "dark", "cups_a_day": 3})
    page = client_for(member).get(f"/people/{person.pk}/edit/").content.decode()
    assert 'name="custom_fields"' not in page and "JSON" not in page
    assert '<select name="custom__favourite_roast"' in page
    assert '<option value="dark" selected>dark</option>' in page
    assert 'type="number" name="custom__cups_a_day"' in page and 'value="3"' in page
    assert 'type="date" name="custom__birthday"' in page
    assert 'type="text" name="custom__nickname"' in page


def test_typed_custom_fields_are_saved_as_the_same_mapping(member, definitions):
    person = PersonFactory(custom_fields={"nickname": "Bee"})
    response = client_for(member).post(f"/people/{person.pk}/edit/", _post(person, **{
        "custom__favourite_roast": "light", "custom__cups_a_day": "2.5",
        "custom__birthday": "1990-04-01", "custom__nickname": "",
    }))  # fmt: skip
    assert response.status_code == 302
    person.refresh_from_db()
    # Typed by the definitions; the emptied nickname is removed.
    assert person.custom_fields == {
        "favourite_roast": "light",
        "cups_a_day": "2.5",
        "birthday": "1990-04-01",
    }


def test_a_bad_custom_value_is_an_error_on_its_own_input(member, definitions):
    person = PersonFactory(custom_fields={})
    response = client_for(member).post(
        f"/people/{person.pk}/edit/", _post(person, custom__cups_a_day="lots")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "custom__cups_a_day" in errors and "not a number" in str(errors["custom__cups_a_day"])
    person.refresh_from_db()
    assert person.custom_fields == {}


def test_without_definitions_the_form_says_how_to_add_them(member):
    person = PersonFactory()
    page = client_for(member).get(f"/people/{person.pk}/edit/").content.decode()
    assert "No custom fields are defined yet" in page and "custom__" not in page


def test_time_zone_is_a_grouped_list_with_the_business_zone_first(settings, member):
    settings.THRIVE_TIME_ZONE = "America/Los_Angeles"
    person = PersonFactory()
    form = PersonForm(instance=person)
    choices = form.fields["time_zone"].widget.choices
    assert choices[1] == ("Your business's zone", [("America/Los_Angeles", "America/Los Angeles")])
    regions = [group for group, _ in choices[2:]]
    assert "Europe" in regions and "America" in regions
    page = client_for(member).get(f"/people/{person.pk}/edit/").content.decode()
    assert '<optgroup label="Europe">' in page and '<option value="Europe/London">London' in page


def test_an_unknown_time_zone_or_country_is_refused_with_a_clear_message(member):
    person = PersonFactory(time_zone="", country="")
    response = client_for(member).post(
        f"/people/{person.pk}/edit/", _post(person, time_zone="Mars/Olympus", country="ZZ")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "“Mars/Olympus” is not a time zone we know" in errors["time_zone"][0]
    assert "“ZZ” is not a country we know" in errors["country"][0]
    person.refresh_from_db()
    assert (person.time_zone, person.country) == ("", "")


def test_country_is_chosen_by_name_and_stored_as_its_code(member):
    person = PersonFactory(country="")
    client = client_for(member)
    page = client.get(f"/people/{person.pk}/edit/").content.decode()
    assert '<option value="GB">United Kingdom</option>' in page
    assert "ISO 3166" not in page and "E.164" not in page
    assert "We keep it in international form, e.g. +1 503 555 0100." in page
    response = client.post(
        f"/people/{person.pk}/edit/", _post(person, country="gb", time_zone="Europe/London")
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.country, person.time_zone) == ("GB", "Europe/London")
