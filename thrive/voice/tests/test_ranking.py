"""The board's ranking from the database agrees with the insights core."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pytest
from django.utils import timezone

from thrive.analytics.models import CustomerScore
from thrive.contacts.models import Person, Stage
from thrive.insights.ideas import supporter_weight
from thrive.segments.models import Segment
from thrive.testing.factories import ChannelFactory
from thrive.voice import queries
from thrive.voice.models import Idea, Vote

pytestmark = pytest.mark.django_db


def _people(n: int, *, prefix: str, city: str = "", channel=None) -> list[Person]:
    return Person.objects.bulk_create(
        Person(email=f"{prefix}{i}@example.com", stage=Stage.CLIENT, city=city,
               acquisition_channel=channel)
        for i in range(n)
    )  # fmt: skip


def _score(person: Person, revenue: str, clv: str = "0") -> None:
    CustomerScore.objects.create(
        person=person, computed_at=timezone.now(), frequency=1, recency_days=1, tenure_days=10,
        revenue=Decimal(revenue), p_alive=0.9, expected_purchases_90d=1.0,
        predicted_clv=Decimal(clv), churn_risk="low", rfm_r=3, rfm_f=3, rfm_m=3,
        rfm_segment="loyal",
    )  # fmt: skip


def test_three_keen_big_spenders_rank_below_three_hundred_ordinary_customers():
    web, shop = ChannelFactory(slug="web"), ChannelFactory(slug="shop")
    Segment.objects.create(name="Lyon", rules={"match": "all", "rules": [
        {"field": "city", "op": "equals", "value": "Lyon"}]})  # fmt: skip
    whales = _people(3, prefix="whale", city="Lyon", channel=web)
    crowd = _people(300, prefix="crowd", channel=shop)
    for p in whales:
        _score(p, "5000")
    niche = Idea.objects.create(title="Gold-leaf packaging")
    broad = Idea.objects.create(title="Refill pouches")
    Vote.objects.bulk_create(Vote(idea=niche, person=p, importance="critical") for p in whales)
    Vote.objects.bulk_create(Vote(idea=broad, person=p, importance="nice") for p in crowd)

    ranked = queries.board(order="rank")

    assert [i.title for i in ranked] == ["Refill pouches", "Gold-leaf packaging"]
    why = ranked[1].standing
    assert why.supporters == 3 and why.segments == [("Lyon", 3)]
    assert why.channels == [("Web", 3)] and why.revenue == pytest.approx(15000.0)
    assert why.importance == {"Nice to have": 0, "Important": 0, "Critical": 3}
    assert why.base_size == 303


def test_sql_weight_sum_equals_the_core_formula():
    people = _people(3, prefix="p")
    _score(people[0], "300")
    _score(people[1], "100", clv="900")  # value is the larger of revenue and CLV
    idea = Idea.objects.create(title="Cold brew")
    for p, importance in zip(people, ["nice", "important", "critical"], strict=True):
        Vote.objects.create(idea=idea, person=p, importance=importance)
    ref = queries.reference_value()
    assert ref == pytest.approx((300 + 900) / 2)
    expected = supporter_weight(np.array([1, 2, 3]), np.array([300.0, 900.0, 0.0]), ref).sum()
    standing = queries.standings(Idea.objects.filter(pk=idea.pk))[idea.pk]
    # V = (Σu + 5 u0) / (3 + 5)
    assert standing.value_factor == pytest.approx((expected + 5 * (1 + math.log(2))) / 8)


def test_other_orders_newest_trending_and_most_discussed():
    a, b = _people(2, prefix="o")
    old = Idea.objects.create(title="Old", created_at=timezone.now() - dt.timedelta(days=60))
    new = Idea.objects.create(title="New")
    Vote.objects.create(idea=old, person=a)
    Vote.objects.create(idea=old, person=b, created_at=timezone.now() - dt.timedelta(days=30))
    Vote.objects.filter(idea=old, person=a).update(created_at=timezone.now())
    Vote.objects.create(idea=new, person=a, created_at=timezone.now() - dt.timedelta(days=20))
    new.comments.create(person=a, body="Yes")
    assert [i.title for i in queries.board(order="newest")] == ["New", "Old"]
    assert [i.title for i in queries.board(order="trending")] == ["Old", "New"]
    assert [i.title for i in queries.board(order="discussed")] == ["New", "Old"]
    assert [i.title for i in queries.board(search="ol")] == ["Old"]


def test_time_to_market_reads_created_to_done():
    now = timezone.now()
    Idea.objects.create(title="A", status="done", created_at=now - dt.timedelta(days=30),
                        done_at=now - dt.timedelta(days=20))  # fmt: skip
    Idea.objects.create(title="B", status="done", created_at=now - dt.timedelta(days=40),
                        done_at=now - dt.timedelta(days=10))  # fmt: skip
    Idea.objects.create(title="C", created_at=now - dt.timedelta(days=5))
    ttm = queries.idea_time_to_market(now=now)
    assert ttm.n_done == 2 and ttm.n_open == 1
    assert ttm.median_days == pytest.approx(20.0)
