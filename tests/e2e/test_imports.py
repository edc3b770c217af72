"""Journey step 2 in a real browser: Maya brings in her shop's orders export and a
spreadsheet of contacts, checks the dry run, imports with a progress bar, and undoes."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from thrive.commerce.models import Order
from thrive.contacts.models import Person
from thrive.core.roles import Role
from thrive.imports import services
from thrive.imports.models import ImportJob, JobStatus
from thrive.testing.factories import AssociateFactory

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

ORDERS = (
    "Name,Email,Financial Status,Currency,Refunded Amount,Created at,Lineitem quantity,"
    "Lineitem name,Lineitem price,Lineitem sku,Billing Name\n"
    "#1001,lena@example.com,paid,USD,,2024-03-05 10:00:00 -0500,2,House Blend 250g,12.50,"
    "HB-250,Lena Park\n"
    "#1001,,,,,,1,Ceramic Mug,18.00,MUG-1,\n"
    "#1002,jonas@example.de,partially_refunded,EUR,5.00,2024-03-06 09:30:00 +0100,1,"
    "Espresso 1kg,32.90,ES-1K,Jonas Weber\n"
    "#1003,lena@example.com,voided,USD,,2024-03-07 12:00:00 -0500,1,Filter papers,4.10,"
    "FP-100,Lena Park\n"
    "#1004,sam@example.com,refunded,USD,,2024-03-08 08:00:00 -0500,1,Drip kettle,49.00,"
    "DR-01,Sam Ortiz\n"
    "#1005,typo@example,paid,USD,,2024-03-09,1,House Blend 250g,12.50,HB-250,Ty Po\n"
    "#1006,ok@example.com,paid,USD,,2024-03-09,1,House Blend 250g,12.505,HB-250,Oka Y\n"
)
CONTACTS = (
    "E-mail,First,Last,Company,Newsletter\n"
    "LENA@example.com,Lena,Park,,yes\n"
    "nora@example.com,Nora,Quinn,Bean There Cafe,yes\n"
    "nora@example.com,Nora,Q.,,\n"
    "not an email,Bad,Row,,\n"
)


@pytest.fixture
def maya(settings, tmp_path, live_server):
    settings.DATA_DIR = tmp_path / "data"
    settings.THRIVE_CURRENCY = "USD"
    return AssociateFactory(username="maya", first_name="Maya", role=Role.OWNER)


def _worker(kind_of_run: str, on_batch=None) -> None:  # type: ignore[no-untyped-def]
    """What `thrive worker` does with the job the page queued."""
    job = ImportJob.objects.get(status=kind_of_run)
    services.run_job(job.pk, dry_run=kind_of_run == JobStatus.CHECKING, progress_bar=on_batch)


def test_maya_imports_her_shop_orders_checks_the_dry_run_and_undoes(
    page, maya, tmp_path, monkeypatch
):
    monkeypatch.setattr("thrive.imports.engine.BATCH_ROWS", 2)
    export = tmp_path / "orders_export.csv"
    export.write_text(ORDERS)
    sign_in(page, "maya")
    page.goto("/imports/")
    expect(page.get_by_text("No imports yet")).to_be_visible()
    page.get_by_label("File", exact=True).set_input_files(str(export))
    page.get_by_label("What is in it").select_option("orders")
    page.get_by_label("Column preset").select_option("shopify-orders")
    page.get_by_role("button", name="Upload and map columns").click()

    page.get_by_role("heading", name="Which column is what?").wait_for()
    expect(page.get_by_label("Thrive field for Name")).to_have_value("order_number")
    expect(page.get_by_label("Thrive field for Lineitem price")).to_have_value("unit_price")
    screenshot(page, "imports-mapping")
    page.get_by_role("button", name="Check with a dry run").click()

    bar = page.locator("#import-bar")
    expect(bar).to_be_visible()
    shot = []

    def midway(fraction: float, rows: int) -> None:
        # After the first batch the page, polling on its own, shows how far the run got.
        if not shot:
            # Polled from here: the page's policy forbids the eval wait_for_function uses.
            deadline = time.monotonic() + 15
            while bar.evaluate("el => el.value") <= 0:
                assert time.monotonic() < deadline, "the progress bar never moved"
                page.wait_for_timeout(100)
            expect(page.locator("#import-step")).to_have_text(f"{rows} rows read")
            shot.append(screenshot(page, "imports-progress"))

    _worker(JobStatus.CHECKING, midway)
    assert shot
    page.get_by_role("heading", name="Dry run: what the import will do").wait_for()
    outcome = page.locator("#outcome")
    expect(outcome.locator("tr[data-kind=order][data-action=created] td.num")).to_have_text("4")
    expect(outcome.locator("tr[data-kind=order][data-action=rejected] td.num")).to_have_text("2")
    rejected = page.locator("#rejected")
    expect(rejected).to_contain_text("'typo@example' is not a valid email address.")
    expect(rejected).to_contain_text("'12.505' has more than 2 decimal places.")
    screenshot(page, "imports-dry-run")
    assert not Order.objects.exists()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download every rejected row").click()
    assert download.value.suggested_filename.endswith("-rejected-dry-run.csv")

    page.get_by_role("button", name="Import now").click()
    expect(page.locator("#import-bar")).to_be_visible()
    _worker(JobStatus.QUEUED)
    page.get_by_role("heading", name="Imported").wait_for()
    assert Order.objects.count() == 4
    assert Person.objects.get(email="jonas@example.de").stage == "client"
    screenshot(page, "imports-done")

    page.get_by_role("button", name="Undo this import").click()
    expect(page.get_by_text("Import undone:")).to_be_visible()
    assert not Order.objects.exists() and not Person.objects.exists()


def test_maya_imports_a_spreadsheet_of_contacts_with_merges_shown(page, maya, tmp_path):
    sheet = tmp_path / "contacts.csv"
    sheet.write_text(CONTACTS)
    Person.objects.create(email="lena@example.com", first_name="Lena")
    sign_in(page, "maya")
    page.goto("/imports/")
    page.get_by_label("File", exact=True).set_input_files(str(sheet))
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.get_by_label("Thrive field for E-mail")).to_have_value("email")
    expect(page.get_by_label("Thrive field for Newsletter")).to_have_value("email_consent")
    page.get_by_label("Save this mapping as a preset").fill("Café contacts sheet")
    page.get_by_role("button", name="Check with a dry run").click()
    _worker(JobStatus.CHECKING)
    page.get_by_role("heading", name="Dry run: what the import will do").wait_for()
    outcome = page.locator("#outcome")
    expect(outcome.locator("tr[data-kind=person][data-action=created] td.num")).to_have_text("1")
    expect(outcome.locator("tr[data-kind=person][data-action=merged] td.num")).to_have_text("1")
    expect(outcome.locator("tr[data-kind=person][data-action=updated] td.num")).to_have_text("1")
    expect(page.get_by_text("Matched by email (trimmed, lower-case).")).to_be_visible()
    screenshot(page, "imports-contacts-dry-run")
