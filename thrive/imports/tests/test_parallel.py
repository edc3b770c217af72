"""A large file is read and checked in a second process: the same result as reading here."""

from __future__ import annotations

import csv

import pytest

from thrive.commerce.models import Order, OrderLine
from thrive.contacts.models import Person
from thrive.imports import services
from thrive.imports.engine import Batch, fewer_collections
from thrive.imports.models import JobStatus
from thrive.imports.parallel import Ahead
from thrive.imports.reading import ImportFileError
from thrive.imports.seen import SeenKeys

from .helpers import dry_run, full_import, import_now, upload, without_cpu, write

# When the browser tests run in the same session, their live server's threads are alive
# here; the reading process never touches what those threads hold.
pytestmark = pytest.mark.filterwarnings(
    "ignore:This process .* is multi-threaded:DeprecationWarning"
)


def bad_phone(i: int) -> bool:
    return i % 7 != 0 and i % 50 == 3


def people_expected(n: int) -> tuple[int, int, int]:
    """Created, merged and rejected for ``people_rows(n)``, worked out from the rows."""
    rejected = [i for i in range(n) if bad_phone(i)]
    created = len({i % (n - 40) for i in range(n) if not bad_phone(i)})
    return created, n - len(rejected) - created, len(rejected)


def people_rows(n: int) -> str:
    lines = ["Email,First name,Last name,Phone,Joined"]
    for i in range(n):
        # A phone that is not one is a warning (the row is kept); a bad date rejects it.
        phone = "+14155550123" if i % 7 == 0 else ("not a phone" if i % 50 == 10 else "")
        joined = "not a date" if bad_phone(i) else f"2024-0{1 + i % 9}-1{i % 10}"
        email = f"p{i % (n - 40)}@example.com"  # the last 40 rows repeat earlier people
        lines.append(f"{email},First{i},Last{i},{phone},{joined}")
    return "\n".join(lines) + "\n"


def orders_rows(n_orders: int) -> str:
    lines = ["Name,Email,Financial Status,Currency,Created at,Lineitem quantity,Lineitem price"]
    for i in range(n_orders):
        status = "refunded" if i % 11 == 0 else "paid"
        price = "abc" if i % 97 == 5 else "12.50"
        lines.append(f"#{i},c{i % 60}@example.com,{status},USD,2024-02-0{1 + i % 9},2,{price}")
        lines.append(f"#{i},,,,,1,3.00")
    return "\n".join(lines) + "\n"


def snapshot(job):
    with job.rejected_path.open(encoding="utf-8") as handle:
        rejected = list(csv.reader(handle))
    return without_cpu(job.counts), rejected


def run_both_ways(kind, text, owner, tmp_path, monkeypatch, database):
    """Import ``text`` reading in this process, undo it, then with a reading process."""
    results = []
    for threshold in (10**12, 0):
        monkeypatch.setattr("thrive.imports.parallel.PARALLEL_MIN_BYTES", threshold)
        monkeypatch.setattr("thrive.imports.engine.BATCH_ROWS", 50)
        job = full_import(write(tmp_path, f"{kind}-{threshold}.csv", text), kind, owner)
        assert job.status == JobStatus.DONE
        results.append((snapshot(job), job.preview["rows"], database()))
        services.undo_import(job, actor=owner)
        assert not Person.objects.exists()
    return results


def people_table():
    return sorted(
        Person.objects.values_list("email", "first_name", "phone", "first_seen_at", "stage")
    )


def orders_table():
    return sorted(
        Order.objects.values_list("number", "person__email", "status", "total", "refunded")
    ), sorted(OrderLine.objects.values_list("order__number", "quantity", "line_total"))


def test_people_read_in_a_second_process_import_exactly_as_read_here(owner, tmp_path, monkeypatch):
    here, there = run_both_ways(
        "people", people_rows(400), owner, tmp_path, monkeypatch, people_table
    )
    assert here == there
    (counts, rejected), _, people = there
    created, merged, bad = people_expected(400)
    assert (created, merged, bad) == (354, 39, 7)
    assert counts["person"] == {"created": created, "merged": merged}
    assert len(rejected) == 1 + bad  # the header, then the rows with "not a date"
    assert counts["warning"] == {"phone left out": 7}  # i = 10, 60, … 360, not 210 (i % 7 == 0)
    assert len(people) == created


def test_orders_read_in_a_second_process_import_exactly_as_read_here(owner, tmp_path, monkeypatch):
    here, there = run_both_ways(
        "orders", orders_rows(300), owner, tmp_path, monkeypatch, orders_table
    )
    assert here == there
    (counts, rejected), _, (orders, lines) = there
    bad = sum(1 for i in range(300) if i % 97 == 5)
    assert counts["order"]["created"] == 300 - bad
    assert len(orders) == 300 - bad and len(lines) == 2 * (300 - bad)
    assert len(rejected) == 1 + 2 * bad  # the bad line and the other line of its order


