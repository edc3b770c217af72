"""Per-person products bought equal a fresh aggregate over kept order lines after every
kind of write, and the "bought" segment rules that read it select the same people as the
EXISTS over order lines they replaced.

The table is kept by database triggers (migration ``commerce/0007``), so each test writes
lines and orders the way some part of Thrive does (services, ``update``, ``bulk_create``,
an import, a merge, deletion, raw SQL, TRUNCATE) and compares the whole table to the live
aggregate.
"""

from __future__ import annotations

import datetime as dt
import importlib
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.db.models import Exists, Max, Min, OuterRef, Q

from thrive.commerce.models import (
    Order,
    OrderLine,
    OrderStatus,
    PersonProduct,
)
from thrive.commerce.product_segment_fields import KEPT, WINDOWS, _op_name
from thrive.commerce.services import LineInput, record_order, refund_order, void_order
from thrive.contacts import services as contacts
from thrive.contacts.models import Person
from thrive.imports.tests.helpers import full_import, write
from thrive.imports.undo import undo_import
from thrive.segments.rules import compile_rules
from thrive.testing.factories import OrderFactory, OrderLineFactory, PersonFactory, ProductFactory

products_migration = importlib.import_module("thrive.commerce.migrations.0007_person_products")

Summary = dict[tuple[int, int], tuple[dt.datetime, dt.datetime]]
T0 = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)


def live_summary() -> Summary:
    """Every person's first and last kept purchase of each product, aggregated now."""
    rows = (
        OrderLine.objects.filter(order__status__in=KEPT, product__isnull=False)
        .order_by()
        .values("order__person", "product")
        .annotate(first=Min("order__ordered_at"), last=Max("order__ordered_at"))
    )
    return {(r["order__person"], r["product"]): (r["first"], r["last"]) for r in rows}


def kept_summary() -> Summary:
    return {
        (r.person_id, r.product_id): (r.first_at, r.last_at) for r in PersonProduct.objects.all()
    }


def assert_exact() -> Summary:
    kept = kept_summary()
    assert kept == live_summary()
    return kept


def days(n: float) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


@pytest.fixture
def shop(db, member):
    """Ada bought beans twice and a mug; Bo bought a grinder, and beans in a pending order;
    Cy never ordered."""
    beans = ProductFactory(sku="BEANS", category="Coffee")
    mug = ProductFactory(sku="MUG", category="Gear")
    grinder = ProductFactory(sku="GRIND", category="Gear")
    ada, bo = PersonFactory(), PersonFactory()
    PersonFactory()

    def order(person, number, at, *skus, status=OrderStatus.COMPLETED):
        lines = [LineInput(1, "10.00", sku=sku) for sku in skus]
        return record_order(
            person, actor=member, number=number, lines=lines, status=status, ordered_at=at
        )

    order(ada, "A-1", days(1), "BEANS", "MUG")
    order(ada, "A-2", days(5), "BEANS", "")  # a line with no product counts for nothing
    order(bo, "B-1", days(2), "GRIND")
    order(bo, "B-2", days(3), "BEANS", status=OrderStatus.PENDING)
    return ada, bo, beans, mug, grinder


def test_recorded_orders_give_each_person_their_first_and_last_kept_purchase(shop):
    ada, bo, beans, mug, grinder = shop
    assert assert_exact() == {
        (ada.pk, beans.pk): (days(1), days(5)),
        (ada.pk, mug.pk): (days(1), days(1)),
        (bo.pk, grinder.pk): (days(2), days(2)),
    }


def test_inserting_updating_and_deleting_lines_moves_the_summary(shop):
    ada, bo, beans, mug, grinder = shop
    b2 = Order.objects.get(number="B-2")
    Order.objects.filter(pk=b2.pk).update(status=OrderStatus.COMPLETED)
    assert assert_exact()[(bo.pk, beans.pk)] == (days(3), days(3))
    OrderLineFactory(order=Order.objects.get(number="B-1"), product=mug)
    assert (bo.pk, mug.pk) in assert_exact()
    OrderLine.objects.filter(order__number="A-2", product=beans).update(product=grinder)
    kept = assert_exact()
    assert kept[(ada.pk, beans.pk)] == (days(1), days(1))
    assert kept[(ada.pk, grinder.pk)] == (days(5), days(5))
    OrderLine.objects.filter(order__number="A-2", product=grinder).update(order=b2)
    kept = assert_exact()
    assert (ada.pk, grinder.pk) not in kept and kept[(bo.pk, grinder.pk)] == (days(2), days(3))
    OrderLine.objects.filter(product=mug).delete()
    assert not any(product == mug.pk for _, product in assert_exact())


