"""The Data page, CSV lists, the export job and the erase page, for each persona."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from thrive.conftest import client_for
from thrive.core.cells import csv_cell, safe_text
from thrive.portability import jobs
from thrive.portability.models import ErasureLog, ExportRun, ExportStatus
from thrive.segments.models import Segment
from thrive.testing.factories import OrderFactory, OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 555", "'+1 555"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("-4.50", "-4.50"),
        ("Plain text", "Plain text"),
        ("\tTab", "'\tTab"),
        (" =1+1", "' =1+1"),
        ("   @SUM(A1)", "'   @SUM(A1)"),
        ("\n=1+1", "'\n=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\n", "'\n"),
        ("\u3000=1+1", "'\u3000=1+1"),
        ("\u00a0+1", "'\u00a0+1"),
        ("\uff1dHYPERLINK(1)", "'\uff1dHYPERLINK(1)"),
        ("\uff0b1+2", "'\uff0b1+2"),
        ("\uff0d1+2", "'\uff0d1+2"),
        ("\uff20SUM(A1)", "'\uff20SUM(A1)"),
        ("\ufe66cmd", "'\ufe66cmd"),
        (" plain", " plain"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_cells_a_spreadsheet_would_run_get_an_apostrophe(text, shown):
    assert safe_text(text) == shown
    assert csv_cell(text) == shown


def test_cells_render_structures_as_json_and_missing_as_empty():
    assert csv_cell({"b": 1, "a": "x"}) == '{"a": "x", "b": 1}'
    assert csv_cell(None) == "" and csv_cell(True) == "true"
    assert csv_cell(Decimal("-12.50")) == "-12.50"


def test_every_persona_downloads_the_people_list_as_safe_csv(persona):
    PersonFactory(first_name="=cmd|' /C calc'!A0", last_name="Ruiz", email="ana@example.com")
    response = client_for(persona).get("/data/export/people.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming
    header, *rows = _rows(response)
    assert "email" in header and "password" not in header
    row = dict(zip(header, rows[0], strict=True))
    assert row["first_name"] == "'=cmd|' /C calc'!A0"
    assert row["email"] == "ana@example.com"


def test_rows_about_a_person_carry_their_email(owner):
    person = PersonFactory(email="lee@example.com")
    OrderFactory(person=person, total=Decimal("12.50"))
    header, row = _rows(client_for(owner).get("/data/export/orders.csv"))
    order = dict(zip(header, row, strict=True))
    assert order["person_id"] == str(person.pk)
    assert order["person_email"] == "lee@example.com"
    assert order["total"] == "12.50"


def test_the_team_is_an_owners_list_alone(owner, member, read_only):
    assert client_for(owner).get("/data/export/accounts.associate.csv").status_code == 200
    assert client_for(member).get("/data/export/accounts.associate.csv").status_code == 403
    assert client_for(read_only).get("/data/export/accounts.associate.csv").status_code == 403
    header = _rows(client_for(owner).get("/data/export/accounts.associate.csv"))[0]
    assert "password" not in header and "username" in header


def test_an_unknown_list_is_not_found(owner):
    assert client_for(owner).get("/data/export/nothing.csv").status_code == 404
    assert client_for(owner).get("/data/export/auth.permission.csv").status_code == 404


def test_a_long_list_streams_in_a_few_queries(owner):
    for i in range(45):
        PersonFactory(email=f"p{i}@example.com")
    client = client_for(owner)
    with CaptureQueriesContext(connection) as queries:
        rows = _rows(client.get("/data/export/contacts.person.csv"))
    assert len(rows) == 46
    assert len(queries) < 10  # session, user, the table list, a chunk: not one per row


def test_segment_members_download_as_csv(owner):
    for stage in ("client", "client", "prospect"):
        PersonFactory(stage=stage)
    segment = Segment.objects.create(
        name="Clients",
        rules={"rules": [{"field": "stage", "op": "in", "value": ["client"]}]},
    )
    response = client_for(owner).get(f"/data/export/segment/{segment.pk}.csv")
    header, *rows = _rows(response)
    stages = [dict(zip(header, r, strict=True))["stage"] for r in rows]
    assert stages == ["client", "client"] == [p.stage for p in segment.people()]


def test_organizations_list_links_to_its_csv(read_only):
    OrganizationFactory(name="+Acme")
    page = client_for(read_only).get("/organizations/")
    assert b"/data/export/organizations.csv" in page.content
    header, row = _rows(client_for(read_only).get("/data/export/organizations.csv"))
    assert dict(zip(header, row, strict=True))["name"] == "'+Acme"


def test_the_data_page_lists_the_lists_and_shows_owners_the_full_export(persona):
    response = client_for(persona).get("/data/")
    assert response.status_code == 200
    assert b"/data/export/orders.csv" in response.content
    assert (b"Export everything" in response.content) == (persona.role == "owner")


def test_only_an_owner_starts_an_export_and_a_second_request_joins_the_first(owner, member):
    assert client_for(member).post("/data/backup/").status_code == 403
    with pytest.raises(PermissionDenied):
        jobs.request_export(actor=member)
    first = jobs.request_export(actor=owner)
    assert jobs.request_export(actor=owner) == first
    assert ExportRun.objects.count() == 1


def test_the_export_job_writes_an_archive_the_owner_downloads(owner, member, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    PersonFactory(email="kim@example.com")
    run = ExportRun.objects.create(requested_by=owner)
    jobs.run_export(run.pk)
    run.refresh_from_db()
    assert run.state == ExportStatus.FINISHED and run.percent == 100
    assert run.rows >= 2 and run.tables > 20
    # Running it again (a second worker) does nothing: the run was claimed.
    assert jobs.run_export(run.pk).file_name == run.file_name

    status = client_for(owner).get(f"/data/backup/{run.pk}/status").json()
    assert status["state"] == "finished" and status["download"].endswith("/download")
    assert (status["percent"], status["active"], status["words"]) == (100, False, "Ready")
    assert client_for(member).get(f"/data/backup/{run.pk}/status").status_code == 403
    assert client_for(member).get(f"/data/backup/{run.pk}/download").status_code == 403
    response = client_for(owner).get(f"/data/backup/{run.pk}/download")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest = json.loads(archive.read("manifest.json"))
    people = next(t for t in manifest["tables"] if t["name"] == "contacts.person")
    assert people["count"] == 1
    assert b"kim@example.com" in archive.read("contacts.person.jsonl")
    assert "portability.exportrun" not in {t["name"] for t in manifest["tables"]}


def test_old_archives_are_pruned(owner, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    runs = [ExportRun.objects.create(requested_by=owner) for _ in range(jobs.KEEP_ARCHIVES + 1)]
    for run in runs:
        jobs.run_export(run.pk)
    files = sorted(p.name for p in (tmp_path / "exports").iterdir())
    assert len(files) == jobs.KEEP_ARCHIVES
    runs[0].refresh_from_db()
    assert runs[0].file_name == ""


def test_erase_page_needs_an_owner_and_the_typed_email(owner, member):
    person = PersonFactory(first_name="Zed", last_name="Quill", email="zed@example.com")
    assert client_for(member).get(f"/data/erase/{person.pk}/").status_code == 403
    client = client_for(owner)
    page = client.get(f"/people/{person.pk}/")
    assert f"/data/erase/{person.pk}/".encode() in page.content
    wrong = client.post(f"/data/erase/{person.pk}/", {"confirm": "zed"})
    assert wrong.status_code == 400 and b"Type zed@example.com exactly" in wrong.content
    assert not ErasureLog.objects.exists()
    done = client.post(f"/data/erase/{person.pk}/", {"confirm": "ZED@example.com"})
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.email is None and person.first_name == ""
    page = client.get(f"/people/{person.pk}/")
    assert b"Personal data erased" in page.content
    assert b"Anonymous record" in client.get("/data/").content


def test_starting_an_export_queues_the_background_job_after_commit(
    owner, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).post("/data/backup/")
    run = ExportRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#run-{run.pk}")
    queued = DBTaskResult.objects.get(task_path="thrive.portability.tasks.build_export")
    assert queued.args_kwargs["args"] == [run.pk]
    page = client_for(owner).get("/data/")
    assert b'id="export-bar"' in page.content and b"Waiting for the worker" in page.content


def test_archives_are_readable_by_the_server_account_alone(owner, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    run = jobs.run_export(ExportRun.objects.create(requested_by=owner).pk)
    path = tmp_path / "exports" / run.file_name
    assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "exports").stat().st_mode & 0o777 == 0o700


def test_big_tables_show_an_estimate_on_postgresql_and_small_ones_an_exact_count(
    owner, monkeypatch
):
    from thrive.contacts.models import Person
    from thrive.portability import lists

    for _ in range(3):
        PersonFactory()
    counts = lists.row_counts([Person])
    assert counts[Person] == (3, True)  # small (or never analysed): counted exactly
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE contacts_person")
        monkeypatch.setattr(lists, "EXACT_UP_TO", 1)
        rows, exact = lists.row_counts([Person])[Person]
        assert not exact and rows == 3  # ANALYZE saw all three rows
