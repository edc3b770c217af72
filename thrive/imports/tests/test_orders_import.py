"""Importing a shop's orders export: line items, refunds, voids, two currencies, exact money."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

from thrive.commerce.models import Order, OrderLine, OrderStatus
from thrive.contacts.models import Activity, Person, Stage, StageCause, StageChange
from thrive.imports.models import JobStatus

from .helpers import dry_run, full_import, import_now, upload, without_cpu, write

HEADER = (
    "Name,Email,Financial Status,Currency,Refunded Amount,Created at,"
    "Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name\n"
)
# Kettle & Crow's export: one row per line item; order fields only on an order's first row.
SHOP = HEADER + (
    "#1001,maya.fan@example.com,paid,USD,,2024-03-05 10:00:00 -0500,"
    "2,House Blend 250g,12.50,HB-250,Fan One\n"
    "#1001,,,,,,1,Ceramic Mug,18.00,MUG-1,\n"
    "#1002,second@example.com,partially_refunded,EUR,5.00,2024-03-06 09:30:00 +0100,"
    "1,Espresso 1kg,32.90,ES-1K,Zweite Kundin\n"
    "#1003,second@example.com,refunded,EUR,,2024-03-07 12:00:00 +0100,"
    "1,Filter papers,4.10,FP-100,\n"
    "#1004,voided@example.com,voided,USD,,2024-03-08 08:00:00 -0500,"
    "1,House Blend 250g,12.50,HB-250,Void Person\n"
    "#1005,bad@example.com,paid,USD,,2024-03-09,"
    "1,House Blend 250g,12.505,HB-250,\n"
    "#1005,,,,,,1,Mug,abc,MUG-1,\n"
    "#1006,late@example.com,paid,USD,,not a date,1,Tea,3.00,,\n"
    "#1007,huge@example.com,paid,USD,99.00,2024-03-10,1,Tea,3.00,,\n"
)


def rejected(job):
    with job.rejected_path.open(encoding="utf-8") as handle:
        return list(csv.reader(handle))[1:]


def test_a_shop_export_becomes_orders_with_exact_totals_refunds_and_currencies(owner, tmp_path):
    job = full_import(write(tmp_path, "orders_export.csv", SHOP), "orders", owner)
    assert job.status == JobStatus.DONE
    orders = {o.number: o for o in Order.objects.all()}
    assert set(orders) == {"#1001", "#1002", "#1003", "#1004"}
    first = orders["#1001"]
    assert (first.total, first.refunded, first.currency, first.status) == (
        Decimal("43.00"),
        Decimal("0.00"),
        "USD",
        OrderStatus.COMPLETED,
    )
    assert first.ordered_at == dt.datetime(2024, 3, 5, 15, tzinfo=dt.UTC)
    assert list(first.lines.values_list("sku", "quantity", "unit_price", "line_total")) == [
        ("HB-250", 2, Decimal("12.50"), Decimal("25.00")),
        ("MUG-1", 1, Decimal("18.00"), Decimal("18.00")),
    ]
    second = orders["#1002"]
    assert (second.total, second.refunded, second.currency, second.status) == (
        Decimal("32.90"),
        Decimal("5.00"),
        "EUR",
        OrderStatus.PARTIALLY_REFUNDED,
    )
    assert second.net_revenue == Decimal("27.90")
    third = orders["#1003"]
    assert (third.refunded, third.status) == (Decimal("4.10"), OrderStatus.REFUNDED)
    assert orders["#1004"].status == OrderStatus.VOIDED and orders["#1004"].net_revenue == 0
    assert job.counts["order"] == {"created": 4, "rejected": 3}
    assert job.counts["line"] == {"created": 5}


def test_bad_amounts_and_dates_reject_the_whole_order_with_reasons(owner, tmp_path):
    job = full_import(write(tmp_path, "orders_export.csv", SHOP), "orders", owner)
    assert rejected(job) == [
        ["7", "Lineitem price", "'12.505' has more than 2 decimal places."],
        ["8", "Lineitem price", "'abc' is not a number."],
        ["9", "Created at", "'not a date' is not a date (use YYYY-MM-DD)"],
        ["10", "Refunded Amount", "the refund 99.00 is more than the order total 3.00"],
    ]
    assert job.counts["rows"]["rejected"] == 4
    assert not Person.objects.filter(email__in=["bad@example.com", "late@example.com"]).exists()


def test_customers_are_created_once_and_paying_ones_become_clients(owner, tmp_path):
    job = full_import(write(tmp_path, "orders_export.csv", SHOP), "orders", owner)
    fan = Person.objects.get(email="maya.fan@example.com")
    assert (fan.first_name, fan.last_name, fan.stage) == ("Fan", "One", Stage.CLIENT)
    assert fan.first_seen_at == dt.datetime(2024, 3, 5, 15, tzinfo=dt.UTC)
    second = Person.objects.get(email="second@example.com")
    assert second.orders.count() == 2
    # Only voided orders: not a client.
    assert Person.objects.get(email="voided@example.com").stage == Stage.SUSPECT
    order_entries = Activity.objects.filter(person=fan, kind="order")
    assert [a.subject for a in order_entries] == ["Order #1001: 43.00 USD"]
    order = Order.objects.get(number="#1001")
    assert order_entries[0].data == {
        "order": order.pk,
        "total": "43.00",
        "currency": "USD",
        "refunded": "0.00",
        "status": "completed",
        "import": job.pk,
    }
    assert order_entries[0].ref == f"order:{order.pk}"
    partly = Activity.objects.get(kind="order", subject__startswith="Order #1002")
    assert (partly.data["status"], partly.data["refunded"]) == ("partially_refunded", "5.00")


def test_an_existing_suspect_becomes_a_client_with_the_order_as_cause(owner, tmp_path):
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    person = Person.objects.create(
        email="maya.fan@example.com", first_seen_at=long_ago, stage_changed_at=long_ago
    )
    job = full_import(write(tmp_path, "o.csv", SHOP), "orders", owner)
    person.refresh_from_db()
    first_order = dt.datetime(2024, 3, 5, 15, tzinfo=dt.UTC)
    assert (person.stage, person.stage_changed_at) == (Stage.CLIENT, first_order)
    change = StageChange.objects.filter(person=person).latest("id")
    assert (change.from_stage, change.to_stage, change.cause, change.changed_at) == (
        Stage.SUSPECT,
        Stage.CLIENT,
        StageCause.ORDER,
        first_order,
    )
    assert change.note == f"Import #{job.pk}: o.csv"
    # The timeline says so too, exactly as a stage change made anywhere else would.
    entry = Activity.objects.filter(person=person, kind="stage_change").latest("id")
    assert (entry.subject, entry.occurred_at, entry.data) == (
        "Suspect → Client",
        first_order,
        {"from": "suspect", "to": "client", "cause": "order"},
    )
    assert Person.objects.filter(stage=Stage.CLIENT, stage_changed_at=first_order).count() == 1


def test_importing_the_same_export_twice_changes_nothing(owner, tmp_path):
    path = write(tmp_path, "o.csv", SHOP)
    full_import(path, "orders", owner)
    before = (
        Order.objects.count(),
        OrderLine.objects.count(),
        Person.objects.count(),
        Activity.objects.count(),
    )
    job = full_import(path, "orders", owner)
    assert (
        Order.objects.count(),
        OrderLine.objects.count(),
        Person.objects.count(),
        Activity.objects.count(),
    ) == before
    assert job.counts["order"] == {"skipped: already in Thrive": 4, "rejected": 3}


def test_an_order_never_straddles_two_batches(owner, tmp_path, monkeypatch):
    monkeypatch.setattr("thrive.imports.engine.BATCH_ROWS", 2)
    text = HEADER + "".join(
        f"#20{n},c{n % 3}@x.com,paid,USD,,2024-01-0{n + 1},1,Item {k},1.{k}0,,\n"
        for n in range(5)
        for k in range(3)
    )
    # c1 is already a client; c0 and c2 are new. c0 and c1 have orders in two batches each.
    Person.objects.create(
        email="c1@x.com", stage=Stage.CLIENT, first_seen_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    job = dry_run(upload(write(tmp_path, "o.csv", text), "orders", owner), owner)
    preview = job.preview
    job = import_now(job, owner)
    assert without_cpu(job.counts) == without_cpu(preview)
    assert Order.objects.count() == 5
    assert {o.total for o in Order.objects.all()} == {Decimal("3.30")}
    # Each person counted once, however many batches their orders are in.
    assert preview["person"] == {"created": 2, "found": 1}


def test_lines_of_one_order_far_apart_in_the_file_still_make_one_order(
    owner, tmp_path, monkeypatch
):
    monkeypatch.setattr("thrive.imports.engine.BATCH_ROWS", 1)
    text = HEADER + (
        "#1,a@x.com,paid,USD,,2024-01-01,1,Tea,2.00,,\n"
        "#2,b@x.com,paid,USD,,2024-01-01,1,Tea,2.00,,\n"
        "#1,,,,,,3,Cup,1.00,,\n"
    )
    job = full_import(write(tmp_path, "o.csv", text), "orders", owner)
    order = Order.objects.get(number="#1")
    assert order.total == Decimal("5.00") and order.lines.count() == 2
    assert job.counts["line"] == {"created": 3}


def test_a_negative_line_is_a_refund_of_its_order(owner, tmp_path):
    text = HEADER + "#9,a@x.com,,USD,,2024-01-01,2,Tea,5.00,,\n#9,,,,,,-1,Tea refund,5.00,,\n"
    full_import(write(tmp_path, "o.csv", text), "orders", owner)
    order = Order.objects.get(number="#9")
    assert (order.total, order.refunded, order.status) == (
        Decimal("10.00"),
        Decimal("5.00"),
        OrderStatus.PARTIALLY_REFUNDED,
    )


def test_day_first_dates_are_read_day_first_when_the_file_shows_it(owner, tmp_path):
    text = "Order,Email,Date,Price\nA1,a@x.com,25/12/2023,3.00\nA2,a@x.com,03/04/2024,3.00\n"
    job = upload(write(tmp_path, "o.csv", text), "orders", owner)
    assert job.date_order == "dmy"
    dry_run(job, owner)
    import_now(job, owner)
    assert Order.objects.get(number="A2").ordered_at.date() == dt.date(2024, 4, 3)


def test_lines_are_linked_to_the_catalogue_by_sku_so_bought_rules_see_imported_orders(
    owner, tmp_path, monkeypatch
):
    from thrive.commerce.models import Product
    from thrive.segments.rules import compile_rules

    monkeypatch.setattr("thrive.imports.engine.BATCH_ROWS", 1)  # lines appended later too
    blend = Product.objects.create(sku="HB-250", name="House Blend 250g", category="Blend")
    mug = Product.objects.create(sku="MUG-1", name="Ceramic Mug", category="Gear")
    text = HEADER + (
        "#1,a@x.com,paid,USD,,2024-01-01,1,House Blend 250g,12.50,HB-250,\n"
        "#2,b@x.com,paid,USD,,2024-01-01,1,Tea,2.00,TEA-9,\n"
        "#1,,,,,,1,Ceramic Mug,18.00,MUG-1,\n"
        "#2,,,,,,1,Loose line,1.00,,\n"
    )
    full_import(write(tmp_path, "o.csv", text), "orders", owner)
    linked = dict(OrderLine.objects.values_list("sku", "product_id"))
    # Known SKUs find their product; unknown or empty ones stay unlinked.
    assert linked == {"HB-250": blend.pk, "MUG-1": mug.pk, "TEA-9": None, "": None}
    rule = {"field": "category_bought", "op": "bought_ever", "value": ["Blend"]}
    buyers = Person.objects.filter(compile_rules({"match": "all", "rules": [rule]}))
    assert list(buyers.values_list("email", flat=True)) == ["a@x.com"]
