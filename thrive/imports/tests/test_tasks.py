"""The background job: queued on commit for the worker, and safe to run twice."""

from __future__ import annotations

from django_tasks_db.models import DBTaskResult

from thrive.contacts.models import Person
from thrive.imports import services
from thrive.imports.models import JobStatus
from thrive.imports.tasks import run_import_job

from .helpers import upload, write


def test_a_dry_run_is_queued_for_the_worker_only_once_committed(
    owner, tmp_path, django_capture_on_commit_callbacks
):
    job = upload(write(tmp_path, "c.csv", "Email\na@x.com\n"), "people", owner)
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.request_run(job, actor=owner, dry_run=True)
    assert not DBTaskResult.objects.exists()
    for callback in callbacks:
        callback()
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "thrive.imports.tasks.run_import_job"
    assert queued.args_kwargs["args"] == [job.pk, True]


def test_the_task_runs_the_import_and_a_second_run_does_nothing(owner, tmp_path):
    job = upload(write(tmp_path, "c.csv", "Email\na@x.com\nb@x.com\n"), "people", owner)
    services.request_run(job, actor=owner, dry_run=True)
    assert run_import_job.call(job.pk, True) == 2
    services.request_run(job, actor=owner, dry_run=False)
    assert run_import_job.call(job.pk, False) == 2
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    # A duplicate delivery of the same job finds it claimed and changes nothing.
    run_import_job.call(job.pk, False)
    assert Person.objects.count() == 2
