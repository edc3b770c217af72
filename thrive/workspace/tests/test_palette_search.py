"""The command palette's search: people by name or email, records by name, pages by name;
limited per kind, GET only, signed-in only, and no page a role cannot open."""

from __future__ import annotations

import pytest

from thrive.conftest import client_for
from thrive.segments.models import Segment
from thrive.testing.factories import OrganizationFactory, PersonFactory
from thrive.workspace.queries import PER_KIND

pytestmark = pytest.mark.django_db


def search(user, q: str) -> list[dict]:
    response = client_for(user).get("/search/palette", {"q": q})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    return response.json()["results"]


def test_a_full_name_finds_the_person_and_links_to_their_page(persona):
    ann = PersonFactory(first_name="Ann", last_name="Lee", email="ann@bluedoor.example")
    PersonFactory(first_name="Ann", last_name="Other", email="ann.o@example.com")
    hits = [h for h in search(persona, "ann lee") if h["kind"] == "Person"]
    assert hits == [{"kind": "Person", "label": "Ann Lee", "detail": "ann@bluedoor.example",
                     "url": f"/people/{ann.pk}/"}]  # fmt: skip
    by_email = [h["url"] for h in search(persona, "bluedoor") if h["kind"] == "Person"]
    assert by_email == [f"/people/{ann.pk}/"]


def test_organizations_segments_and_pages_are_found_by_name(member):
    cafe = OrganizationFactory(name="Blue Door Café")
    segment = Segment.objects.create(name="Blue ribbon buyers", rules={"all": []})
    kinds = {(h["kind"], h["label"], h["url"]) for h in search(member, "blue")}
    assert ("Organization", "Blue Door Café", f"/organizations/{cafe.pk}/") in kinds
    assert ("Segment", "Blue ribbon buyers", f"/segments/{segment.pk}/") in kinds
    pages = [h for h in search(member, "imports") if h["kind"] == "Page"]
    assert pages[0]["label"] == "Imports" and pages[0]["url"] == "/imports/"


def test_each_kind_is_limited(member):
    for i in range(PER_KIND + 4):
        PersonFactory(first_name="Guest", last_name=f"Visitor{i}", email=f"g{i}@example.com")
    people = [h for h in search(member, "guest") if h["kind"] == "Person"]
    assert len(people) == PER_KIND


def test_pages_a_role_cannot_open_are_left_out(owner, read_only):
    assert any(h["url"] == "/settings/" for h in search(owner, "settings"))
    assert not any(h["url"] == "/settings/" for h in search(read_only, "settings"))
    assert not any(h["label"] == "New segment" for h in search(read_only, "new segment"))
    assert any(h["label"] == "New segment" for h in search(owner, "new segment"))


def test_an_empty_or_blank_query_finds_nothing(member):
    assert search(member, "") == []
    assert search(member, "   ") == []


def test_it_needs_a_signed_in_associate_and_only_reads(client, member):
    response = client.get("/search/palette", {"q": "ann"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client_for(member).post("/search/palette", {"q": "ann"}).status_code == 405
