"""PostgreSQL's write path: binary COPY stores what the ORM stores, and a batch the database
refuses halfway leaves none of its rows."""

from __future__ import annotations

import csv
import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection

from thrive.commerce.models import Order, OrderLine
from thrive.contacts.models import Activity, Consent, Person, StageChange
from thrive.imports import sink
from thrive.imports.models import ImportedRange, JobStatus

from .helpers import full_import, write

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="binary COPY is PostgreSQL's write path"
)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def _fields(obj, names):
    return {n: getattr(obj, n) for n in names}


def test_binary_copy_stores_every_value_as_the_orm_stores_it(db):
    when = dt.datetime(2024, 3, 31, 3, 30, 15, 123456, tzinfo=PARIS)  # just after DST began
    names = ["first_name", "last_name", "email", "phone", "stage", "first_seen_at",
             "stage_changed_at", "custom_fields", "organization_id", "city"]  # fmt: skip
    by_orm = Person.objects.create(
        first_name="Zoë", last_name="O'Brien\tTab", email="orm@example.com", phone="+14155550123",
        stage="prospect", first_seen_at=when, stage_changed_at=when, city="Ålesund",
    )  # fmt: skip
    (pk,) = sink.reserve_ids(Person, 1)
    sink.insert(
        Person,
        ["id", "created_at", "updated_at", "first_name", "last_name", "email", "phone", "stage",
         "first_seen_at", "stage_changed_at", "city", "custom_fields"],
        [(pk, when, when, "Zoë", "O'Brien\tTab", "copy@example.com", "+14155550123", "prospect",
          when, when, "Ålesund", sink.JSONText("{}"))],
    )  # fmt: skip
    by_copy = Person.objects.get(pk=pk)
    by_orm.refresh_from_db()
    expected = _fields(by_orm, names) | {"email": "copy@example.com"}
    assert _fields(by_copy, names) == expected
    assert by_copy.automation_paused is False  # a column left out gets the model's default

    # Money carried as text, JSON both ready-made and as a dict, a null foreign key.
    order = Order.objects.create(
        person=by_copy, number="#1", ordered_at=when, status="paid", currency="EUR",
        total=Decimal("1234567.89"), refunded=Decimal("0.10"),
    )  # fmt: skip
    sink.insert(
        OrderLine,
        ["order_id", "sku", "description", "quantity", "unit_price", "discount", "line_total"],
        [(order.pk, "HB-250", "House Blend", 3, "12.50", "0.00", "37.50"),
         (order.pk, "", "Gift", 1, Decimal("0.01"), "0", "0.01")],
    )  # fmt: skip
    lines = list(
        OrderLine.objects.filter(order=order)
        .order_by("pk")
        .values_list("quantity", "unit_price", "discount", "line_total")
    )
    assert lines == [
        (3, Decimal("12.50"), Decimal("0.00"), Decimal("37.50")),
        (1, Decimal("0.01"), Decimal("0.00"), Decimal("0.01")),
    ]
    sink.insert(
        Activity,
        ["person_id", "kind", "occurred_at", "recorded_at", "channel", "direction",
         "associate_id", "automated", "subject", "data", "ref"],
        [(pk, "note", when, when, "system", "internal", None, True, "a", {"é": [1, None]}, "r1"),
         (pk, "note", when, when, "system", "internal", None, False, "b",
          sink.JSONText('{"order": 7, "total": "1.00"}'), "r2")],
    )  # fmt: skip
    got = list(Activity.objects.filter(person_id=pk).order_by("ref").values_list(
        "automated", "data", "occurred_at", "associate_id"))  # fmt: skip
    assert got == [
        (True, {"é": [1, None]}, when, None),
        (False, {"order": 7, "total": "1.00"}, when, None),
    ]


def test_every_table_an_import_writes_goes_by_binary_copy(db):
    """A column type binary COPY does not know sends its table back to text COPY: slower,
    so a new column of such a type on these tables should be noticed here."""
    tables = [Person, StageChange, Activity, Consent, Order, OrderLine, ImportedRange]
    with connection.cursor() as cursor:
        for model in tables:
            types = sink._types_of(cursor.cursor, model._meta.db_table)
            unknown = {name for name, oid in types.items() if oid not in sink._BINARY}
            assert not unknown, (model.__name__, unknown)


@pytest.fixture
def refuse_boom_people(db):
    """The database refuses the timeline entry of any person whose email starts "boom":
    the person and their stage history are COPYed first, so the failure comes halfway
    through the batch's writes."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF EXISTS (SELECT 1 FROM contacts_person
                         WHERE id = NEW.person_id AND email LIKE 'boom%%') THEN
                RAISE EXCEPTION 'refused by the test';
              END IF;
              RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_boom BEFORE INSERT ON contacts_activity
              FOR EACH ROW EXECUTE FUNCTION refuse_boom();
            """
        )


def test_a_batch_the_database_refuses_halfway_leaves_none_of_its_rows(
    owner, tmp_path, monkeypatch, refuse_boom_people
):
    monkeypatch.setattr("thrive.imports.engine.BATCH_ROWS", 2)
    text = "Email,First\na@x.com,A\nb@x.com,B\nc@x.com,C\nboom@x.com,D\ne@x.com,E\n"
    job = full_import(write(tmp_path, "c.csv", text), "people", owner)
    assert job.status == JobStatus.DONE
    # Batches: rows 2–3, 4–5 (c and boom: refused whole), 6.
    assert sorted(Person.objects.values_list("email", flat=True)) == [
        "a@x.com", "b@x.com", "e@x.com",
    ]  # fmt: skip
    assert not Person.objects.filter(email="c@x.com").exists()
    people = set(Person.objects.values_list("pk", flat=True))
    assert set(StageChange.objects.values_list("person_id", flat=True)) == people
    assert set(Activity.objects.values_list("person_id", flat=True)) == people
    # Undo records only what was written: every person range points at a person that is there.
    for first, last in ImportedRange.objects.filter(job=job, model="person").values_list(
        "first_id", "last_id"
    ):
        assert set(range(first, last + 1)) <= people
    with job.rejected_path.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:]
    assert [r[0] for r in rows] == ["4", "5"]
    assert all("were not written together" in r[2] and "refused by the test" in r[2] for r in rows)
    assert job.counts["person"] == {"created": 3}
