"""Recording an order, refunding and voiding it from the workspace: the same services as
imports and the API, totals worked out on the server, clear errors, never a 500."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from thrive.analytics.models import AnalyticsRefresh, CustomerScore
from thrive.analytics.refresh import run_refresh
from thrive.commerce.models import Order, OrderStatus
from thrive.conftest import client_for
from thrive.contacts.models import Activity, ActivityKind, Person
from thrive.testing.factories import PersonFactory, ProductFactory

pytestmark = pytest.mark.django_db


def order_post(person, **overrides):
    data = {
        "customer": str(person.pk), "number": "M-1", "ordered_on": timezone.localdate().isoformat(),
        "currency": "USD", "channel": "in_store", "status": "completed",
        "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000",
        "lines-0-product": "", "lines-0-description": "Gift box", "lines-0-quantity": "2",
        "lines-0-unit_price": "12.50",
        "lines-1-product": "", "lines-1-description": "", "lines-1-quantity": "1",
        "lines-1-unit_price": "",
        # Line 2 was removed in the browser: its fields are absent.
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.fixture
def person():
    return PersonFactory(first_name="Ann", email="ann@example.com")


def test_an_order_with_two_lines_is_totalled_on_the_server_and_on_the_timeline(member, person):
    beans = ProductFactory(sku="ETH-250", name="Ethiopia 250g", price=Decimal("18.00"))
    response = client_for(member).post(
        "/orders/new/",
        order_post(person, **{"lines-1-product": str(beans.pk), "lines-1-quantity": "3"}),
    )
    order = Order.objects.get(number="M-1")
    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.pk}/"
    # 2 × 12.50 + 3 × 18.00 (the catalogue price, as none was typed); no total was posted.
    assert order.total == Decimal("79.00")
    assert [(ln.description, ln.line_total) for ln in order.lines.order_by("id")] == [
        ("Gift box", Decimal("25.00")), ("Ethiopia 250g", Decimal("54.00")),
    ]  # fmt: skip
    assert order.source == "manual"
    assert Activity.objects.filter(person=person, ref=f"order:{order.pk}").count() == 1
    person.refresh_from_db()
    assert person.stage == "client"


@pytest.fixture
def other_customers():
    """Enough buying customers for the scores to be fitted (raw rows: read side only)."""
    start = timezone.now() - dt.timedelta(days=360)
    people = Person.objects.bulk_create(
        [Person(first_name=f"C{i}", email=f"c{i}@example.com", first_seen_at=start)
         for i in range(60)]
    )  # fmt: skip
    Order.objects.bulk_create(
        [
            Order(person=p, number=f"C{p.pk}-{n}", total=Decimal("20.00") + i,
                  ordered_at=start + dt.timedelta(days=5 + (i * 7 + n * 53) % 340))
            for i, p in enumerate(people)
            for n in range(1 + i % 4)
        ]
    )  # fmt: skip


def test_an_order_recorded_in_the_app_reaches_the_persons_revenue_after_refresh(
    member, person, other_customers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(member).post("/orders/new/", order_post(person))
    # Recording it queued the analytics refresh, the same job the dashboard runs.
    run = AnalyticsRefresh.objects.get()
    run_refresh(run.pk)
    assert CustomerScore.objects.get(person=person).revenue == Decimal("25.00")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ordered_on": "2026-13-45"}, "ordered_on", "Enter a date as YYYY-MM-DD."),
        ({"lines-0-unit_price": "-3"}, "unit_price", "Cannot be negative."),
        ({"lines-0-quantity": "0"}, "quantity", "At least 1."),
        ({"customer": "999999"}, "customer", "There is no person 999999"),
        ({"customer": ""}, "customer", "Choose the customer."),
        ({"currency": "XYZ"}, "currency", "is not an ISO 4217 currency code"),
        ({"lines-0-description": ""}, "description", "Choose a product or describe the item."),
        ({"lines-0-description": "", "lines-0-unit_price": "", "lines-0-quantity": "1"},
         None, "An order needs at least one line."),
    ],
)  # fmt: skip
def test_bad_order_input_is_named_and_nothing_is_written(member, person, overrides, field, message):
    response = client_for(member).post("/orders/new/", order_post(person, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Order.objects.exists()


def test_an_order_before_the_first_contact_is_refused_on_the_date(member):
    person = PersonFactory(first_seen_at=timezone.now() - dt.timedelta(days=2))
    day = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    response = client_for(member).post("/orders/new/", order_post(person, ordered_on=day))
    assert response.status_code == 400
    assert "cannot come before the person" in response.content.decode()


def test_a_taken_order_number_is_reported_on_the_number(member, person):
    client = client_for(member)
    client.post("/orders/new/", order_post(person))
    response = client.post("/orders/new/", order_post(person))
    assert response.status_code == 400
    assert "Order M-1 already exists." in response.content.decode()


def test_the_new_order_page_names_the_customer_and_an_unknown_one(member, person):
    client = client_for(member)
    page = client.get(f"/orders/new/?person={person.pk}")
    assert page.status_code == 200
    assert "Record an order for Ann" in page.content.decode()
    unknown = client.get("/orders/new/?person=424242")
    assert unknown.status_code == 200
    assert "There is no person 424242" in unknown.content.decode()


@pytest.fixture
def order(member, person):
    client_for(member).post("/orders/new/", order_post(person))
    return Order.objects.get(number="M-1")


def test_a_partial_then_a_full_refund_follow_the_paid_amount(member, order):
    client = client_for(member)
    response = client.post(
        f"/orders/{order.pk}/refund", {"amount": "10.00", "reason": "One box broken"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.refunded, order.status) == (Decimal("10.00"), OrderStatus.PARTIALLY_REFUNDED)
    entry = Activity.objects.filter(ref=f"order:{order.pk}").order_by("-id").first()
    assert entry.body == "One box broken"
    too_much = client.post(f"/orders/{order.pk}/refund", {"amount": "15.01", "reason": "x"})
    assert too_much.status_code == 400
    assert "at most 15.00" in too_much.content.decode()
    client.post(f"/orders/{order.pk}/refund", {"amount": "15.00", "reason": "Both"})
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": "-5", "reason": "x"}, "Cannot be negative."),
        ({"amount": "0", "reason": "x"}, "A refund must be more than zero."),
        ({"amount": "abc", "reason": "x"}, "Enter a number."),
        ({"amount": "5"}, "Say why the money is paid back."),
    ],
)
def test_bad_refunds_are_refused_with_a_reason(member, order, data, message):
    response = client_for(member).post(f"/orders/{order.pk}/refund", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    order.refresh_from_db()
    assert order.refunded == 0


def test_voiding_an_order_removes_it_from_revenue_and_says_why(member, order):
    client = client_for(member)
    assert client.post(f"/orders/{order.pk}/void", {"reason": ""}).status_code == 400
    client.post(f"/orders/{order.pk}/void", {"reason": "Entered twice"})
    order.refresh_from_db()
    assert order.status == OrderStatus.VOIDED and order.net_revenue == 0
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "Entered twice" in page
    assert "Void the order" not in page


def test_a_pending_order_counts_only_once_paid(member, person):
    client = client_for(member)
    client.post("/orders/new/", order_post(person, status="pending"))
    order = Order.objects.get()
    person.refresh_from_db()
    assert order.status == OrderStatus.PENDING and person.stage != "client"
    client.post(f"/orders/{order.pk}/complete")
    order.refresh_from_db()
    person.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED and person.stage == "client"


def test_read_only_associates_may_look_but_not_record(read_only, member, order, person):
    client = client_for(read_only)
    assert client.get(f"/orders/{order.pk}/").status_code == 200
    assert client.get("/orders/new/").status_code == 403
    assert client.post("/orders/new/", order_post(person, number="M-2")).status_code == 403
    assert (
        client.post(f"/orders/{order.pk}/refund", {"amount": "1", "reason": "x"}).status_code == 403
    )
    assert client.post(f"/orders/{order.pk}/void", {"reason": "x"}).status_code == 403
    assert Order.objects.count() == 1


def test_order_forms_need_the_csrf_token(member, person):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.post("/orders/new/", order_post(person)).status_code == 403


def test_an_unknown_order_is_a_404(member):
    assert client_for(member).get("/orders/999999/").status_code == 404
    assert client_for(member).post("/orders/999999/refund", {"amount": "1"}).status_code == 404


def test_the_person_page_links_orders_and_the_order_button(member, order):
    page = client_for(member).get(f"/people/{order.person_id}/").content.decode()
    assert f'href="/orders/{order.pk}/"' in page
    assert f"/orders/new/?person={order.person_id}" in page
    assert Activity.objects.filter(kind=ActivityKind.ORDER, person=order.person).exists()
