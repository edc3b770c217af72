"""Pagination, segment filters, idempotency, errors, rate limits and the domain writes."""

from __future__ import annotations

import hashlib
import json

import pytest

from thrive.api.models import IdempotencyRecord
from thrive.commerce.models import Order
from thrive.contacts.models import Person, Stage
from thrive.segments.services import create_segment
from thrive.testing.factories import PersonFactory

from .conftest import ApiClient

pytestmark = pytest.mark.django_db

CLIENTS = {"match": "all", "rules": [{"field": "stage", "op": "in", "value": ["client"]}]}


def test_pages_cover_every_person_once_across_many_pages(owner_api):
    ids = {PersonFactory().pk for _ in range(23)}
    seen: list[int] = []
    response = owner_api.get("/people", limit=5)
    pages = 0
    while True:
        assert response.status_code == 200
        data = response.json()
        seen += [p["id"] for p in data["items"]]
        pages += 1
        if not data["next"]:
            break
        response = owner_api.client.get(data["next"], headers=owner_api.headers)
    assert pages == 5
    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == ids


def test_a_person_added_between_pages_is_not_missed_nor_repeated(owner_api):
    for _ in range(4):
        PersonFactory()
    first = owner_api.get("/people", limit=2).json()
    late = PersonFactory()
    rest = []
    url = first["next"]
    while url:
        page = owner_api.client.get(url, headers=owner_api.headers).json()
        rest += [p["id"] for p in page["items"]]
        url = page["next"]
    ids = [p["id"] for p in first["items"]] + rest
    assert sorted(ids) == sorted(Person.objects.values_list("pk", flat=True))
    assert late.pk in rest


def test_a_forged_cursor_and_a_too_large_limit_are_named(owner_api):
    bad = owner_api.get("/people", cursor="abc")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "cursor"
    big = owner_api.get("/people", limit=201)
    assert big.status_code == 422
    assert big.json()["errors"][0]["field"] == "limit"


def test_people_filter_by_segment_and_by_rules(owner, owner_api):
    clients = {PersonFactory(stage=Stage.CLIENT).pk for _ in range(3)}
    PersonFactory(stage=Stage.PROSPECT)
    segment = create_segment(actor=owner, name="Clients", rules=CLIENTS)
    by_segment = owner_api.get("/people", segment=segment.pk).json()["items"]
    by_rules = owner_api.get("/people", rules=json.dumps(CLIENTS)).json()["items"]
    members = owner_api.get(f"/segments/{segment.pk}/members").json()["items"]
    assert {p["id"] for p in by_segment} == clients
    assert {p["id"] for p in by_rules} == clients
    assert {p["id"] for p in members} == clients
    broken = owner_api.get("/people", rules='{"match": "all", "rules": [{"field": "nope"}]}')
    assert broken.status_code == 422
    assert broken.json()["errors"][0]["field"] == "rules"
    assert owner_api.get("/people", rules="{not json").status_code == 422


