"""Import pages: the flow from upload to undo, permissions, and bad input without a 500."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from thrive.conftest import client_for
from thrive.contacts.models import Person
from thrive.imports import services
from thrive.imports.models import ImportJob, JobStatus

from .helpers import upload, write

CSV = b"E-mail,First,Last\nann@x.com,Ann,Lee\nbad,Bo,\n"


def run_queued(job: ImportJob) -> ImportJob:
    """What the worker does with the job the page queued."""
    job.refresh_from_db()
    return services.run_job(job.pk, dry_run=job.status == JobStatus.CHECKING)


def test_the_landing_page_lists_imports_and_offers_the_upload_form(owner):
    response = client_for(owner).get(reverse("imports"))
    assert response.status_code == 200
    assert b'name="file"' in response.content
    assert b"No imports yet" in response.content


def test_read_only_sees_the_history_but_cannot_upload_or_map(read_only, owner, tmp_path):
    client = client_for(read_only)
    response = client.get(reverse("imports"))
    assert response.status_code == 200 and b'name="file"' not in response.content
    posted = client.post(
        reverse("imports"), {"kind": "people", "file": SimpleUploadedFile("a.csv", CSV)}
    )
    assert posted.status_code == 403
    job = upload(write(tmp_path, "a.csv", CSV), "people", owner)
    assert client.get(reverse("import_mapping", args=[job.pk])).status_code == 403
    assert client.post(reverse("import_run", args=[job.pk])).status_code == 403
    assert client.post(reverse("import_undo", args=[job.pk])).status_code == 403
    assert client.get(reverse("import_rejected", args=[job.pk])).status_code == 403


@pytest.mark.parametrize("role", ["owner", "member"])
def test_upload_map_dry_run_import_and_undo_through_the_pages(
    role, owner, member, django_capture_on_commit_callbacks
):
    client = client_for(owner if role == "owner" else member)
    response = client.post(
        reverse("imports"), {"kind": "people", "file": SimpleUploadedFile("contacts.csv", CSV)}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("import_mapping", args=[job.pk])
    page = client.get(response.url).content.decode()
    # Suggested from the headers: "E-mail" → email.
    assert re.search(r'<option value="email" selected>', page)
    with django_capture_on_commit_callbacks():
        response = client.post(
            reverse("import_mapping", args=[job.pk]),
            {
                "map-0": "email",
                "map-1": "first_name",
                "map-2": "last_name",
                "merge_rule": "fill",
                "date_order": "mdy",
                "preset_name": "Our contacts sheet",
            },
        )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.CHECKING
    page = client.get(reverse("import_job", args=[job.pk])).content.decode()
    assert 'id="import-bar"' in page
    assert client.get(reverse("import_status", args=[job.pk])).json()["active"] is True
    run_queued(job)
    page = client.get(reverse("import_job", args=[job.pk])).content.decode()
    assert "What will happen" in page and "Import now" in page
    assert "&#x27;bad&#x27; is not a valid email address." in page
    assert not Person.objects.exists()
    with django_capture_on_commit_callbacks():
        client.post(reverse("import_run", args=[job.pk]))
    run_queued(job)
    assert Person.objects.filter(email="ann@x.com").exists()
    download = client.get(reverse("import_rejected", args=[job.pk]))
    assert b"".join(download.streaming_content).decode().splitlines() == [
        "row,column,reason",
        "3,E-mail,'bad' is not a valid email address.",
    ]
    response = client.post(reverse("import_undo", args=[job.pk]), follow=True)
    assert b"Import undone: 1 person removed." in response.content
    assert not Person.objects.exists()


def test_import_now_before_a_dry_run_is_refused_with_a_message(owner, tmp_path):
    job = upload(write(tmp_path, "a.csv", CSV), "people", owner)
    response = client_for(owner).post(reverse("import_run", args=[job.pk]), follow=True)
    assert b"Run the dry run first" in response.content
    job.refresh_from_db()
    assert job.status == JobStatus.MAPPING


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.pdf", b"%PDF-1.4", b"Upload a .csv"),
        ("a.xlsx", b"not a workbook", b"not a readable Excel file"),
        ("a.csv", b"", b"The submitted file is empty"),
        ("a.csv", b"\n\n\n", b"is empty"),
    ],
)
def test_bad_files_get_a_clear_message_not_a_server_error(owner, name, content, message):
    response = client_for(owner).post(
        reverse("imports"), {"kind": "people", "file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    assert message in response.content
    assert not ImportJob.objects.exists()


def test_a_mapping_with_problems_is_shown_again_with_them(owner, tmp_path):
    job = upload(write(tmp_path, "a.csv", CSV), "people", owner)
    response = client_for(owner).post(
        reverse("import_mapping", args=[job.pk]),
        {"map-0": "", "map-1": "first_name", "map-2": "first_name", "merge_rule": "fill"},
    )
    assert response.status_code == 200
    assert b"Map a column to email" in response.content
    assert b"Both &#x27;First&#x27; and &#x27;Last&#x27; map to first_name." in response.content


def test_status_of_a_job_that_does_not_exist_is_404(owner):
    assert client_for(owner).get(reverse("import_status", args=[999])).status_code == 404


def test_a_file_with_ten_thousand_columns_gets_a_message_on_the_upload_page(owner):
    header = ",".join(f"Column {i}" for i in range(10_000)).encode()
    response = client_for(owner).post(
        reverse("imports"),
        {"kind": "people", "file": SimpleUploadedFile("wide.csv", header + b"\n" + b"1,2\n")},
    )
    assert response.status_code == 200
    assert b"has 10,000 columns; an import reads at most 500" in response.content
    assert not ImportJob.objects.exists()


def test_the_undo_message_says_what_was_removed_and_what_was_put_back(owner, tmp_path):
    Person.objects.create(email="kim@x.com")
    text = b"Email,First name\nkim@x.com,Kim\na@x.com,A\nb@x.com,B\nc@x.com,C\n"
    job = upload(write(tmp_path, "c.csv", text), "people", owner)
    services.request_run(job, actor=owner, dry_run=False, skip_dry_run=True, enqueue=False)
    services.run_job(job.pk, dry_run=False)
    client = client_for(owner)
    response = client.post(reverse("import_undo", args=[job.pk]), follow=True)
    expected = "Import undone: 3 people removed, 1 person&#x27;s changes put back."
    assert expected in response.content.decode()
    page = client.get(reverse("import_job", args=[job.pk])).content.decode()
    assert "3 people removed, 1 person&#x27;s changes put back." in page


def test_the_mapping_page_names_the_encoding_and_lets_the_owner_read_the_file_as_another(
    owner, tmp_path
):
    # Windows-1251 (Cyrillic) is not recognised by itself: it reads as Windows-1252.
    text = "Email,Имя\nivan@x.ru,Иван\n".encode("cp1251")
    job = upload(write(tmp_path, "ru.csv", text), "people", owner)
    client = client_for(owner)
    page = client.get(reverse("import_mapping", args=[job.pk])).content.decode()
    assert 'read as <span id="encoding-used">Windows-1252 (Western Europe)</span>' in page
    assert '<option value="cp1251" >Windows-1251 (Cyrillic)</option>' in page
    response = client.post(
        reverse("import_mapping", args=[job.pk]),
        {"change_encoding": "1", "encoding": "cp1251"},
        follow=True,
    )
    page = response.content.decode()
    assert "Read the file again as Windows-1251 (Cyrillic)." in page
    job.refresh_from_db()
    assert (job.encoding, job.headers, job.sample) == (
        "cp1251",
        ["Email", "Имя"],
        [["ivan@x.ru", "Иван"]],
    )
    # An encoding the file's bytes do not fit is refused with the line, nothing changes.
    response = client.post(
        reverse("import_mapping", args=[job.pk]), {"change_encoding": "1", "encoding": "utf-8-sig"}
    )
    assert response.status_code == 200
    assert "The file is not UTF-8: line 1 has bytes that encoding does not have" in (
        response.content.decode()
    )
    job.refresh_from_db()
    assert job.encoding == "cp1251"