def test_voiding_refunding_and_restoring_an_order_recounts_its_lines(shop, member):
    ada, bo, beans, mug, grinder = shop
    void_order(Order.objects.get(number="A-2"), actor=member)
    assert assert_exact()[(ada.pk, beans.pk)] == (days(1), days(1))
    a1 = Order.objects.get(number="A-1")
    refund_order(a1, "5.00", actor=member)  # partly refunded: the goods were kept
    assert assert_exact()[(ada.pk, beans.pk)] == (days(1), days(1))
    refund_order(a1, str(Order.objects.get(pk=a1.pk).total - Decimal("5.00")), actor=member)
    assert Order.objects.get(pk=a1.pk).status == OrderStatus.REFUNDED
    assert not any(person == ada.pk for person, _ in assert_exact())
    Order.objects.filter(person=ada).update(status=OrderStatus.COMPLETED)
    assert assert_exact()[(ada.pk, beans.pk)] == (days(1), days(5))


def test_moving_an_orders_date_moves_first_and_last(shop):
    ada, _, beans, mug, _ = shop
    a1 = Order.objects.get(number="A-1")
    a1.ordered_at = days(9)
    a1.save()
    kept = assert_exact()
    assert kept[(ada.pk, beans.pk)] == (days(5), days(9))
    assert kept[(ada.pk, mug.pk)] == (days(9), days(9))
    Order.objects.update(ordered_at=days(0))
    assert assert_exact()[(ada.pk, beans.pk)] == (days(0), days(0))


def test_an_update_that_changes_no_date_status_or_person_leaves_the_summary_alone(shop):
    before = assert_exact()
    Order.objects.update(source="shop sync")
    OrderLine.objects.update(description="renamed")
    assert assert_exact() == before


def test_merging_two_people_moves_the_duplicates_purchases_to_the_survivor(shop, member):
    ada, bo, beans, mug, grinder = shop
    Order.objects.filter(number="B-2").update(status=OrderStatus.COMPLETED, ordered_at=days(0))
    assert assert_exact()[(bo.pk, beans.pk)] == (days(0), days(0))  # both bought beans
    contacts.merge_people(ada, bo, actor=member)
    assert assert_exact() == {
        (ada.pk, beans.pk): (days(0), days(5)),
        (ada.pk, mug.pk): (days(1), days(1)),
        (ada.pk, grinder.pk): (days(2), days(2)),
    }


def test_deleting_orders_and_then_their_person_leaves_no_row(shop):
    ada, bo, beans, _, _ = shop
    Order.objects.get(number="A-2").delete()
    assert assert_exact()[(ada.pk, beans.pk)] == (days(1), days(1))
    Order.objects.filter(person=bo).delete()
    bo.delete()
    kept = assert_exact()
    assert {person for person, _ in kept} == {ada.pk}
    assert not Person.objects.filter(pk=bo.pk).exists()


def test_bulk_created_lines_are_counted(shop):
    ada, bo, beans, mug, _ = shop
    b2 = Order.objects.get(number="B-2")
    b2.status = OrderStatus.COMPLETED
    b2.save()
    OrderLine.objects.bulk_create(
        [
            OrderLine(order=b2, product=mug, unit_price=1, line_total=1),
            OrderLine(order=b2, unit_price=1, line_total=1),
            OrderLine(order=Order.objects.get(number="A-1"), product=mug, unit_price=1,
                      line_total=1),
        ]
    )  # fmt: skip
    kept = assert_exact()
    assert kept[(bo.pk, mug.pk)] == (days(3), days(3))
    assert kept[(ada.pk, mug.pk)] == (days(1), days(1))


def test_raw_sql_writes_are_counted(shop):
    ada, bo, beans, mug, grinder = shop
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE commerce_order SET person_id = %s WHERE person_id = %s", [ada.pk, bo.pk]
        )
        cursor.execute(
            "INSERT INTO commerce_orderline (order_id, product_id, sku, description, quantity,"
            " unit_price, discount, line_total) SELECT id, %s, '', '', 1, 1, 0, 1"
            " FROM commerce_order WHERE number = 'A-2'",
            [mug.pk],
        )
    assert assert_exact()[(ada.pk, mug.pk)] == (days(1), days(5))
    with connection.cursor() as cursor:
        # The order first, then its lines (the constraint is checked at commit).
        cursor.execute("DELETE FROM commerce_order WHERE number = 'A-2'")
        cursor.execute(
            "DELETE FROM commerce_orderline WHERE order_id NOT IN (SELECT id FROM commerce_order)"
        )
    assert assert_exact()[(ada.pk, mug.pk)] == (days(1), days(1))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM commerce_orderline")
    assert assert_exact() == {}


