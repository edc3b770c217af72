"""Imports on the job kit: what a stray task, a status poll and a failed run do."""

from __future__ import annotations

import pytest

from thrive.conftest import client_for
from thrive.contacts.models import Person
from thrive.imports import services
from thrive.imports.models import ImportJob, JobStatus

from .helpers import upload, write

pytestmark = pytest.mark.django_db

PEOPLE = "Email,First name\na@example.com,Ann\nb@example.com,Bo\nc@example.com,Cy\n"


def test_a_stray_task_for_an_import_still_being_mapped_does_nothing(owner, tmp_path):
    job = upload(write(tmp_path, "p.csv", PEOPLE), "people", owner)
    for dry_run in (True, False):
        services.run_job(job.pk, dry_run=dry_run)
    job.refresh_from_db()
    assert (job.status, job.rows_read, job.attempts) == (JobStatus.MAPPING, 0, 0)
    assert not Person.objects.exists()


def test_the_import_status_is_the_kits_shape_with_the_rows_read(owner, tmp_path):
    job = upload(write(tmp_path, "p.csv", PEOPLE), "people", owner)
    services.request_run(job, actor=owner, dry_run=True)
    queued = client_for(owner).get(f"/imports/{job.pk}/status/").json()
    assert queued["state"] == "queued" and queued["active"] is True
    assert queued["words"] == "Waiting for the background worker…"
    services.run_job(job.pk, dry_run=True)
    done = client_for(owner).get(f"/imports/{job.pk}/status/").json()
    assert (done["kind"], done["state"], done["percent"], done["active"]) == (
        "import", "finished", 100, False,
    )  # fmt: skip
    assert (done["status"], done["rows_read"], done["words"]) == ("checked", 3, "3 rows read")


def test_an_import_failed_after_writing_batches_can_be_undone(owner, tmp_path):
    job = upload(write(tmp_path, "p.csv", PEOPLE), "people", owner)
    services.request_run(job, actor=owner, dry_run=False, skip_dry_run=True)
    services.run_job(job.pk, dry_run=False)
    assert Person.objects.count() == 3
    # As the sweep leaves an import whose worker died too often.
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, state="failed")
    job.refresh_from_db()
    assert job.can_undo and job.checkpoint_row > 0
    page = client_for(owner).get(f"/imports/{job.pk}/").content.decode()
    assert "Undo what it wrote" in page and "Run the import again from where it stopped" in page
    services.undo_import(job, actor=owner)
    job.refresh_from_db()
    assert job.status == JobStatus.UNDONE and not Person.objects.exists()
    assert not job.can_undo
