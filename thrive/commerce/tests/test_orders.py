"""Orders: exact money, clear errors naming the line and field, refunds and voids."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from thrive.commerce.models import Order, OrderLine, OrderStatus
from thrive.commerce.services import (
    LineInput,
    record_order,
    record_spend,
    refund_order,
    start_subscription,
    void_order,
)
from thrive.core.money import parse_amount
from thrive.testing.factories import ChannelFactory, PersonFactory, ProductFactory

pytestmark = pytest.mark.django_db


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_an_order_totals_its_lines_exactly_and_lands_on_the_timeline(member):
    product = ProductFactory(sku="ETH-250", name="Ethiopia Guji 250g")
    person = PersonFactory()
    order = record_order(
        person, actor=member, number="1001",
        lines=[LineInput(3, "0.10", sku="ETH-250"), LineInput(1, "19.99", discount="2.00")],
    )  # fmt: skip
    assert order.total == Decimal("18.29")
    first = OrderLine.objects.filter(order=order).order_by("id").first()
    assert first is not None and first.product == product and first.description == product.name
    entry = person.activities.get(kind="order")
    assert entry.ref == f"order:{order.pk}" and entry.data["total"] == "18.29"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [("abc", "not a number"), ("1.005", "more than 2 decimal"), ("-3", "negative"),
     ("Infinity", "not a finite"), ("1e20", "too large")],
)  # fmt: skip
def test_bad_amounts_are_refused_naming_the_field(raw, fragment):
    assert fragment in errors_of(lambda: parse_amount(raw, field="unit_price"))["unit_price"][0]


def test_amounts_keep_their_exact_decimal_value():
    assert parse_amount("1,234.50") == Decimal("1234.50")
    assert parse_amount(0.1) == Decimal("0.10")


def test_every_bad_line_and_field_is_reported_and_nothing_is_written(member):
    person = PersonFactory()
    messages = errors_of(
        lambda: record_order(
            person,
            actor=member,
            number="1002",
            currency="usd",
            lines=[
                LineInput(1, "5.00"),
                LineInput(0, "5.00"),
                LineInput(1, "x"),
                LineInput(1, "5.00", discount="6.00"),
            ],
        )  # fmt: skip
    )
    assert set(messages) == {
        "currency", "lines[2].quantity", "lines[3].unit_price", "lines[4].discount",
    }  # fmt: skip
    assert not Order.objects.exists()


def test_an_order_before_the_first_contact_is_refused(member):
    person = PersonFactory(first_seen_at=timezone.now() - dt.timedelta(days=1))
    messages = errors_of(
        lambda: record_order(
            person,
            actor=member,
            number="1003",
            lines=[LineInput(1, "5.00")],
            ordered_at=timezone.now() - dt.timedelta(days=10),
        )  # fmt: skip
    )
    assert "first contact" in messages["ordered_at"][0]


def test_a_duplicate_order_number_is_refused_not_duplicated(member):
    person = PersonFactory()
    record_order(person, actor=member, number="1004", lines=[LineInput(1, "5.00")])
    messages = errors_of(
        lambda: record_order(person, actor=member, number="1004", lines=[LineInput(1, "5.00")])
    )
    assert "already exists" in messages["number"][0]
    assert Order.objects.count() == 1
    assert person.activities.filter(kind="order").count() == 1


def test_refunds_move_the_status_and_cannot_exceed_the_total(member):
    order = record_order(
        PersonFactory(), actor=member, number="1005", lines=[LineInput(2, "10.00")]
    )
    order = refund_order(order, "5.00", actor=member)
    assert (order.status, order.net_revenue) == (OrderStatus.PARTIALLY_REFUNDED, Decimal("15.00"))
    assert (
        "at most 15.00"
        in errors_of(lambda: refund_order(order, "15.01", actor=member))["amount"][0]
    )
    order = refund_order(order, "15.00", actor=member)
    assert (order.status, order.net_revenue) == (OrderStatus.REFUNDED, Decimal("0.00"))


def test_a_voided_order_is_not_revenue_and_cannot_be_refunded(member):
    order = record_order(PersonFactory(), actor=member, number="1006", lines=[LineInput(1, "8.00")])
    order = void_order(order, actor=member, reason="card declined")
    assert order.net_revenue == Decimal("0.00")
    assert "voided" in errors_of(lambda: refund_order(order, "1.00", actor=member))["amount"][0]


def test_a_subscription_cannot_end_before_it_starts(member):
    from thrive.commerce.services import end_subscription

    sub = start_subscription(
        PersonFactory(), actor=member, plan="Roaster's Choice", monthly_amount="22.00",
        started_on=dt.date(2025, 3, 1),
    )  # fmt: skip
    messages = errors_of(lambda: end_subscription(sub, actor=member, ended_on=dt.date(2025, 2, 1)))
    assert "cannot end before it starts" in str(messages)
    sub.refresh_from_db()
    assert sub.ended_on is None


def test_spend_is_booked_per_channel_and_month_and_corrected_in_place(member):
    channel = ChannelFactory(slug="paid-search")
    record_spend(actor=member, channel=channel, month=dt.date(2025, 5, 1), amount="300.00")
    spend = record_spend(actor=member, channel=channel, month=dt.date(2025, 5, 1), amount="320.00")
    assert spend.amount == Decimal("320.00")
    assert channel.spend.count() == 1
    assert "month" in errors_of(
        lambda: record_spend(actor=member, channel=channel, month=dt.date(2025, 5, 2), amount="1")
    )


def test_read_only_cannot_record_orders(read_only):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        record_order(PersonFactory(), actor=read_only, number="1", lines=[LineInput(1, "1.00")])
