"""Adding a person and adding or editing an organization outside the admin."""

from __future__ import annotations

import pytest

from thrive.conftest import client_for
from thrive.contacts.models import Organization, Person
from thrive.testing.factories import OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def person_post(**overrides):
    data = {"first_name": "Sadie", "last_name": "Acosta", "email": "sadie@example.com",
            "phone": "", "organization": "", "job_title": "", "acquisition_channel": "",
            "acquisition_source": "", "time_zone": "", "country": "", "region": "",
            "city": "", "custom_fields": ""}  # fmt: skip
    data.update(overrides)
    return data


def test_a_person_added_in_the_workspace_opens_on_their_page(member):
    response = client_for(member).post("/people/new/", person_post(phone="(415) 555-0123"))
    person = Person.objects.get(email="sadie@example.com")
    assert response.status_code == 302 and response["Location"] == f"/people/{person.pk}/"
    assert person.phone == "+14155550123"
    assert person.stage_history.count() == 1


def test_the_same_email_links_to_the_person_already_there(member):
    existing = PersonFactory(first_name="Sadie", last_name="Acosta", email="sadie@example.com")
    response = client_for(member).post("/people/new/", person_post(email=" Sadie@Example.COM "))
    assert response.status_code == 400
    page = response.content.decode()
    assert "already in Thrive with this email address" in page
    assert f'href="/people/{existing.pk}/"' in page
    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"phone": "12"}, "is not a valid phone number"),
        ({"first_name": "", "last_name": "", "email": ""}, "Give at least a name or an email"),
        ({"country": "USA"}, "is not a country we know"),
        ({"time_zone": "Mars/Olympus"}, "is not a time zone we know"),
    ],
)
def test_bad_person_input_is_named_and_nothing_is_saved(member, overrides, message):
    response = client_for(member).post("/people/new/", person_post(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Person.objects.exists()


def test_read_only_associates_cannot_add_people_or_organizations(read_only):
    client = client_for(read_only)
    assert client.get("/people/new/").status_code == 403
    assert client.post("/people/new/", person_post()).status_code == 403
    assert client.post("/organizations/new/", {"name": "X"}).status_code == 403
    assert not Person.objects.exists() and not Organization.objects.exists()


def test_an_organization_is_added_and_edited(member):
    client = client_for(member)
    response = client.post(
        "/organizations/new/", {"name": " Blue Door Café ", "employees": "12", "country": "US"}
    )
    org = Organization.objects.get()
    assert response["Location"] == f"/organizations/{org.pk}/"
    assert org.name == "Blue Door Café"
    client.post(f"/organizations/{org.pk}/edit/", {"name": "Blue Door", "employees": "14"})
    org.refresh_from_db()
    assert (org.name, org.employees) == ("Blue Door", 14)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "X", "employees": "-3"}, "Ensure this value is greater than or equal to 0."),
        ({"name": "X", "website": "not a url"}, "Enter a valid URL."),
    ],
)
def test_bad_organization_input_is_named(member, data, message):
    org = OrganizationFactory(name="Kept")
    response = client_for(member).post(f"/organizations/{org.pk}/edit/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    org.refresh_from_db()
    assert org.name == "Kept"


def test_the_people_and_organization_pages_offer_the_buttons(member, read_only):
    org = OrganizationFactory()
    page = client_for(member).get("/people/").content.decode()
    assert 'href="/people/new/"' in page
    org_page = client_for(member).get(f"/organizations/{org.pk}/").content.decode()
    assert f"/organizations/{org.pk}/edit/" in org_page
    assert f"/deals/new/?organization={org.pk}" in org_page
    assert 'href="/people/new/"' not in client_for(read_only).get("/people/").content.decode()
