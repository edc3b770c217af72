"""`thrive import` from the command line: mapping options, dry run, the summary, undo."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from thrive.commerce.models import Order
from thrive.contacts.models import Person

from .helpers import write
from .test_orders_import import SHOP


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import", *args, "--no-progress", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_map_option_names_columns_the_headers_do_not_reveal(db, tmp_path):
    path = write(tmp_path, "people.csv", "Adresse,Vorname\nanna@x.de,Anna\n")
    output = run(str(path), "--kind", "people", "--map", "Adresse=email,Vorname=first_name")
    assert "Imported: 1 rows read, 0 rejected" in output
    assert Person.objects.get().first_name == "Anna"


def test_dry_run_prints_what_would_happen_and_saves_nothing(db, tmp_path):
    path = write(tmp_path, "orders_export.csv", SHOP)
    output = run(str(path), "--preset", "shopify-orders", "--dry-run")
    assert "Dry run (nothing saved): 9 rows read, 4 rejected" in output
    assert "order: 4 created, 3 rejected" in output
    assert "Rejected rows (row, column, reason):" in output
    assert not Order.objects.exists()


def test_import_then_undo_from_the_command_line(db, tmp_path):
    path = write(tmp_path, "orders_export.csv", SHOP)
    output = run(str(path), "--preset", "shopify-orders")
    assert Order.objects.count() == 4
    job_id = output.split("thrive import_undo ")[1].strip()
    out = io.StringIO()
    call_command("import_undo", job_id, stdout=out)
    assert "undone: 4 orders" in out.getvalue()
    assert not Order.objects.exists() and not Person.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "people", "--map", "Nope"], "is not HEADER=field"),
        (["--kind", "people", "--map", "Missing=email"], "The file has no column 'Missing'"),
        (["--map", "Email=email"], "Say what the file holds"),
        (["--preset", "shopify-orders", "--kind", "people"], "is for orders, not people"),
    ],
)
def test_bad_options_are_explained(db, tmp_path, args, message):
    path = write(tmp_path, "p.csv", "Email\na@x.com\n")
    with pytest.raises(CommandError, match=message):
        run(str(path), *args)


def test_the_summary_points_at_the_warnings_file(db, tmp_path):
    path = write(tmp_path, "people.csv", "Email,Phone\nann@x.com,12\n")
    output = run(str(path), "--kind", "people", "--dry-run")
    assert "Dry run (nothing saved): 1 rows read, 0 rejected" in output
    assert "warning: 1 phone left out" in output
    assert "Warnings (row, column, warning):" in output and "warnings-dry-run.csv" in output