def test_the_same_idempotency_key_gives_the_same_answer_once(owner_api):
    body = {"first_name": "Ivy", "email": "ivy@example.org"}
    first = owner_api.post("/people", body, **{"Idempotency-Key": "k-1"})
    again = owner_api.post("/people", body, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Person.objects.filter(email="ivy@example.org").count() == 1
    other = owner_api.post("/people", {**body, "first_name": "Ivo"}, **{"Idempotency-Key": "k-1"})
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    # Without a key the duplicate email is refused by the service, naming the field.
    dup = owner_api.post("/people", body)
    assert dup.status_code == 422
    assert dup.json()["errors"][0]["field"] == "email"
    assert IdempotencyRecord.objects.count() == 1


def test_idempotency_keys_are_per_caller(owner, member):
    from .conftest import token

    body = {"name": "Same Co"}
    a = ApiClient(token(owner)).post("/organizations", body, **{"Idempotency-Key": "same"})
    b = ApiClient(token(member)).post("/organizations", body, **{"Idempotency-Key": "same"})
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


def test_validation_errors_name_the_field(owner_api):
    person = PersonFactory()
    response = owner_api.post(
        "/orders",
        {"person_id": person.pk, "number": "B-1",
         "lines": [{"quantity": 1, "unit_price": "1.999"}]},
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json() == {
        "errors": [
            {"field": "lines[1].unit_price", "reason": "'1.999' has more than 2 decimal places."}
        ]
    }
    missing = owner_api.post("/orders", {"number": "B-2"})
    fields = {e["field"] for e in missing.json()["errors"]}
    assert fields == {"person_id", "lines"}


def test_an_order_by_api_makes_a_client_and_can_be_refunded(owner_api):
    person = PersonFactory(stage=Stage.PROSPECT)
    created = owner_api.post(
        "/orders",
        {"person_id": person.pk, "number": "C-1",
         "lines": [{"quantity": 2, "unit_price": "12.50", "discount": "1.00"}]},
    )  # fmt: skip
    assert created.status_code == 201, created.content
    assert created.json()["total"] == "24.00"
    person.refresh_from_db()
    assert person.stage == Stage.CLIENT
    order_id = created.json()["id"]
    refund = owner_api.post(f"/orders/{order_id}/refunds", {"amount": "4.00"})
    assert refund.status_code == 201
    assert refund.json()["status"] == "partially_refunded"
    too_much = owner_api.post(f"/orders/{order_id}/refunds", {"amount": "30.00"})
    assert too_much.status_code == 422
    assert Order.objects.get().source == "api"


def test_stage_changes_by_api_are_recorded_with_the_actor(owner, owner_api):
    person = PersonFactory(stage=Stage.PROSPECT)
    response = owner_api.send("PATCH", f"/people/{person.pk}", {"stage": "client"})
    assert response.status_code == 200
    change = person.stage_history.order_by("-pk").first()
    assert (change.to_stage, change.actor) == (Stage.CLIENT, owner)


def test_over_the_rate_limit_the_api_answers_429_with_retry_after(owner_api, settings):
    settings.THRIVE_API_RATE_PER_MINUTE = 3
    codes = [owner_api.get("/people").status_code for _ in range(4)]
    assert codes[:3] == [200, 200, 200]
    assert codes[3] == 429
    response = owner_api.get("/people")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["errors"][0]["reason"].startswith("More than 3 requests")


def test_unknown_records_answer_404_with_the_error_body(owner_api):
    response = owner_api.get("/people/999999")
    assert response.status_code == 404
    assert response.json() == {"errors": [{"field": None, "reason": "Not found."}]}


def test_deleting_a_segment_used_by_a_campaign_is_a_conflict_not_a_crash(owner, owner_api):
    from thrive.outreach.models import Campaign

    segment = create_segment(actor=owner, name="Used", rules=CLIENTS)
    Campaign.objects.create(name="Spring", segment=segment)
    response = owner_api.send("DELETE", f"/segments/{segment.pk}")
    assert response.status_code == 409


def test_a_page_costs_the_same_queries_whatever_its_size(owner, owner_api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from thrive.contacts.services import add_tag

    for _ in range(30):
        add_tag(PersonFactory(), "wholesale", actor=owner)
    owner_api.get("/people", limit=1)  # the rate window for this minute exists now
    counts = []
    for limit in (5, 30):
        with CaptureQueriesContext(connection) as queries:
            assert len(owner_api.get("/people", limit=limit).json()["items"]) == limit
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 7


def test_a_key_whose_request_died_midway_is_refused_then_freed(owner_api):
    import datetime as dt

    from django.utils import timezone

    from thrive.api.models import ApiToken

    owner_key = f"token:{ApiToken.objects.get().pk}"
    body = {"name": "Crashed Co"}
    digest = hashlib.sha256(b"POST /api/v1/organizations\n" + json.dumps(body).encode())
    record = IdempotencyRecord.objects.create(
        owner=owner_key, key="k-9", request_hash=digest.hexdigest()
    )
    running = owner_api.post("/organizations", body, **{"Idempotency-Key": "k-9"})
    assert running.status_code == 409  # the same request is (said to be) still running
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=3)
    )
    assert owner_api.post("/organizations", body, **{"Idempotency-Key": "k-9"}).status_code == 201
