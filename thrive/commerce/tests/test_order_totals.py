"""Per-person order totals equal a fresh GROUP BY over the orders after every kind of write.

The table is kept by database triggers (migration ``commerce/0006``), so each test writes
orders the way some part of Thrive does (services, ``update``, ``bulk_create``, an import's
COPY, a merge, deletion, raw SQL) and compares the whole table to the live aggregate.
"""

from __future__ import annotations

import importlib
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.db.models import Count, F, Sum

from thrive.commerce.models import REVENUE_STATUSES, Order, OrderStatus, PersonOrderTotals
from thrive.commerce.services import (
    LineInput,
    complete_order,
    record_order,
    refund_order,
    void_order,
)
from thrive.contacts import services as contacts
from thrive.contacts.models import Person
from thrive.core.money import CENT
from thrive.imports.tests.helpers import full_import, write
from thrive.imports.undo import undo_import
from thrive.testing.factories import OrderFactory, PersonFactory

totals_migration = importlib.import_module("thrive.commerce.migrations.0006_person_order_totals")


def live_totals() -> dict[int, tuple[int, Decimal]]:
    """Every person's counted orders and net spend, aggregated now from the orders."""
    rows = (
        Order.objects.filter(status__in=REVENUE_STATUSES)
        .order_by()
        .values("person")
        .annotate(n=Count("*"), net=Sum(F("total") - F("refunded")))
    )
    return {r["person"]: (r["n"], Decimal(r["net"]).quantize(CENT)) for r in rows}


def kept_totals() -> dict[int, tuple[int, Decimal]]:
    return {
        t.person_id: (t.orders_count, t.amount.quantize(CENT))
        for t in PersonOrderTotals.objects.all()
    }


def assert_exact() -> dict[int, tuple[int, Decimal]]:
    kept = kept_totals()
    assert kept == live_totals()
    return kept


def order(person: Person, member, number: str, *prices: str, status=OrderStatus.COMPLETED):
    lines = [LineInput(1, price) for price in prices]
    return record_order(person, actor=member, number=number, lines=lines, status=status)


@pytest.fixture
def shop(db, member):
    """Two customers with a few orders, and one person who never ordered."""
    ada, bo = PersonFactory(), PersonFactory()
    PersonFactory()
    order(ada, member, "A-1", "10.10", "5.05")
    order(ada, member, "A-2", "0.10")
    order(bo, member, "B-1", "99.99")
    order(bo, member, "B-2", "20.00", status=OrderStatus.PENDING)
    return ada, bo


def test_recorded_orders_are_counted_and_pending_ones_are_not(shop):
    ada, bo = shop
    assert assert_exact() == {
        ada.pk: (2, Decimal("15.25")),
        bo.pk: (1, Decimal("99.99")),
    }


def test_refunds_voids_and_completing_a_pending_order_move_the_totals(shop, member):
    ada, bo = shop
    refund_order(Order.objects.get(number="A-1"), "5.00", actor=member)
    assert assert_exact()[ada.pk] == (2, Decimal("10.25"))
    refund_order(Order.objects.get(number="A-2"), "0.10", actor=member)  # fully refunded
    assert Order.objects.get(number="A-2").status == OrderStatus.REFUNDED
    assert assert_exact()[ada.pk] == (2, Decimal("10.15"))
    void_order(Order.objects.get(number="B-1"), actor=member)
    assert bo.pk not in assert_exact()
    complete_order(Order.objects.get(number="B-2"), actor=member)
    assert assert_exact()[bo.pk] == (1, Decimal("20.00"))


def test_a_status_set_back_and_forth_by_queryset_update_recounts(shop):
    ada, _ = shop
    Order.objects.filter(number="A-1").update(status=OrderStatus.VOIDED)
    assert assert_exact()[ada.pk] == (1, Decimal("0.10"))
    Order.objects.filter(person=ada).update(status=OrderStatus.PENDING)
    assert ada.pk not in assert_exact()
    Order.objects.filter(person=ada).update(status=OrderStatus.COMPLETED, refunded=F("total"))
    assert assert_exact()[ada.pk] == (2, Decimal("0.00"))
    Order.objects.update(refunded=0)  # every order at once
    assert assert_exact()[ada.pk] == (2, Decimal("15.25"))


def test_an_update_that_moves_no_money_leaves_the_totals_alone(shop):
    before = assert_exact()
    Order.objects.update(source="shop sync")
    assert assert_exact() == before


def test_merging_two_people_moves_the_duplicates_orders_into_the_survivors_total(shop, member):
    ada, bo = shop
    contacts.merge_people(ada, bo, actor=member)
    assert assert_exact() == {ada.pk: (3, Decimal("115.24"))}


def test_deleting_orders_and_then_their_person_leaves_no_row(shop):
    ada, bo = shop
    Order.objects.get(number="A-2").delete()
    assert assert_exact()[ada.pk] == (1, Decimal("15.15"))
    Order.objects.filter(person=bo).delete()
    bo.delete()
    assert assert_exact() == {ada.pk: (1, Decimal("15.15"))}
    assert not Person.objects.filter(pk=bo.pk).exists()


def test_a_person_who_never_ordered_can_be_deleted(shop):
    nobody = Person.objects.exclude(pk__in=[p.pk for p in shop]).get()
    nobody.delete()
    assert assert_exact().keys() == {p.pk for p in shop}


