"""The people pages: search, filters, bulk actions, export, the 360° page, editing, logging."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from thrive.conftest import client_for
from thrive.contacts import services
from thrive.contacts.models import Activity, Person, StageChange
from thrive.testing.factories import OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(member):
    cafe = OrganizationFactory(name="Blue Door Café")
    ann = PersonFactory(
        first_name="Ann", last_name="Lee", email="ann@bluedoor.example", organization=cafe
    )
    bob = PersonFactory(
        first_name="Bob", last_name="Stone", email="bob@example.com", stage="client"
    )
    cyd = PersonFactory(
        first_name="Cyd", last_name="Moss", email="cyd@example.com", stage="prospect"
    )
    services.add_tag(bob, "wholesale", actor=member)
    return ann, bob, cyd


def names(response) -> list[str]:
    return [p.first_name for p in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Ann", "Cyd", "Bob"]),
        ("q=ann", ["Ann"]),
        ("q=blue+door", ["Ann"]),
        ("q=WHOLESALE", ["Bob"]),
        ("q=example.com", ["Cyd", "Bob"]),
        ("stage=prospect", ["Cyd"]),
        ("tag=wholesale", ["Bob"]),
        ("q=nobody", []),
    ],
)
def test_people_list_searches_and_filters(read_only, people, query, expected):
    response = client_for(read_only).get(f"/people/?{query}")
    assert response.status_code == 200
    assert names(response) == expected


def test_an_empty_search_explains_itself(read_only, people):
    response = client_for(read_only).get("/people/?q=zzz")
    assert b"Nobody matches these filters" in response.content


def test_bad_filter_values_are_reported_not_a_server_error(read_only, people):
    response = client_for(read_only).get("/people/?clv_min=abc&stage=martian&page=-3")
    assert response.status_code == 200
    assert b"clv_min" in response.content


def test_people_list_query_count_does_not_grow_with_rows(read_only, member):
    client = client_for(read_only)
    for i in range(3):
        person = PersonFactory(email=f"few{i}@example.com")
        services.add_tag(person, "a", actor=member)
    with CaptureQueriesContext(connection) as few:
        client.get("/people/")
    for i in range(30):
        person = PersonFactory(email=f"many{i}@example.com", organization=OrganizationFactory())
        services.add_tag(person, f"t{i}", actor=member)
    with CaptureQueriesContext(connection) as many:
        client.get("/people/")
    assert len(many) == len(few)


def test_bulk_tag_and_stage_change_write_history(member, people):
    ann, bob, cyd = people
    client = client_for(member)
    response = client.post(
        "/people/bulk", {"ids": [ann.pk, cyd.pk], "action": "stage", "stage": "client"}
    )
    assert response.status_code == 302
    assert set(Person.objects.filter(stage="client").values_list("first_name", flat=True)) == {
        "Ann", "Bob", "Cyd",
    }  # fmt: skip
    assert StageChange.objects.filter(person=cyd, to_stage="client", actor=member).exists()
    client.post("/people/bulk", {"ids": [ann.pk], "action": "tag", "tag": "vip"})
    assert ann.tags.filter(name="vip").exists()


def test_bulk_action_without_a_tag_name_changes_nothing(member, people):
    ann, *_ = people
    client_for(member).post("/people/bulk", {"ids": [ann.pk], "action": "tag", "tag": ""})
    assert not ann.tags.exists()


def test_read_only_cannot_use_bulk_actions(read_only, people):
    ann, *_ = people
    response = client_for(read_only).post(
        "/people/bulk", {"ids": [ann.pk], "action": "stage", "stage": "lost"}
    )
    assert response.status_code == 403
    ann.refresh_from_db()
    assert ann.stage == "suspect"


def test_export_streams_the_filtered_list_as_csv(read_only, people):
    response = client_for(read_only).get("/people/export.csv?stage=client")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["id", "first_name", "last_name", "email"]
    assert [r[1] for r in rows[1:]] == ["Bob"]


def test_person_page_shows_profile_timeline_and_stage_history(read_only, people, member):
    ann, *_ = people
    services.log_interaction(
        ann, "call", actor=member, subject="Tasting booked", duration_minutes=15
    )
    response = client_for(read_only).get(f"/people/{ann.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Tasting booked" in body and "Blue Door Café" in body and "Stage history" in body
    assert "Log a touchpoint" not in body  # read-only: no edit controls
    assert f'href="/people/{ann.pk}/edit/"' not in body


def test_logging_a_call_in_two_clicks_puts_it_on_the_timeline(member, people):
    ann, *_ = people
    client = client_for(member)
    page = client.get(f"/people/{ann.pk}/")
    assert b"Log a touchpoint" in page.content
    response = client.post(
        f"/people/{ann.pk}/log",
        {"kind": "call", "subject": "Asked about decaf", "duration_minutes": "10"},
    )
    assert response.status_code == 302
    call = Activity.objects.get(person=ann, kind="call")
    assert (call.subject, call.duration_minutes, call.associate) == (
        "Asked about decaf",
        10,
        member,
    )


def test_read_only_cannot_log_or_edit(read_only, people):
    ann, *_ = people
    client = client_for(read_only)
    assert client.post(f"/people/{ann.pk}/log", {"kind": "note", "body": "x"}).status_code == 403
    assert client.post(f"/people/{ann.pk}/edit/", {"first_name": "X"}).status_code == 403
    assert not Activity.objects.filter(person=ann, kind="note").exists()


def test_editing_shows_field_level_messages_and_saves_nothing_bad(member, people):
    ann, *_ = people
    client = client_for(member)
    response = client.post(
        f"/people/{ann.pk}/edit/", {"first_name": "Ann", "email": "not-an-email", "phone": "12"}
    )
    errors = response.context["form"].errors
    assert "email" in errors and "phone" in errors
    ann.refresh_from_db()
    assert ann.email == "ann@bluedoor.example"


def test_editing_saves_valid_changes(member, people):
    ann, *_ = people
    response = client_for(member).post(
        f"/people/{ann.pk}/edit/",
        {"first_name": "Annie", "last_name": "Lee", "email": "ANNIE@bluedoor.example",
         "phone": "(415) 555-0123", "time_zone": "America/Los_Angeles"},
    )  # fmt: skip
    assert response.status_code == 302
    ann.refresh_from_db()
    assert (ann.first_name, ann.email, ann.phone) == (
        "Annie",
        "annie@bluedoor.example",
        "+14155550123",
    )


def test_missing_person_is_a_404(read_only):
    assert client_for(read_only).get("/people/999999/").status_code == 404


def test_organization_pages(read_only, people):
    ann, *_ = people
    client = client_for(read_only)
    listing = client.get("/organizations/?q=blue")
    assert [o.name for o in listing.context["page"].object_list] == ["Blue Door Café"]
    detail = client.get(f"/organizations/{ann.organization_id}/")
    assert b"Ann Lee" in detail.content
