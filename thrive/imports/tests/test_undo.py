"""Undo removes exactly what an import created and restores what it changed."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from thrive.commerce.models import Order, OrderLine
from thrive.commerce.services import LineInput, record_order
from thrive.contacts.models import Activity, Consent, Organization, Person, Stage, StageChange
from thrive.imports import services
from thrive.imports.models import ImportedRange, ImportedRecord, JobStatus, MergeRule
from thrive.imports.people import id_runs

from .helpers import dry_run, full_import, import_now, upload, write
from .test_orders_import import SHOP


def snapshot():
    return {
        "people": sorted(
            Person.objects.values_list("email", "first_name", "city", "stage", "first_seen_at")
        ),
        "orgs": Organization.objects.count(),
        "orders": Order.objects.count(),
        "lines": OrderLine.objects.count(),
        "consents": Consent.objects.count(),
        "activities": sorted(Activity.objects.values_list("person__email", "kind", "subject")),
    }


def test_undoing_a_people_import_leaves_thrive_as_it_was(owner, tmp_path):
    Person.objects.create(
        email="known@x.com",
        first_name="Kim",
        city="",
        first_seen_at=dt.datetime(2024, 6, 1, tzinfo=dt.UTC),
    )
    before = snapshot()
    text = (
        "Email,First,City,Company,Joined,Newsletter\n"
        "known@x.com,Kimberly,Leeds,,2024-01-01,yes\nnew@x.com,Nia,York,Crow Ltd,,yes\n"
    )
    job = full_import(write(tmp_path, "c.csv", text), "people", owner)
    assert snapshot() != before
    removed = services.undo_import(job, actor=owner)
    assert snapshot() == before
    assert removed == {"people restored": 1, "consents": 1, "people": 1, "organizations": 1}
    job.refresh_from_db()
    assert job.status == JobStatus.UNDONE and job.undone_by == owner


def test_undoing_an_overwrite_puts_the_stage_back_with_history(owner, tmp_path):
    person = Person.objects.create(email="a@x.com", first_name="Ann")
    job = upload(
        write(tmp_path, "c.csv", "Email,First,Stage\na@x.com,Anna,advocate\n"), "people", owner
    )
    services.set_mapping(job, job.mapping, actor=owner, merge_rule=MergeRule.OVERWRITE)
    dry_run(job, owner)
    job = import_now(job, owner)
    services.undo_import(job, actor=owner)
    person.refresh_from_db()
    assert (person.first_name, person.stage) == ("Ann", Stage.SUSPECT)
    moves = list(StageChange.objects.filter(person=person).values_list("from_stage", "to_stage"))
    assert moves == [("", "suspect"), ("suspect", "advocate"), ("advocate", "suspect")]


def test_undoing_an_orders_import_removes_orders_lines_customers_and_timeline(owner, tmp_path):
    Person.objects.create(
        email="maya.fan@example.com", first_seen_at=dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
    )
    before = snapshot()
    job = full_import(write(tmp_path, "o.csv", SHOP), "orders", owner)
    assert Order.objects.count() == 4
    services.undo_import(job, actor=owner)
    after = snapshot()
    # The customer who was a suspect is one again; the history says so.
    assert [p[3] for p in after["people"]] == [Stage.SUSPECT]
    after["activities"] = [a for a in after["activities"] if a[1] != "stage_change"]
    before["activities"] = [a for a in before["activities"] if a[1] != "stage_change"]
    assert after == before
    assert not Order.objects.filter(source=f"import:{job.pk}").exists()
    assert ImportedRecord.objects.filter(job=job).exists()  # kept: the trace of what was undone


def test_undo_refuses_when_someone_built_on_what_the_import_created(owner, tmp_path):
    job = full_import(write(tmp_path, "c.csv", "Email\nnew@x.com\n"), "people", owner)
    person = Person.objects.get(email="new@x.com")
    record_order(
        person, actor=owner, number="M-1", lines=[LineInput(quantity=1, unit_price="3.00")]
    )
    with pytest.raises(ValidationError, match="cannot be undone"):
        services.undo_import(job, actor=owner)
    assert Person.objects.filter(email="new@x.com").exists()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE


def test_an_import_is_undone_only_once(owner, tmp_path):
    job = full_import(write(tmp_path, "c.csv", "Email\nnew@x.com\n"), "people", owner)
    services.undo_import(job, actor=owner)
    with pytest.raises(ValidationError, match="Only a finished import"):
        services.undo_import(job, actor=owner)


def test_a_file_that_breaks_off_midway_leaves_nothing_behind(owner, tmp_path, monkeypatch):
    monkeypatch.setattr("thrive.imports.engine.BATCH_ROWS", 2)
    rows = "".join(f"p{i}@x.com,P{i}\n" for i in range(6))
    text = "Email,First\n" + rows + 'broken@x.com,"' + "x" * 3000 + "\n"
    job = upload(write(tmp_path, "c.csv", text), "people", owner)
    old = csv.field_size_limit(1000)
    try:
        job = dry_run(job, owner)
        assert job.status == JobStatus.FAILED and "row 8 cannot be read" in job.error
        # Pretend the dry run passed (the file changed on disk in between): the real run
        # commits three batches, then breaks; what it wrote is taken back.
        type(job).objects.filter(pk=job.pk).update(status=JobStatus.CHECKED, started_at=None)
        job = import_now(job, owner)
    finally:
        csv.field_size_limit(old)
    assert job.status == JobStatus.FAILED
    assert Person.objects.count() == 0


def test_what_an_import_creates_is_kept_as_id_ranges_and_undone_across_batches(
    owner, tmp_path, monkeypatch
):
    monkeypatch.setattr("thrive.imports.engine.BATCH_ROWS", 2)
    keeper = Person.objects.create(email="keeper@x.com")
    # p1 comes back in a later batch: it is the import's own person, not an update.
    emails = ["p0", "p1", "p2", "p3", "p1", "p4"]
    rows = "".join(f"{e}@x.com,Name {i}\n" for i, e in enumerate(emails))
    job = full_import(write(tmp_path, "c.csv", "Email,First\n" + rows), "people", owner)
    ranges = list(ImportedRange.objects.filter(job=job, model="person").order_by("first_id"))
    created = sorted(Person.objects.exclude(pk=keeper.pk).values_list("pk", flat=True))
    assert len(created) == 5
    # One range per batch (three batches), covering exactly the people it created.
    assert len(ranges) == 3
    assert [pk for r in ranges for pk in range(r.first_id, r.last_id + 1)] == created
    assert not ImportedRecord.objects.filter(job=job).exists()  # nothing changed, no snapshots
    assert job.counts["person"] == {"created": 5, "merged": 1}
    services.undo_import(job, actor=owner)
    assert list(Person.objects.values_list("email", flat=True)) == ["keeper@x.com"]


def test_undo_still_reads_imports_recorded_one_object_at_a_time(owner, tmp_path):
    job = full_import(write(tmp_path, "c.csv", "Email\nold@x.com\n"), "people", owner)
    person = Person.objects.get(email="old@x.com")
    # An import made before ranges existed left one row per created object.
    ImportedRange.objects.filter(job=job).delete()
    ImportedRecord.objects.create(job=job, model="person", object_id=person.pk, action="created")
    services.undo_import(job, actor=owner)
    assert not Person.objects.filter(email="old@x.com").exists()


def test_id_runs_group_consecutive_ids():
    assert id_runs([7, 1, 3, 2, 9, 8]) == [(1, 3), (7, 9)]
    assert id_runs([]) == []
