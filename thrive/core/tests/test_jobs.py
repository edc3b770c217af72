"""The job kit on a real database (SQLite here, PostgreSQL with DATABASE_URL): claim,
heartbeat, a lost lease, the sweep, and the one status shape."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import ClassVar

import pytest
from django.db import OperationalError, connection, models
from django.test.utils import isolate_apps
from django.utils import timezone

from thrive.core.jobs import BackgroundJob, JobState, LeaseLost, claim, sweep

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def probe():
    """A concrete job model with its own table, for this test only."""
    with isolate_apps("thrive.core"):

        class ProbeJob(BackgroundJob):
            job_label = "probe"
            resumable = True
            queued_again: ClassVar[list[int]] = []
            given_up: ClassVar[list[int]] = []
            note = models.CharField(max_length=40, blank=True)

            class Meta:
                app_label = "core"

            def enqueue(self) -> None:
                type(self).queued_again.append(self.pk)

            def on_given_up(self, now: object) -> None:
                type(self).given_up.append(self.pk)

        with connection.schema_editor() as editor:
            editor.create_model(ProbeJob)
        try:
            yield ProbeJob
        finally:
            with connection.schema_editor() as editor:
                editor.delete_model(ProbeJob)


def _patiently(call):
    """``call()``, retried while SQLite's shared in-memory test database reports a locked
    table (it fails at once where a database file waits out its busy timeout)."""
    for _ in range(500):
        try:
            return call()
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(0.01)
    raise AssertionError("the table stayed locked")


def _expire(model, pk: int) -> None:
    model.objects.filter(pk=pk).update(lease_expires_at=timezone.now() - dt.timedelta(seconds=1))


def test_a_queued_job_is_claimed_once(probe, settings):
    settings.THRIVE_JOB_LEASE_SECONDS = 30
    job = probe.objects.create()
    lease = claim(probe, job.pk, note="mine")
    assert lease is not None
    assert claim(probe, job.pk) is None  # a second worker gets nothing
    job.refresh_from_db()
    assert (job.state, job.attempts, job.note) == (JobState.RUNNING, 1, "mine")
    assert job.lease_owner == lease.owner and job.started_at is not None
    assert 25 <= (job.lease_expires_at - timezone.now()).total_seconds() <= 30


def test_of_two_workers_claiming_at_once_exactly_one_wins(probe):
    job = probe.objects.create()
    won: list[bool] = []
    start = threading.Barrier(2)

    def worker() -> None:
        try:
            start.wait()
            won.append(_patiently(lambda: claim(probe, job.pk)) is not None)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(won) == [False, True]


def test_a_heartbeat_records_progress_and_extends_the_lease(probe, settings):
    settings.THRIVE_JOB_LEASE_SECONDS = 60
    job = probe.objects.create()
    lease = claim(probe, job.pk)
    probe.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now())
    lease.beat(done=40, total=200, note="batch 2")
    job.refresh_from_db()
    assert (job.done, job.total, job.note, job.percent) == (40, 200, "batch 2", 20)
    assert job.lease_expires_at > timezone.now() + dt.timedelta(seconds=50)


def test_a_worker_whose_lease_was_taken_over_is_stopped_at_its_next_heartbeat(probe):
    job = probe.objects.create()
    old = claim(probe, job.pk)
    _expire(probe, job.pk)
    new = claim(probe, job.pk)  # another worker takes the expired job
    assert new is not None and new.owner != old.owner
    with pytest.raises(LeaseLost):
        old.beat(done=1)
    with pytest.raises(LeaseLost):
        old.finish()
    new.finish()
    job.refresh_from_db()
    assert (job.state, job.attempts, job.lease_owner) == (JobState.FINISHED, 2, "")


def test_a_live_lease_is_not_swept(probe):
    job = probe.objects.create()
    claim(probe, job.pk)
    assert sweep([probe]) == []
    assert probe.objects.get(pk=job.pk).state == JobState.RUNNING


def test_the_sweep_queues_a_resumable_job_whose_worker_died(probe, caplog):
    job = probe.objects.create()
    claim(probe, job.pk).beat(done=3, total=10)
    _expire(probe, job.pk)
    with caplog.at_level("WARNING", logger="thrive.jobs"):
        swept = sweep([probe])
    assert [(s.job.pk, s.resumed) for s in swept] == [(job.pk, True)]
    job.refresh_from_db()
    assert (job.state, job.lease_owner, job.done) == (JobState.QUEUED, "", 3)
    assert probe.queued_again == [job.pk]
    assert f"probe {job.pk} (3 of 10)" in caplog.text
    assert claim(probe, job.pk) is not None  # and a worker carries on with it


def test_a_job_that_killed_its_worker_too_often_is_failed_saying_how_far_it_got(probe):
    job = probe.objects.create()
    claim(probe, job.pk).beat(done=7, total=10)
    probe.objects.filter(pk=job.pk).update(attempts=probe.max_attempts)
    _expire(probe, job.pk)
    assert [s.resumed for s in sweep([probe])] == [False]
    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.finished_at is not None
    assert "stopped after 7 of 10" in job.error
    assert probe.given_up == [job.pk]
    assert sweep([probe]) == []  # once only


def test_two_sweepers_at_once_take_each_dead_job_once(probe):
    jobs = [probe.objects.create() for _ in range(4)]
    for job in jobs:
        claim(probe, job.pk)
        _expire(probe, job.pk)
    results: list[int] = []
    start = threading.Barrier(2)

    def sweeper() -> None:
        # A sweep that met a locked table (SQLite) leaves the job to the next sweep.
        try:
            start.wait()
            for _ in range(50):
                results.extend(s.job.pk for s in _patiently(lambda: sweep([probe])))
                if not _patiently(probe.objects.filter(state=JobState.RUNNING).exists):
                    break
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == sorted(j.pk for j in jobs)
    assert sorted(probe.queued_again) == sorted(j.pk for j in jobs)


def test_every_job_reports_the_same_status_shape(probe):
    job = probe.objects.create(total=4)
    lease = claim(probe, job.pk)
    lease.beat(done=1)
    assert lease.job.status_json() == {
        "id": job.pk, "kind": "probe", "state": "running", "percent": 25, "done": 1,
        "total": 4, "words": "25% done", "active": True, "finished": False,
        "failed": False, "error": "",
    }  # fmt: skip
    lease.finish()
    assert (lease.job.status_json()["percent"], lease.job.status_json()["finished"]) == (100, True)
