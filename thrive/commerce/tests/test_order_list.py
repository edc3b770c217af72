"""The orders list: filters by day, currency, status and channel, with count and net sums."""

from __future__ import annotations

import datetime as dt

import pytest

from thrive.analytics.tests.business import at
from thrive.commerce.services import LineInput, record_order, refund_order, void_order
from thrive.conftest import client_for
from thrive.core.testing.db import no_writes
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(owner):
    person = PersonFactory(first_seen_at=at(dt.date(2026, 1, 1)))
    made = [
        record_order(person, actor=owner, number=str(i), lines=[LineInput(1, amount)],
                     ordered_at=at(day), currency=currency, channel=channel)  # fmt: skip
        for i, (day, amount, currency, channel) in enumerate([
            (dt.date(2026, 11, 1), "10.00", "USD", "online"),
            (dt.date(2026, 11, 15), "20.00", "USD", "wholesale"),
            (dt.date(2026, 11, 30), "30.00", "USD", "online"),
            (dt.date(2026, 12, 1), "40.00", "USD", "online"),
            (dt.date(2026, 11, 20), "50.00", "CAD", "online"),
        ])
    ]  # fmt: skip
    refund_order(made[1], "5.00", actor=owner)
    void_order(made[2], actor=owner)
    return made


def test_revenue_in_november_counts_kept_orders_both_days_included(orders, read_only):
    client = client_for(read_only)
    client.get("/orders/")
    with no_writes():
        body = client.get(
            "/orders/?status=revenue&currency=USD&start=2026-11-01&end=2026-11-30"
        ).content.decode()
    assert 'id="orders-count">2 matching' in body
    assert 'data-currency="USD" data-net="25.00"' in body


def test_every_status_and_currency_shows_separately(orders, read_only):
    body = client_for(read_only).get("/orders/").content.decode()
    assert 'id="orders-count">5 in all' in body
    assert 'data-currency="CAD" data-net="50.00"' in body
    assert 'data-currency="USD" data-net="95.00"' in body  # voided is listed here, by status


def test_channel_filter_and_bad_dates_say_what_is_wrong(orders, read_only):
    client = client_for(read_only)
    body = client.get("/orders/?channel=wholesale").content.decode()
    assert 'id="orders-count">1 matching' in body
    response = client.get("/orders/?start=2026-12-01&end=2026-11-01&currency=dollars")
    assert response.status_code == 200
    text = response.content.decode()
    assert "The end must be on or after the start." in text and "three-letter code" in text
    assert client.post("/orders/").status_code == 405
