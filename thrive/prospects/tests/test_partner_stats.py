"""The ecosystem map's partner table: ranked by clients won, then referred revenue, then id,
and only the people shown are read."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from thrive.contacts.models import Referral, Stage
from thrive.prospects.portal import partner_stats
from thrive.testing.factories import OrderFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _refer(referrer, *, won: bool, spent: str | None = None):
    referred = PersonFactory(stage=Stage.CLIENT if won else Stage.PROSPECT)
    Referral.objects.create(referrer=referrer, referred=referred)
    if spent is not None:
        OrderFactory(person=referred, total=Decimal(spent), currency="USD")
    return referred


def test_partners_are_ranked_by_clients_won_then_revenue_then_id_and_cut_at_the_limit():
    a, b, c, d, e = (PersonFactory() for _ in range(5))
    _refer(a, won=True, spent="10.00")  # 1 won, 10
    _refer(b, won=True, spent="50.00")  # 1 won, 50
    _refer(b, won=False)
    _refer(c, won=True)  # 2 won, no revenue
    _refer(c, won=True)
    _refer(d, won=False)  # 0 won
    _refer(e, won=True, spent="10.00")  # ties with a: the lower id first

    rows = partner_stats(limit=12)
    assert [r["person"].pk for r in rows] == [c.pk, b.pk, a.pk, e.pk, d.pk]
    assert [(r["referred"], r["won"]) for r in rows] == [(2, 2), (2, 1), (1, 1), (1, 1), (1, 0)]
    assert rows[1]["conversion"] == 0.5
    assert rows[1]["revenue"] == Decimal("50.00") and rows[0]["revenue"] == Decimal("0")

    top = partner_stats(limit=2)
    assert [r["person"].pk for r in top] == [c.pk, b.pk]
    assert partner_stats(limit=0) == []


def test_the_partner_table_reads_only_the_people_it_shows():
    referrers = [PersonFactory() for _ in range(30)]
    for person in referrers:
        _refer(person, won=True)
    with CaptureQueriesContext(connection) as queries:
        rows = partner_stats(limit=3)
    assert [r["person"].pk for r in rows] == sorted(p.pk for p in referrers)[:3]
    person_reads = [
        q["sql"] for q in queries.captured_queries
        if q["sql"].startswith('SELECT "contacts_person"."id"')
    ]  # fmt: skip
    # One read of the three people shown, not of all thirty referrers.
    assert len(person_reads) == 1
    ids = re.search(r'"contacts_person"\."id" IN \(([^)]*)\)', person_reads[0]).group(1)
    assert sorted(int(i) for i in ids.split(",")) == [r["person"].pk for r in rows]