def test_an_imported_orders_file_and_its_undo_keep_the_summary_exact(
    shop, owner, tmp_path, settings
):
    settings.DATA_DIR = tmp_path / "data"
    settings.THRIVE_CURRENCY = "USD"
    settings.THRIVE_TIME_ZONE = "UTC"
    ada, _, beans, _, _ = shop
    before = assert_exact()
    export = (
        "Name,Email,Financial Status,Currency,Created at,Lineitem quantity,Lineitem sku,"
        "Lineitem price\n"
        f"#9001,{ada.email},paid,USD,2026-03-05,2,BEANS,12.50\n"
        "#9002,new@example.com,paid,USD,2026-03-07,1,MUG,3.30\n"
        "#9003,new@example.com,voided,USD,2026-03-08,1,GRIND,9.00\n"
    )
    job = full_import(write(tmp_path, "orders_export.csv", export), "orders", owner)
    assert job.counts["order"]["created"] == 3
    assert OrderLine.objects.filter(order__number="#9001").exists()
    # Imported lines carry the shop's SKU text; whatever products they link, the summary
    # equals the aggregate.
    assert_exact()
    undo_import(job, actor=owner)
    assert not Person.objects.filter(email="new@example.com").exists()
    assert assert_exact() == before


@pytest.mark.parametrize("status", OrderStatus.values)
def test_a_line_counts_exactly_when_its_orders_status_is_kept(db, status):
    person, product = PersonFactory(), ProductFactory()
    OrderLineFactory(order=OrderFactory(person=person, status=status), product=product)
    assert (person.pk, product.pk) in assert_exact() if status in KEPT else not assert_exact()


def test_the_migrations_kept_statuses_are_the_rules_kept_statuses(db):
    assert set(products_migration.KEPT_STATUSES) == set(KEPT)
    # And the triggers installed in this database list exactly those.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_get_functiondef(p.oid) FROM pg_proc p"
                " WHERE p.proname LIKE 'commerce_person_products_%%'"
                " AND pg_get_functiondef(p.oid) LIKE '%%status IN%%'"
            )
        else:
            cursor.execute(
                "SELECT sql FROM sqlite_master"
                " WHERE type = 'trigger' AND name LIKE 'commerce_person_products_%'"
            )
        bodies = [row[0] for row in cursor.fetchall()]
    assert len(bodies) >= 2
    for body in bodies:
        for listed in body.split("status IN (")[1:]:
            listed = listed.split(")")[0]
            assert {s.strip(" '") for s in listed.split(",")} == set(KEPT)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.parametrize("table", ["commerce_orderline", "commerce_order"])
def test_truncating_the_lines_or_the_orders_empties_the_summary(shop, table):
    assert PersonProduct.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending
        cursor.execute(f"TRUNCATE {table} CASCADE")
    assert not PersonProduct.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_leaves_lines_and_summary_for_the_flush():
    OrderLineFactory(order=OrderFactory(), product=ProductFactory())
    assert assert_exact()


@pytest.mark.django_db(transaction=True)
def test_the_flush_after_a_transactional_test_empties_the_summary_too():
    # Runs after the test above: its rows were flushed (TRUNCATE on PostgreSQL).
    assert not OrderLine.objects.exists()
    assert not PersonProduct.objects.exists()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_two_transactions_adding_lines_for_one_person_at_once_both_count():
    person, product = PersonFactory(), ProductFactory()
    early = OrderFactory(person=person, ordered_at=days(1))
    late = OrderFactory(person=person, ordered_at=days(2))
    first_wrote, second_started = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def second() -> None:
        try:
            first_wrote.wait(10)
            with transaction.atomic():
                second_started.set()
                # Waits for the first transaction's lock on the person, then recomputes.
                OrderLineFactory(order=late, product=product)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    worker = threading.Thread(target=second)
    worker.start()
    with transaction.atomic():
        OrderLineFactory(order=early, product=product)
        first_wrote.set()
        second_started.wait(10)
        threading.Event().wait(0.5)  # let the second reach the lock
    worker.join(20)
    assert not errors
    assert assert_exact() == {(person.pk, product.pk): (days(1), days(2))}


# --- The rules read the summary and mean what the EXISTS over order lines meant. ---


