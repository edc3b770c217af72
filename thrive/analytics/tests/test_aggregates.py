"""SQL aggregates equal hand-computed figures, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from thrive.analytics.aggregates import (
    cohort_counts,
    customer_purchase_days,
    monthly_revenue,
    stage_entries,
)
from thrive.commerce.models import OrderStatus
from thrive.testing.factories import OrderFactory, PersonFactory

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def at(day: str, hour: int = 12) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@pytest.fixture
def shop(settings):
    settings.THRIVE_TIME_ZONE = "America/Los_Angeles"
    settings.THRIVE_CURRENCY = "USD"
    ann, bob, cat = PersonFactory(), PersonFactory(), PersonFactory()
    # Ann: two orders on 3 Jan (one at 06:00 UTC, still 2 Jan in Los Angeles!), one on
    # 10 Jan partly refunded, one voided, one in another currency.
    OrderFactory(person=ann, ordered_at=at("2025-01-03", 6), total=Decimal("10.00"))
    OrderFactory(person=ann, ordered_at=at("2025-01-02", 20), total=Decimal("5.00"))
    OrderFactory(
        person=ann, ordered_at=at("2025-01-10"), total=Decimal("20.00"),
        refunded=Decimal("5.00"), status=OrderStatus.PARTIALLY_REFUNDED,
    )  # fmt: skip
    OrderFactory(person=ann, ordered_at=at("2025-01-11"), status=OrderStatus.VOIDED)
    OrderFactory(person=ann, ordered_at=at("2025-01-12"), currency="CAD")
    # Bob: one order in January, one in March.
    OrderFactory(person=bob, ordered_at=at("2025-01-20"), total=Decimal("7.50"))
    OrderFactory(person=bob, ordered_at=at("2025-03-05"), total=Decimal("2.50"))
    # Cat: an order after the as-of day does not count.
    OrderFactory(person=cat, ordered_at=at("2025-06-01"), total=Decimal("99.00"))
    return ann, bob, cat


def test_customer_days_merge_same_local_day_and_net_refunds(shop):
    ann, bob, _ = shop
    days = customer_purchase_days(as_of=dt.date(2025, 4, 1))
    assert days.person_ids.tolist() == [ann.pk, bob.pk]
    assert days.first_day.astype(str).tolist() == ["2025-01-02", "2025-01-20"]
    assert days.last_day.astype(str).tolist() == ["2025-01-10", "2025-03-05"]
    assert days.purchase_days.tolist() == [2, 2]
    assert days.revenue.tolist() == [30.0, 10.0]
    assert days.first_day_revenue.tolist() == [15.0, 7.5]
    assert days.frequency.tolist() == [1, 1]
    assert days.repeat_average().tolist() == [15.0, 2.5]


def test_customer_days_for_another_currency(shop):
    ann, *_ = shop
    days = customer_purchase_days(as_of=dt.date(2025, 4, 1), currency="CAD")
    assert days.person_ids.tolist() == [ann.pk] and days.revenue.tolist() == [20.0]


def test_no_orders_gives_empty_arrays(db):
    days = customer_purchase_days(as_of=dt.date(2025, 4, 1))
    assert days.person_ids.size == 0 and days.repeat_average().size == 0


def test_cohorts_count_customers_and_revenue_by_months_since_first_order(shop):
    cohorts = cohort_counts(as_of=dt.date(2025, 4, 1))
    cells = {
        (str(c), int(o)): (int(n), float(r))
        for c, o, n, r in zip(
            cohorts.cohort_month, cohorts.offset, cohorts.customers, cohorts.revenue, strict=True
        )
    }
    assert cells == {("2025-01", 0): (2, 37.5), ("2025-01", 2): (1, 2.5)}


def test_monthly_revenue_in_the_business_time_zone(shop):
    months, revenue = monthly_revenue(as_of=dt.date(2025, 4, 1))
    assert months.astype(str).tolist() == ["2025-01", "2025-03"]
    np.testing.assert_allclose(revenue, [37.5, 2.5])


def test_stage_entries_keep_the_first_entry_per_stage(member):
    from thrive.contacts import services

    person = PersonFactory()
    services.change_stage(person, "client", actor=member, at=dt.datetime(2025, 2, 1, tzinfo=UTC))
    services.change_stage(person, "lost", actor=member, at=dt.datetime(2025, 5, 1, tzinfo=UTC))
    services.change_stage(person, "client", actor=member, at=dt.datetime(2025, 7, 1, tzinfo=UTC))
    entries = stage_entries()
    mine = {
        s: str(t)
        for p, s, t in zip(entries.person_ids, entries.stages, entries.entered_at, strict=True)
        if p == person.pk
    }
    assert mine["client"] == "2025-02-01T00:00:00"
    assert mine["lost"] == "2025-05-01T00:00:00"
    assert set(mine) == {"suspect", "client", "lost"}
