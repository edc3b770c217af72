"""Taking data out in a real browser: the Data page, a full export with its progress bar
and download, a CSV list, and erasing a person with a typed confirmation."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from thrive.contacts.models import Person, Stage
from thrive.core.roles import Role
from thrive.portability import jobs
from thrive.portability.models import ExportRun
from thrive.testing.factories import AssociateFactory

from .conftest import open_section, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def business(settings, tmp_path, live_server):
    settings.DATA_DIR = tmp_path
    call_command(
        "demo", "--people=200", "--seed=5", "--as-of=2026-06-30", "--no-progress",
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip
    AssociateFactory(username="owner", first_name="Olive", role=Role.OWNER)
    AssociateFactory(username="reader", first_name="Rae", role=Role.READ_ONLY)
    return live_server


def test_an_owner_exports_everything_and_downloads_the_archive(page, business):
    sign_in(page, "owner")
    open_section(page, "Data & settings")
    page.get_by_role("link", name="Data", exact=True).click()
    expect(page.get_by_role("heading", name="Your data")).to_be_visible()
    screenshot(page, "data-page")

    page.get_by_role("button", name="Export everything").click()
    bar = page.locator("#export-bar")
    expect(bar).to_be_visible()
    screenshot(page, "data-export-running")
    run = ExportRun.objects.get()
    jobs.run_export(run.pk)  # what `thrive worker` does with the queued job

    link = page.get_by_role("link", name="Download", exact=True)
    expect(link).to_be_visible(timeout=20_000)  # the page polls, then reloads when ready
    screenshot(page, "data-export-ready")
    with page.expect_download() as download:
        link.click()
    archive = zipfile.ZipFile(download.value.path())
    manifest = json.loads(archive.read("manifest.json"))
    people = next(t for t in manifest["tables"] if t["name"] == "contacts.person")
    assert people["count"] == Person.objects.count()


def test_a_read_only_associate_downloads_a_list_but_not_the_whole_business(page, business):
    sign_in(page, "reader")
    page.goto("/data/")
    expect(page.get_by_role("button", name="Export everything")).to_have_count(0)
    with page.expect_download() as download:
        page.locator("a[href='/data/export/orders.csv']").click()
    assert download.value.suggested_filename.startswith("orders-")
    lines = open(download.value.path(), encoding="utf-8").read().splitlines()
    assert lines[0].startswith("id,") and "person_email" in lines[0]
    assert len(lines) > 100


def test_an_owner_erases_a_person_after_typing_their_email(page, business):
    person = (
        Person.objects.filter(stage=Stage.CLIENT, associate_account=None, roles=None)
        .exclude(email=None)
        .order_by("pk")
        .first()
    )
    email, name = person.email, person.full_name
    sign_in(page, "owner")
    page.goto(f"/people/{person.pk}/")
    page.get_by_role("link", name="Erase personal data…").click()
    page.get_by_label(f"Type {email} to confirm").fill("not the email")
    page.get_by_role("button", name="Erase personal data").click()
    expect(page.get_by_role("alert")).to_contain_text(f"Type {email} exactly")
    screenshot(page, "data-erase-confirm")

    page.get_by_label(f"Type {email} to confirm").fill(email)
    page.get_by_role("button", name="Erase personal data").click()
    expect(page.get_by_role("heading", name="Personal data erased")).to_be_visible()
    expect(page.get_by_text(name, exact=False)).to_have_count(0)
    screenshot(page, "data-person-erased")
    person.refresh_from_db()
    assert person.email is None and person.orders.exists()