def old_bought_q(column: str, op: str, value: list[str], now: dt.datetime) -> Q:
    """The rule as it was before the summary: one EXISTS over kept order lines."""
    bought = op.startswith("bought_")
    window = op.rsplit("_", 1)[1]
    lines = OrderLine.objects.filter(
        order__person=OuterRef("pk"),
        order__status__in=KEPT,
        order__ordered_at__lte=now,
        **{f"product__{column}__in": value},
    )
    if window != "ever":
        lines = lines.filter(order__ordered_at__gte=now - dt.timedelta(days=int(window)))
    return Q(Exists(lines)) if bought else ~Q(Exists(lines))


@pytest.fixture
def history(db):
    """Purchases spread over two years around the clocks below, some after them, some in
    orders that were refunded or voided, one exactly on a window's edge."""
    coffee = [ProductFactory(sku=f"C{i}", category="Coffee") for i in range(3)]
    gear = [ProductFactory(sku=f"G{i}", category="Gear") for i in range(2)]
    ProductFactory(sku="NEVER", category="Tea")
    shelf = coffee + gear
    statuses = [OrderStatus.COMPLETED, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED,
                OrderStatus.VOIDED, OrderStatus.PENDING]  # fmt: skip
    offsets = [-700, -366, -365, -200, -181, -90, -89.5, -31, -30, -3, 0, 0.5, 2, 40, 100, 400]
    for p in range(24):
        person = PersonFactory()
        for k in range(p % 6):
            at = CLOCK + dt.timedelta(days=offsets[(p * 7 + k * 5) % len(offsets)])
            order = OrderFactory(person=person, ordered_at=at, status=statuses[(p + k) % 5])
            for j in range(1 + (p + k) % 2):
                OrderLineFactory(order=order, product=shelf[(p * 3 + k + j) % len(shelf)])
    # One person's only purchase is after every clock; another's is exactly 90 days
    # before the first clock.
    OrderLineFactory(order=OrderFactory(ordered_at=CLOCK + dt.timedelta(days=900)),
                     product=coffee[0])  # fmt: skip
    OrderLineFactory(order=OrderFactory(ordered_at=CLOCK - dt.timedelta(days=90)),
                     product=gear[0])  # fmt: skip
    assert_exact()


CLOCK = dt.datetime(2025, 6, 1, 9, 30, tzinfo=dt.UTC)
VALUES = {
    "product_bought": (("sku", ["C0"]), ("sku", ["C1", "G0"]), ("sku", ["NEVER"])),
    "category_bought": (("category", ["Coffee"]), ("category", ["Gear", "Tea"])),
}


@pytest.mark.parametrize("now_days", [-400, -100, 0, 0.25, 60, 1000])
def test_every_bought_rule_selects_the_people_the_exists_over_lines_selected(history, now_days):
    now = CLOCK + dt.timedelta(days=now_days)
    everyone = set(Person.objects.values_list("pk", flat=True))
    for field, choices in VALUES.items():
        for column, value in choices:
            for bought in (True, False):
                for window in WINDOWS:
                    op = _op_name(bought, window)
                    rules = {"match": "all", "rules": [{"field": field, "op": op, "value": value}]}
                    new = set(Person.objects.filter(compile_rules(rules, now=now)).values_list(
                        "pk", flat=True))  # fmt: skip
                    old = set(Person.objects.filter(old_bought_q(column, op, value, now))
                              .values_list("pk", flat=True))  # fmt: skip
                    assert new == old, (field, op, value, now_days)
    # The history is rich enough that the rules split people at every clock but the first.
    if now_days > -400:
        some = {"field": "category_bought", "op": "bought_ever", "value": ["Coffee"]}
        chosen = Person.objects.filter(compile_rules({"match": "all", "rules": [some]}, now=now))
        assert 0 < chosen.count() < len(everyone)


def test_a_product_bought_again_after_the_clock_counts_only_inside_the_window(db):
    """Bought 40 days before the clock and again 20 days after it: in the last 90 days,
    yes; in the last 30 days, no, though the summary's last purchase is inside 30 days
    of the clock (after it)."""
    person, product = PersonFactory(), ProductFactory(sku="X")
    for offset in (-40, 20):
        at = CLOCK + dt.timedelta(days=offset)
        OrderLineFactory(order=OrderFactory(person=person, ordered_at=at), product=product)
    assert PersonProduct.objects.get().last_at > CLOCK

    def matches(op: str) -> bool:
        rules = {"match": "all", "rules": [{"field": "product_bought", "op": op, "value": ["X"]}]}
        return Person.objects.filter(compile_rules(rules, now=CLOCK)).exists()

    assert matches("bought_ever") and matches("bought_90") and matches("not_bought_30")
    assert not matches("bought_30") and not matches("not_bought_90")
