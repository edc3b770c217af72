"""The workspace pages timed by bench/workspace make as many queries with many rows to
show as with few: searching and filtering the people list, organizations, a person's
360° page, the ecosystem map and a segment's page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from thrive.commerce.models import Subscription
from thrive.conftest import client_for
from thrive.contacts import services
from thrive.contacts.models import ActivityKind, Person, RelationshipRole
from thrive.segments.models import Segment
from thrive.segments.services import create_segment
from thrive.testing.factories import (
    OrderFactory,
    OrderLineFactory,
    OrganizationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def customers(count: int, member, *, start: int = 0) -> list[Person]:
    """Tagged VIP clients, each at a company of their own with an order of two lines."""
    made = []
    for i in range(start, start + count):
        person = PersonFactory(
            first_name=f"Rowan{i}", last_name="Quill", stage="client",
            organization=OrganizationFactory(name=f"Quill Roasters {i}"),
        )  # fmt: skip
        services.add_tag(person, "vip", actor=member)
        services.add_tag(person, f"batch-{i}", actor=member)
        OrderLineFactory.create_batch(2, order=OrderFactory(person=person))
        made.append(person)
    return made


@pytest.fixture
def vip_segment(member) -> Segment:
    services.get_or_create_tag("vip")
    rules = {"match": "all", "rules": [{"field": "tag", "op": "has", "value": "vip"}]}
    return create_segment(actor=member, name="VIP", rules=rules)


@pytest.mark.parametrize(
    "url",
    [
        lambda seg: "/people/?q=quill",
        lambda seg: "/people/?q=vip",
        lambda seg: "/people/?stage=client&sort=-revenue",
        lambda seg: f"/people/?segment={seg.pk}",
        lambda seg: "/organizations/",
        lambda seg: f"/segments/{seg.pk}/",
    ],
    ids=["search", "search-tag", "filter", "segment", "organizations", "segment-page"],
)
def test_lists_make_as_many_queries_for_many_rows_as_for_few(
    read_only, member, vip_segment, url: Callable[[Segment], str]
):
    client = client_for(read_only)
    customers(2, member)
    client.get(url(vip_segment))  # warm the session and content types
    few = queries_for(client, url(vip_segment))
    customers(25, member, start=2)
    assert queries_for(client, url(vip_segment)) == few


def busy(person: Person, member, other: Person, n: int) -> None:
    """Give ``person`` n of each thing their 360° page lists."""
    now = timezone.now()
    for i in range(n):
        services.log_interaction(
            person, ActivityKind.CALL, actor=member, subject=f"Call {i}",
            occurred_at=now - dt.timedelta(hours=i + 1),
        )  # fmt: skip
        services.add_tag(person, f"tag-{person.pk}-{i}", actor=member)
        order = OrderFactory(person=person, ordered_at=now - dt.timedelta(days=i))
        OrderLineFactory.create_batch(2, order=order)
        Subscription.objects.create(
            person=person, plan=f"Plan {i}", monthly_amount=Decimal("20.00"),
            started_on=(now - dt.timedelta(days=30 * i)).date(),
        )  # fmt: skip
        friend = PersonFactory(first_name=f"Friend{person.pk}x{i}")
        services.record_referral(person, friend, actor=member)
    services.change_stage(person, "client", actor=member)
    services.add_role(person, RelationshipRole.PARTNER, actor=member)
    services.record_referral(other, person, actor=member)


def test_the_person_page_makes_as_many_queries_for_a_busy_person_as_a_quiet_one(read_only, member):
    client = client_for(read_only)
    referrer = PersonFactory(first_name="Referrer")
    quiet, loud = PersonFactory(), PersonFactory()
    busy(quiet, member, referrer, 1)
    busy(loud, member, referrer, 12)
    client.get(f"/people/{quiet.pk}/")
    assert queries_for(client, f"/people/{loud.pk}/") == queries_for(client, f"/people/{quiet.pk}/")


def test_the_ecosystem_map_makes_as_many_queries_for_many_partners_as_for_few(read_only, member):
    client = client_for(read_only)

    def partners(start: int, count: int) -> None:
        for i in range(start, start + count):
            person = PersonFactory(organization=OrganizationFactory(name=f"Café {i}"))
            for role in (RelationshipRole.PARTNER, RelationshipRole.VENDOR):
                services.add_role(person, role, actor=member)
            services.log_interaction(person, ActivityKind.MEETING, actor=member, subject="Visit")

    partners(0, 1)
    client.get("/ecosystem/")
    few = queries_for(client, "/ecosystem/")
    partners(1, 12)
    assert queries_for(client, "/ecosystem/") == few
