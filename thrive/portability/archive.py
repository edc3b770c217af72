"""The full export: every table of the business in one zip, read as one consistent snapshot.

The archive holds ``manifest.json`` and, per table, ``<app_label>.<model>.jsonl`` (the
exact rows, what a restore reads) and ``<app_label>.<model>.csv`` (the same rows for a
spreadsheet). Rows are read in primary-key order in chunks and written straight into the
zip, so memory stays flat whatever the size of the business.
"""

from __future__ import annotations

import csv
import hashlib
import io
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.crypto import salted_hmac

from thrive.core.cells import csv_cell, json_converter, json_line

from .registry import archive_fields, exported_models, present_models, table_name

FORMAT = "thrive-export"
VERSION = 1
MANIFEST = "manifest.json"
# HMAC-SHA256 of manifest.json's bytes under this install's SECRET_KEY: the manifest holds
# every table's checksum, so the signature vouches for the whole archive. A checksum alone
# does not: anyone who edits a table can recompute it.
SIGNATURE = "manifest.json.hmac"
_SIGNING_SALT = "thrive.portability.archive"
CHUNK_ROWS = 2000

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class TableSummary:
    name: str
    count: int
    sha256: str


def iter_records(model: type[models.Model]) -> Iterator[dict[str, Any]]:
    """Every row of ``model`` as a JSON-ready dict keyed by column name, in primary-key
    order, fetched ``CHUNK_ROWS`` at a time by keyset (no OFFSET, no model instances)."""
    fields = archive_fields(model)
    names = [f.attname for f in fields]
    pairs = [(f.attname, json_converter(f)) for f in fields]
    rows = model._base_manager.order_by("pk").values_list(*names)
    last: Any = None
    while True:
        chunk = list((rows if last is None else rows.filter(pk__gt=last))[:CHUNK_ROWS])
        if not chunk:
            return
        for row in chunk:
            yield {name: convert(value) for (name, convert), value in zip(pairs, row, strict=True)}
        last = chunk[-1][0]


def table_digest(model: type[models.Model]) -> TableSummary:
    """Count and sha256 of the table's JSON Lines, computed from the database without
    writing anything: what a restore checks against the manifest."""
    digest = hashlib.sha256()
    count = 0
    for record in iter_records(model):
        digest.update(json_line(record))
        count += 1
    return TableSummary(table_name(model), count, digest.hexdigest())


def sign(manifest: bytes) -> str:
    """This install's signature of a manifest (hex)."""
    return salted_hmac(
        _SIGNING_SALT, manifest, secret=settings.SECRET_KEY, algorithm="sha256"
    ).hexdigest()


def applied_migrations() -> dict[str, list[str]]:
    """The migrations applied to each exported app: a restore needs the same schema."""
    labels = {m._meta.app_label for m in exported_models()}
    applied: dict[str, list[str]] = {label: [] for label in sorted(labels)}
    for app, name in MigrationRecorder(connection).applied_migrations():
        if app in applied:
            applied[app].append(name)
    return {app: sorted(names) for app, names in applied.items()}


@contextmanager
def read_snapshot() -> Iterator[None]:
    """Read every table as of one moment while the business keeps working.

    PostgreSQL: one REPEATABLE READ transaction. SQLite: one deferred read transaction,
    which in WAL mode sees a fixed snapshot and does not block writers. Inside an already
    open transaction (tests, or a caller's own) that transaction is the snapshot.
    """
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("COMMIT")


def write_archive(target: str | Path | IO[bytes], *, progress: Progress | None = None) -> dict:
    """Write the whole business into a zip at ``target``; return the manifest.

    ``progress(done_tables, total_tables, table_name)`` is called before each table.
    """
    tables = present_models()
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "created": timezone.now().isoformat(),
        "database": connection.vendor,
        "migrations": {},
        "tables": [],
    }
    with (
        read_snapshot(),
        zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf,
    ):
        manifest["migrations"] = applied_migrations()
        for done, model in enumerate(tables):
            name = table_name(model)
            if progress:
                progress(done, len(tables), name)
            manifest["tables"].append(_write_table(zf, model, name))
        manifest_bytes = json_line(manifest)
        zf.writestr(MANIFEST, manifest_bytes.decode())
        zf.writestr(SIGNATURE, sign(manifest_bytes) + "\n")
    if progress:
        progress(len(tables), len(tables), "")
    return manifest


def _write_table(zf: zipfile.ZipFile, model: type[models.Model], name: str) -> dict[str, Any]:
    """Stream one table into ``name.jsonl`` and (through a temporary file, as a zip takes
    one open entry at a time) ``name.csv``."""
    fields = [f.attname for f in archive_fields(model)]
    digest = hashlib.sha256()
    count = 0
    with tempfile.TemporaryFile() as spool:
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(fields)
        with zf.open(f"{name}.jsonl", "w", force_zip64=True) as out:
            for record in iter_records(model):
                line = json_line(record)
                out.write(line)
                digest.update(line)
                writer.writerow([csv_cell(record[f]) for f in fields])
                count += 1
        text.flush()
        spool.seek(0)
        with zf.open(f"{name}.csv", "w", force_zip64=True) as out:
            while block := spool.read(1 << 20):
                out.write(block)
        text.detach()
    return {
        "name": name,
        "db_table": model._meta.db_table,
        "count": count,
        "sha256": digest.hexdigest(),
        "fields": fields,
    }
