"""A full export restores into an empty install as exactly the same business."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from thrive.accounts.models import Associate
from thrive.commerce.models import Order, PersonOrderTotals
from thrive.contacts.models import Activity, Person
from thrive.portability.archive import write_archive
from thrive.portability.registry import present_models, table_name
from thrive.portability.restore import RestoreError, restore_archive

from .conftest import empty_every_table

pytestmark = pytest.mark.django_db


def _tables(path: Path) -> dict[str, dict]:
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        return {t["name"]: {**t, "rows": zf.read(f"{t['name']}.jsonl")} for t in manifest["tables"]}


def test_export_then_restore_into_an_empty_install_gives_equal_tables(demo_business, tmp_path):
    first, second = tmp_path / "first.zip", tmp_path / "second.zip"
    people, orders = Person.objects.count(), Order.objects.count()
    usernames = sorted(Associate.objects.values_list("username", flat=True))
    top = Person.objects.order_by("-pk").values_list("pk", flat=True).first()
    totals = sorted(PersonOrderTotals.objects.values_list("person", "orders_count", "amount"))
    write_archive(first)
    empty_every_table()
    assert Person.objects.count() == 0

    result = restore_archive(first)
    write_archive(second)

    before, after = _tables(first), _tables(second)
    assert set(before) == set(after) == {table_name(m) for m in present_models()}
    for name, table in before.items():
        assert after[name]["count"] == table["count"], name
        assert after[name]["sha256"] == table["sha256"], name
        assert after[name]["rows"] == table["rows"], name
    assert result.rows == sum(t["count"] for t in before.values())
    assert sorted(result.verified) == sorted(before)
    assert (Person.objects.count(), Order.objects.count()) == (people, orders)
    # The derived order totals are not archived: the restored orders rebuilt them.
    assert "commerce.personordertotals" not in before
    assert (
        totals
        and sorted(PersonOrderTotals.objects.values_list("person", "orders_count", "amount"))
        == totals
    )
    # The archive is not trivially small: the demo's timeline and orders are in it.
    assert before["contacts.activity"]["count"] > 500
    assert before["commerce.order"]["count"] > 100
    # Password hashes never leave; restored associates set a new password.
    lines = before["accounts.associate"]["rows"].decode().splitlines()
    assert lines and all("password" not in json.loads(line) for line in lines)
    assert sorted(Associate.objects.values_list("username", flat=True)) == usernames
    assert not any(a.has_usable_password() for a in Associate.objects.all())
    # Sequences moved past the restored ids (PostgreSQL); new rows get fresh ids.
    newcomer = Person.objects.create(first_name="New", email="new@example.com")
    assert newcomer.pk > top


def test_manifest_checksums_match_the_files_and_csv_has_the_same_rows(demo_business, tmp_path):
    import csv
    import hashlib

    path = tmp_path / "export.zip"
    write_archive(path)
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["format"] == "thrive-export" and manifest["version"] == 1
        for table in manifest["tables"]:
            raw = zf.read(f"{table['name']}.jsonl")
            assert hashlib.sha256(raw).hexdigest() == table["sha256"]
            assert len(raw.splitlines()) == table["count"]
            rows = list(csv.reader(io.StringIO(zf.read(f"{table['name']}.csv").decode())))
            assert rows[0] == table["fields"]
            assert len(rows) - 1 == table["count"]


def test_a_tampered_or_incomplete_archive_restores_nothing(demo_business, tmp_path):
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    write_archive(good)
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "contacts.person.jsonl":
                data = data.replace(b'"first_name":"', b'"first_name":"X', 1)
            dst.writestr(item, data)
    empty_every_table()
    with pytest.raises(RestoreError, match="contacts.person.jsonl does not match the checksum"):
        restore_archive(bad)
    assert Person.objects.count() == 0
    assert Activity.objects.count() == 0
    # Without the people table every order's key dangles: refused, nothing kept.
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            if item.filename in {"contacts.person.jsonl", "manifest.json"}:
                continue
            dst.writestr(item, src.read(item))
        manifest = json.loads(src.read("manifest.json"))
        manifest["tables"] = [t for t in manifest["tables"] if t["name"] != "contacts.person"]
        dst.writestr("manifest.json", json.dumps(manifest))
    with pytest.raises(RestoreError, match="not signed by this install"):
        restore_archive(bad)
    with pytest.raises(RestoreError, match="do not fit together|refused a row"):
        restore_archive(bad, trust=True)
    assert Order.objects.count() == 0


def test_backup_and_restore_commands_refuse_an_install_that_has_data(demo_business, tmp_path):
    path = tmp_path / "thrive.zip"
    out = io.StringIO()
    call_command("backup", str(path), stdout=out)
    assert "tables" in out.getvalue() and path.exists()
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(path), stdout=io.StringIO())
    people = Person.objects.count()
    with pytest.raises(
        CommandError,
        match=rf"Nothing was restored. This install is not empty.*person \({people} rows\)",
    ):
        call_command("restore", str(path), stdout=io.StringIO())
    assert Person.objects.count() == people
    empty_every_table()
    out = io.StringIO()
    call_command("restore", str(path), stdout=out)
    assert "verified equal to the archive by checksum" in out.getvalue()
    with pytest.raises(CommandError, match="not a Thrive export|Cannot open"):
        (tmp_path / "junk.zip").write_bytes(b"not a zip")
        call_command("restore", str(tmp_path / "junk.zip"), stdout=io.StringIO())


def _rewrite(good: Path, bad: Path, table: str, change, *, resign: bool = True) -> None:
    """Copy ``good`` to ``bad`` with ``change(rows)`` applied to ``table``'s JSON rows, the
    manifest's count and checksum recomputed to agree (what a careful forger would do)."""
    import hashlib

    from thrive.core.cells import json_line
    from thrive.portability.archive import SIGNATURE

    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        manifest = json.loads(src.read("manifest.json"))
        rows = [json.loads(line) for line in src.read(f"{table}.jsonl").splitlines()]
        data = b"".join(json_line(r) for r in change(rows))
        for t in manifest["tables"]:
            if t["name"] == table:
                t["sha256"] = hashlib.sha256(data).hexdigest()
        for item in src.infolist():
            if item.filename not in {"manifest.json", SIGNATURE, f"{table}.jsonl"}:
                dst.writestr(item, src.read(item))
        dst.writestr(f"{table}.jsonl", data)
        dst.writestr("manifest.json", json.dumps(manifest))
        if resign:
            dst.writestr(SIGNATURE, src.read(SIGNATURE))  # the old one: no longer matches


