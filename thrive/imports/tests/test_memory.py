"""An import's memory does not grow with the file: rows are streamed and written per batch."""

from __future__ import annotations

import tracemalloc

from thrive.contacts.models import Person

from .helpers import dry_run, import_now, upload


def people_file(path, n):
    with path.open("w") as out:
        out.write("Email,First name,Last name,City\n")
        for i in range(n):
            out.write(f"person{i:07d}@example.com,First{i},Last{i},Leeds\n")
    return path


def peak_of(run, job, owner):
    """``run(job, owner)``'s result and the most memory Python held meanwhile."""
    tracemalloc.start()
    try:
        job = run(job, owner)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return job, peak


def peak_of_import(owner, path):
    return peak_of(import_now, dry_run(upload(path, "people", owner), owner), owner)


def test_importing_five_times_the_rows_does_not_need_more_memory(owner, tmp_path, monkeypatch):
    monkeypatch.setattr("thrive.imports.engine.BATCH_ROWS", 1000)
    small_job, small = peak_of_import(owner, people_file(tmp_path / "small.csv", 3_000))
    big_job, big = peak_of_import(owner, people_file(tmp_path / "big.csv", 15_000))
    assert small_job.counts["person"] == {"created": 3_000}
    assert big_job.counts["person"] == {"created": 12_000, "unchanged": 3_000}
    assert Person.objects.count() == 15_000
    # Bounded by one batch, not by the file: five times the rows, well under twice the peak.
    assert big < 2 * small, f"{small:,} bytes for 3,000 rows but {big:,} for 15,000"


def peak_of_dry_run(owner, path):
    return peak_of(dry_run, upload(path, "people", owner), owner)


def test_a_dry_run_of_ten_times_the_rows_does_not_need_more_memory(owner, tmp_path, monkeypatch):
    # A dry run must remember every email earlier batches would create (to count a repeat
    # as merged): kept on disk, not in a set that grows with the file.
    monkeypatch.setattr("thrive.imports.engine.BATCH_ROWS", 1000)
    small_job, small = peak_of_dry_run(owner, people_file(tmp_path / "small.csv", 3_000))
    path = people_file(tmp_path / "big.csv", 30_000)
    with path.open("a") as out:  # the first 500 people again, at the end of the file
        for i in range(500):
            out.write(f"person{i:07d}@example.com,Again{i},Last{i},York\n")
    big_job, big = peak_of_dry_run(owner, path)
    assert small_job.preview["person"] == {"created": 3_000}
    assert big_job.preview["person"] == {"created": 30_000, "merged": 500}
    assert not Person.objects.exists()
    assert big < 1.5 * small, f"{small:,} bytes for 3,000 rows but {big:,} for 30,500"
