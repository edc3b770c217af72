"""The person page names custom fields by their labels, never by their keys."""

from __future__ import annotations

import pytest

from thrive.conftest import client_for
from thrive.contacts.models import CustomFieldDefinition, CustomFieldEntity, Person
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_custom_fields_show_their_labels(read_only):
    CustomFieldDefinition.objects.create(
        entity=CustomFieldEntity.PERSON, key="brew_method", label="How they brew",
        field_type="text",
    )  # fmt: skip
    person = PersonFactory()
    Person.objects.filter(pk=person.pk).update(
        custom_fields={"brew_method": "V60", "old_import_key": "x"}
    )
    body = client_for(read_only).get(f"/people/{person.pk}/").content.decode()
    assert "How they brew" in body and "brew_method" not in body and "Brew method" not in body
    assert "Old import key" in body and "old_import_key" not in body