def test_bulk_created_orders_are_counted(shop):
    ada, bo = shop
    cy = PersonFactory()
    Order.objects.bulk_create(
        [
            Order(person=cy, number="C-1", total=Decimal("1.10")),
            Order(person=cy, number="C-2", total=Decimal("2.20"), refunded=Decimal("0.20"),
                  status=OrderStatus.PARTIALLY_REFUNDED),
            Order(person=cy, number="C-3", total=Decimal("7.00"), status=OrderStatus.VOIDED),
            Order(person=ada, number="A-3", total=Decimal("0.20")),
        ]
    )  # fmt: skip
    kept = assert_exact()
    assert kept[cy.pk] == (2, Decimal("3.10"))
    assert kept[ada.pk] == (3, Decimal("15.45"))


def test_raw_sql_writes_are_counted(shop):
    ada, bo = shop
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE commerce_order SET person_id = %s, total = total + 1 WHERE person_id = %s",
            [ada.pk, bo.pk],
        )
    assert assert_exact() == {ada.pk: (3, Decimal("116.24"))}
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM commerce_orderline")
        cursor.execute("DELETE FROM commerce_order WHERE number LIKE %s", ["A-%"])
    assert assert_exact() == {ada.pk: (1, Decimal("100.99"))}


def test_an_imported_orders_file_and_its_undo_keep_the_totals_exact(
    shop, owner, tmp_path, settings
):
    settings.DATA_DIR = tmp_path / "data"
    settings.THRIVE_CURRENCY = "USD"
    settings.THRIVE_TIME_ZONE = "UTC"
    ada, _ = shop
    export = (
        "Name,Email,Financial Status,Currency,Refunded Amount,Created at,"
        "Lineitem quantity,Lineitem name,Lineitem price\n"
        f"#9001,{ada.email},paid,USD,,2024-03-05,2,Tea,12.50\n"
        f"#9002,{ada.email},partially_refunded,USD,5.00,2024-03-06,1,Mug,18.00\n"
        "#9003,new@example.com,paid,USD,,2024-03-07,1,Tea,3.30\n"
        "#9004,new@example.com,voided,USD,,2024-03-08,1,Tea,9.00\n"
        "#9005,late@example.com,pending,USD,,2024-03-09,1,Tea,9.00\n"
    )
    job = full_import(write(tmp_path, "orders_export.csv", export), "orders", owner)
    assert job.counts["order"]["created"] == 5
    newcomer = Person.objects.get(email="new@example.com")
    kept = assert_exact()
    assert kept[ada.pk] == (4, Decimal("53.25"))
    assert kept[newcomer.pk] == (1, Decimal("3.30"))
    undo_import(job, actor=owner)
    assert not Person.objects.filter(email="new@example.com").exists()
    assert assert_exact()[ada.pk] == (2, Decimal("15.25"))


@pytest.mark.parametrize("status", OrderStatus.values)
def test_an_order_counts_exactly_when_its_status_is_a_revenue_status(db, status):
    person = PersonFactory()
    OrderFactory(person=person, status=status, total=Decimal("4.00"))
    counted = status in REVENUE_STATUSES
    assert assert_exact() == ({person.pk: (1, Decimal("4.00"))} if counted else {})


def test_the_migrations_counted_statuses_are_the_revenue_statuses(db):
    assert set(totals_migration.COUNTED_STATUSES) == set(REVENUE_STATUSES)
    # And the triggers installed in this database list exactly those.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_get_functiondef('commerce_order_totals_refresh(bigint[])'::regprocedure)"
            )
            bodies = [row[0] for row in cursor.fetchall()]
        else:
            cursor.execute(
                "SELECT sql FROM sqlite_master"
                " WHERE type = 'trigger' AND name LIKE 'commerce_order_totals_%'"
            )
            bodies = [row[0] for row in cursor.fetchall()]
    assert bodies
    for body in bodies:
        listed = body.split("status IN (")[1].split(")")[0]
        assert {s.strip(" '") for s in listed.split(",")} == set(REVENUE_STATUSES)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_truncating_the_orders_empties_the_totals(shop):
    assert PersonOrderTotals.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending
        cursor.execute("TRUNCATE commerce_order CASCADE")
    assert not PersonOrderTotals.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_leaves_orders_and_totals_for_the_flush(member):
    order(PersonFactory(), member, "F-1", "3.00")
    assert assert_exact()


@pytest.mark.django_db(transaction=True)
def test_the_flush_after_a_transactional_test_empties_the_totals_too():
    # Runs after the test above: its rows were flushed (TRUNCATE on PostgreSQL).
    assert not Order.objects.exists()
    assert not PersonOrderTotals.objects.exists()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_two_transactions_writing_one_persons_orders_at_once_both_count(member):
    person = PersonFactory()
    first_wrote, second_started = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def second() -> None:
        try:
            first_wrote.wait(10)
            with transaction.atomic():
                second_started.set()
                # Waits for the first transaction's lock on the person, then recounts.
                OrderFactory(person=person, number="T-2", total=Decimal("2.00"))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    worker = threading.Thread(target=second)
    worker.start()
    with transaction.atomic():
        OrderFactory(person=person, number="T-1", total=Decimal("1.00"))
        first_wrote.set()
        second_started.wait(10)
        threading.Event().wait(0.5)  # let the second reach the lock
    worker.join(20)
    assert not errors
    assert assert_exact() == {person.pk: (2, Decimal("3.00"))}