def test_a_consistently_rehashed_archive_is_refused_unless_the_owner_trusts_it(
    demo_business, tmp_path
):
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    write_archive(good)

    def rename(rows):
        rows[0]["first_name"] = "Mallory"
        return rows

    _rewrite(good, bad, "contacts.person", rename)
    empty_every_table()
    with pytest.raises(RestoreError, match="not signed by this install.*--trust-archive"):
        restore_archive(bad)
    assert Person.objects.count() == 0
    with pytest.raises(CommandError, match="Nothing was restored. This archive was not signed"):
        call_command("restore", str(bad), stdout=io.StringIO())
    out = io.StringIO()
    call_command("restore", str(bad), "--trust-archive", stdout=out)
    assert "Signature: another install or changed, trusted." in out.getvalue()
    assert Person.objects.filter(first_name="Mallory").count() == 1


def test_an_archive_from_another_install_or_unsigned_needs_the_owners_trust(
    demo_business, tmp_path, settings
):
    from thrive.portability.archive import SIGNATURE

    mine, theirs, unsigned = tmp_path / "mine.zip", tmp_path / "theirs.zip", tmp_path / "u.zip"
    write_archive(mine)
    settings.SECRET_KEY = "another-install-" + "x" * 40
    write_archive(theirs)
    with zipfile.ZipFile(mine) as src, zipfile.ZipFile(unsigned, "w") as dst:
        for item in src.infolist():
            if item.filename != SIGNATURE:
                dst.writestr(item, src.read(item))
    empty_every_table()
    with pytest.raises(RestoreError, match="not signed by this install"):
        restore_archive(mine)  # the key is now the other install's
    with pytest.raises(RestoreError, match="carries no signature"):
        restore_archive(unsigned)
    assert restore_archive(theirs).signature == "this install"
    empty_every_table()
    assert restore_archive(unsigned, trust=True).signature == "unsigned, trusted"


@pytest.mark.parametrize(
    ("table", "field", "value", "reason"),
    [
        ("contacts.person", "organization_id", "twelve", "must be an integer"),
        ("contacts.person", "first_seen_at", "2024-13-45T99:00:00", "2024-13-45T99:00:00"),
        ("contacts.person", "first_name", None, "requires a value"),
        ("commerce.order", "person_id", [1], "[1]"),
    ],
)
def test_a_row_with_a_wrong_typed_value_is_refused_naming_table_row_and_field(
    demo_business, tmp_path, table, field, value, reason
):
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    write_archive(good)

    def spoil(rows):
        rows[2][field] = value
        return rows

    _rewrite(good, bad, table, spoil)
    empty_every_table()
    with pytest.raises(RestoreError) as caught:
        restore_archive(bad, trust=True)
    message = str(caught.value)
    assert message.startswith(f"{table}, row 3 ({table}.jsonl line 3), field {field}: ")
    assert reason in message and message.endswith("Nothing was restored.")
    assert Person.objects.count() == 0 and Order.objects.count() == 0