def test_a_dry_run_with_a_reading_process_counts_repeats_across_batches(
    owner, tmp_path, monkeypatch
):
    monkeypatch.setattr("thrive.imports.parallel.PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr("thrive.imports.engine.BATCH_ROWS", 30)
    job = dry_run(upload(write(tmp_path, "p.csv", people_rows(400)), "people", owner), owner)
    created, merged, _ = people_expected(400)
    assert job.preview["person"] == {"created": created, "merged": merged}
    assert not Person.objects.exists()
    job = import_now(job, owner)
    assert job.counts["person"] == {"created": created, "merged": merged}


def test_a_file_that_breaks_off_in_the_reading_process_fails_the_job_and_keeps_nothing(
    owner, tmp_path, monkeypatch
):
    monkeypatch.setattr("thrive.imports.parallel.PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr("thrive.imports.engine.BATCH_ROWS", 20)
    good = people_rows(200)
    # A cell longer than the csv module's limit after 200 rows: row 202 cannot be read,
    # after several batches were written.
    path = write(tmp_path, "broken.csv", good + 'x@example.com,"' + "x" * 3000 + '"\n')
    job = upload(path, "people", owner)
    old = csv.field_size_limit(1000)  # the forked reading process has it too
    try:
        services.request_run(job, actor=owner, dry_run=False, skip_dry_run=True, enqueue=False)
        job = services.run_job(job.pk, dry_run=False)
    finally:
        csv.field_size_limit(old)
    assert job.status == JobStatus.FAILED
    assert "row 202 cannot be read" in job.error
    assert not Person.objects.exists()  # the batches written before were undone


def test_an_error_in_the_reading_process_is_raised_here():
    def produce():
        yield 1
        raise ValueError("boom")

    with Ahead(produce, size=10**9) as ahead:
        assert ahead.parallel
        got = []
        with pytest.raises(RuntimeError, match="boom"):
            for item in ahead:
                got.append(item)
    assert got == [1]


def test_reading_ahead_gives_every_item_in_order_and_the_childs_cpu():
    with fewer_collections(), Ahead(lambda: iter(range(500)), size=10**9) as ahead:
        assert list(ahead) == list(range(500))
    assert ahead.child_cpu >= 0
    with Ahead(lambda: iter(range(5)), size=10) as small:
        assert not small.parallel
        assert list(small) == [0, 1, 2, 3, 4]


def test_an_import_file_error_in_the_reading_process_keeps_its_own_message():
    def produce():
        raise ImportFileError("people.csv: row 7 cannot be read (line contains NUL).")
        yield

    with Ahead(produce, size=10**9) as ahead, pytest.raises(ImportFileError, match="row 7"):
        list(ahead)


def test_a_batch_travels_between_processes_with_its_counts():
    batch = Batch(rows=[2, 3])
    batch.add("person", "merged")
    with Ahead(lambda: iter([batch]), size=10**9) as ahead:
        (copy,) = list(ahead)
    assert copy.counts == {"person": {"merged": 1}} and copy.rows == [2, 3]


def test_seen_keys_remember_by_name_on_disk():
    seen = SeenKeys()
    try:
        assert seen.find("email", ["a@x.com"]) == set()
        seen.add("email", ["a@x.com", "b@x.com", "a@x.com"])
        seen.add("order", ["#1"])
        assert seen.count == 3
        many = [f"n{i}@x.com" for i in range(2000)]
        seen.add("email", many)
        assert seen.find("email", ["a@x.com", "c@x.com", "#1", *many[::100]]) == {
            "a@x.com",
            *many[::100],
        }
        assert seen.find("order", ["#1", "#2"]) == {"#1"}
    finally:
        seen.close()


@pytest.mark.parametrize("threshold", [10**12, 0], ids=["here", "reading process"])
def test_a_quote_that_never_closes_fails_the_dry_run_and_the_import_keeping_nothing(
    owner, tmp_path, monkeypatch, threshold
):
    monkeypatch.setattr("thrive.imports.parallel.PARALLEL_MIN_BYTES", threshold)
    monkeypatch.setattr("thrive.imports.engine.BATCH_ROWS", 50)
    lines = people_rows(400).splitlines(keepends=True)
    lines[211] = 'late@example.com,"Broken,Quote,,2024-01-01\n'  # row 212 opens a quote
    path = write(tmp_path, "quote.csv", "".join(lines))
    expected = "row 212 opens a quote that never closes (line 212 of the file); nothing was"
    job = dry_run(upload(path, "people", owner), owner)
    assert job.status == JobStatus.FAILED
    assert expected in job.error
    job = upload(path, "people", owner)  # straight to the import: batches get written
    services.request_run(job, actor=owner, dry_run=False, skip_dry_run=True, enqueue=False)
    job = services.run_job(job.pk, dry_run=False)
    assert job.status == JobStatus.FAILED
    assert expected in job.error
    assert not Person.objects.exists()  # the four batches before row 212 were undone
