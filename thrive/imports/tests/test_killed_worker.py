"""A real `thrive worker` killed with SIGKILL in the middle of an import, then another
worker started: the import resumes after its last written batch (or, for a dry run, is
failed and runs again), and Undo and Run work afterwards."""

from __future__ import annotations

import pytest

from thrive.core.testing.workers import WorkerDatabase, kill, wait_until
from thrive.imports import services

from .helpers import upload, write

ROWS = 50
BATCH = 10  # five batches; the first worker stops after writing two
LEASE = "2"


def _people_file(tmp_path):
    lines = ["Email,First name"] + [f"p{i:03d}@example.com,P{i}" for i in range(ROWS)]
    return write(tmp_path, "people.csv", "\n".join(lines) + "\n")


def _job(db: WorkerDatabase, pk: int) -> dict:
    row = db.query(
        "SELECT status, state, rows_read, checkpoint_row, error FROM imports_importjob "
        "WHERE id = %s",
        (pk,),
    )[0]
    return dict(zip(["status", "state", "rows_read", "checkpoint_row", "error"], row, strict=True))


def _people(db: WorkerDatabase) -> int:
    return db.value("SELECT count(*) FROM contacts_person")


@pytest.fixture
def workers(tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    yield lambda: WorkerDatabase(tmp_path)


def _first_worker(db: WorkerDatabase, tmp_path):
    flag = tmp_path / "paused"
    worker = db.start_worker(
        THRIVE_IMPORT_BATCH_ROWS=str(BATCH), THRIVE_JOB_LEASE_SECONDS=LEASE,
        THRIVE_JOBS_PAUSE_AFTER="2", THRIVE_JOBS_PAUSE_FLAG=str(flag),
    )  # fmt: skip
    wait_until(lambda: flag.exists() or worker.poll() is not None, timeout=90, what="pause")
    assert worker.poll() is None, db.log_text()
    kill(worker)


def _second_worker(db: WorkerDatabase):
    return db.start_worker(
        THRIVE_IMPORT_BATCH_ROWS=str(BATCH), THRIVE_JOB_LEASE_SECONDS=LEASE,
        THRIVE_JOB_SWEEP_SECONDS="1",
    )  # fmt: skip


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_import_whose_worker_was_killed_resumes_after_its_last_batch(owner, tmp_path, workers):
    job = upload(_people_file(tmp_path), "people", owner)
    services.request_run(job, actor=owner, dry_run=False, skip_dry_run=True)
    db = workers()
    try:
        _first_worker(db, tmp_path)
        killed = _job(db, job.pk)
        # Two batches written and checkpointed; the job still says running.
        assert (killed["state"], killed["rows_read"]) == ("running", 2 * BATCH), db.log_text()
        assert _people(db) == 2 * BATCH

        _second_worker(db)
        wait_until(lambda: _job(db, job.pk)["state"] == "finished", timeout=90, what="resume")
    finally:
        db.stop()
    done = _job(db, job.pk)
    assert (done["status"], done["rows_read"]) == ("done", ROWS)
    assert _people(db) == ROWS  # nobody twice, nobody missing
    counts = db.value("SELECT counts FROM imports_importjob WHERE id = %s", (job.pk,))
    assert f'"created": {ROWS}' in str(counts).replace("'", '"')
    log = db.log_text()
    assert f"import {job.pk} (" in log and "resumed from its checkpoint" in log
    assert f"import {job.pk} finished" in log

    out = db.python(f"from django.core.management import call_command; "
                    f"call_command('import_undo', {job.pk})")  # fmt: skip
    assert f"{ROWS:,} people" in out or f"{ROWS} people" in out, out
    assert _people(db) == 0


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_dry_run_whose_worker_was_killed_is_failed_and_runs_again(owner, tmp_path, workers):
    job = upload(_people_file(tmp_path), "people", owner)
    services.request_run(job, actor=owner, dry_run=True)
    db = workers()
    try:
        _first_worker(db, tmp_path)
        assert _job(db, job.pk)["state"] == "running"
        _second_worker(db)
        failed = wait_until(
            lambda: (j := _job(db, job.pk))["state"] == "failed" and j, timeout=90, what="fail"
        )
        assert failed["status"] == "failed"
        assert f"after {2 * BATCH} rows; nothing was changed" in failed["error"]
        assert _people(db) == 0

        # Run works again: the dry run is queued and the living worker does it.
        db.python(
            "from thrive.imports import services; from thrive.imports.models import ImportJob; "
            f"services.request_run(ImportJob.objects.get(pk={job.pk}), actor=None, dry_run=True)"
        )
        wait_until(lambda: _job(db, job.pk)["status"] == "checked", timeout=90, what="rerun")
    finally:
        db.stop()
    assert _job(db, job.pk)["rows_read"] == ROWS
    assert _people(db) == 0


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_import_given_up_keeps_what_it_wrote_for_undo_or_a_second_run(owner, tmp_path, workers):
    job = upload(_people_file(tmp_path), "people", owner)
    services.request_run(job, actor=owner, dry_run=False, skip_dry_run=True)
    db = workers()
    try:
        # A job that has killed its worker as often as allowed is not resumed again.
        _first_worker(db, tmp_path)
        db.execute("UPDATE imports_importjob SET attempts = 3 WHERE id = %s", (job.pk,))
        _second_worker(db)
        failed = wait_until(
            lambda: (j := _job(db, job.pk))["state"] == "failed" and j, timeout=90, what="fail"
        )
        assert failed["status"] == "failed" and failed["rows_read"] == 2 * BATCH
        assert f"after writing {2 * BATCH} rows" in failed["error"]
        assert _people(db) == 2 * BATCH  # kept: Undo removes them, Run carries on

        db.python(
            "from thrive.imports import services; from thrive.imports.models import ImportJob; "
            f"services.request_run(ImportJob.objects.get(pk={job.pk}), actor=None, dry_run=False)"
        )
        wait_until(lambda: _job(db, job.pk)["status"] == "done", timeout=90, what="run again")
    finally:
        db.stop()
    assert _people(db) == ROWS and _job(db, job.pk)["rows_read"] == ROWS
