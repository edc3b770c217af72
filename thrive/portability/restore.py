"""Restore a full export into an empty install: all or nothing, then prove it is equal.

Rows are inserted with plain INSERT statements (not ``save()`` or ``bulk_create``), so
timestamps such as ``auto_now_add`` keep their recorded values and append-only tables are
written as they were. Everything happens in one transaction; foreign keys are checked
before it commits, and every table's count and checksum must equal the manifest's, or
nothing is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    connection,
    connections,
    models,
    transaction,
)

from thrive.core.cells import from_json_value
from thrive.core.reschedule import reschedule_all

from .archive import FORMAT, MANIFEST, SIGNATURE, VERSION, sign, table_digest
from .registry import FILL_OMITTED, archive_fields, present_models, table_name

INSERT_BATCH = 500

Progress = Callable[[int, int, str], None]


class RestoreError(Exception):
    """The archive cannot be restored here; the message says why and what to do."""


@dataclass
class RestoreResult:
    tables: int = 0
    rows: int = 0
    verified: list[str] = field(default_factory=list)
    counted_only: list[str] = field(default_factory=list)
    rescheduled: dict[str, int] = field(default_factory=dict)
    signature: str = ""  # "this install", or why the archive was trusted without it


def check_signature(zf: zipfile.ZipFile, *, trust: bool) -> str:
    """Whether this install signed the archive: "this install", or (with ``trust``) what
    the owner vouched for; without ``trust`` anything else raises RestoreError."""
    try:
        manifest = zf.read(MANIFEST)
    except KeyError:
        raise RestoreError("This zip has no manifest.json: it is not a Thrive export.") from None
    try:
        signature = zf.read(SIGNATURE).decode("ascii", "replace").strip()
    except KeyError:
        signature = ""
    if signature and hmac.compare_digest(signature, sign(manifest)):
        return "this install"
    if signature:
        problem = (
            "This archive was not signed by this install: it was made by another install "
            "(another secret key), or changed after it was written."
        )
    else:
        problem = (
            "This archive carries no signature: it was made before archives were signed, or "
            "its signature was removed."
        )
    if not trust:
        raise RestoreError(
            f"{problem} Its checksums only show the files agree with each other, not who "
            "wrote them. If you made it yourself (moving between machines) or otherwise "
            "trust it, run the restore again with --trust-archive."
        )
    return "another install or changed, trusted" if signature else "unsigned, trusted"


def read_manifest(zf: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(zf.read(MANIFEST))
    except KeyError:
        raise RestoreError("This zip has no manifest.json: it is not a Thrive export.") from None
    except ValueError as exc:
        raise RestoreError(f"manifest.json is not valid JSON ({exc}).") from None
    if manifest.get("format") != FORMAT:
        raise RestoreError("manifest.json does not describe a Thrive export.")
    if manifest.get("version") != VERSION:
        raise RestoreError(
            f"This archive has export format version {manifest.get('version')}; this Thrive "
            f"reads version {VERSION}."
        )
    return manifest


def non_empty_tables() -> dict[str, int]:
    """Exported tables that already hold rows, with their counts."""
    found = {}
    for model in present_models():
        count = model._base_manager.count()
        if count:
            found[table_name(model)] = count
    return found


def restore_archive(
    source: str | Path | IO[bytes], *, progress: Progress | None = None, trust: bool = False
) -> RestoreResult:
    """Load the archive at ``source`` into this (empty) install and verify it.

    Raises RestoreError (and changes nothing) if the archive is not a Thrive export, is not
    signed by this install (unless ``trust``: the owner vouches for it), does not fit this
    install's tables, the install is not empty, a row has a value of the wrong type, a
    foreign key is dangling, or a table differs from the manifest.
    """
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise RestoreError(f"Cannot open the archive: {exc}") from None
    with zf:
        signature = check_signature(zf, trust=trust)
        manifest = read_manifest(zf)
        entries = {t["name"]: t for t in manifest.get("tables", [])}
        known = {table_name(m): m for m in present_models()}
        unknown = sorted(set(entries) - set(known))
        if unknown:
            raise RestoreError(
                "The archive has tables this install does not know: "
                f"{', '.join(unknown)}. Restore with the Thrive version that made it."
            )
        plans = [(model, entries[name]) for name, model in known.items() if name in entries]
        for model, entry in plans:
            _check_columns(model, entry)
        occupied = non_empty_tables()
        if occupied:
            biggest = sorted(occupied.items(), key=lambda item: (-item[1], item[0]))
            listed = ", ".join(
                f"{name} ({count} row{'s' if count != 1 else ''})" for name, count in biggest[:5]
            ) + (f" and {len(biggest) - 5} more tables" if len(biggest) > 5 else "")
            raise RestoreError(
                "This install is not empty, and a restore never mixes two businesses. "
                f"It already holds: {listed}. Restore into a new database: create it, run "
                "`thrive migrate`, then `thrive restore` (docs/backup.md)."
            )
        result = RestoreResult(signature=signature)
        try:
            with transaction.atomic():
                _load_all(zf, plans, result, progress)
        except DatabaseError as exc:
            raise RestoreError(
                f"The database refused a row: {exc}. Nothing was restored."
            ) from None
        if progress:
            progress(len(plans), len(plans), "")
        # The task queue is not in the archive: queue again what the data says is due.
        result.rescheduled = reschedule_all()
        return result


def _load_all(
    zf: zipfile.ZipFile,
    plans: list[tuple[type[models.Model], dict[str, Any]]],
    result: RestoreResult,
    progress: Progress | None,
) -> None:
    """Insert every table in dependency order, check the keys, verify; raise to roll back."""
    for done, (model, entry) in enumerate(plans):
        if progress:
            progress(done, len(plans), entry["name"])
        result.rows += _load_table(zf, model, entry)
        result.tables += 1
    _reset_sequences([model for model, _ in plans])
    try:
        connection.check_constraints()
    except IntegrityError as exc:
        raise RestoreError(f"The archive's rows do not fit together: {exc}") from None
    _verify(plans, result)


def _check_columns(model: type[models.Model], entry: dict[str, Any]) -> None:
    have = {f.attname: f for f in archive_fields(model)}
    extra = [c for c in entry.get("fields", []) if c not in have]
    if extra:
        raise RestoreError(
            f"{entry['name']}: the archive has columns this install does not have "
            f"({', '.join(extra)}). Restore with the Thrive version that made it."
        )
    for f in model._meta.concrete_fields:
        if f.attname in entry.get("fields", []):
            continue
        if not (f.null or f.has_default() or (table_name(model), f.name) in FILL_OMITTED):
            raise RestoreError(
                f"{entry['name']}: the archive lacks the column {f.attname}, which this install "
                "requires and cannot fill in."
            )


def _records(zf: zipfile.ZipFile, name: str, sha256: str) -> Iterator[dict[str, Any]]:
    """The rows of ``name.jsonl``; once all are read, its bytes must have the manifest's
    checksum (so a table only counted after loading is checked as well)."""
    try:
        raw = zf.open(f"{name}.jsonl")
    except KeyError:
        raise RestoreError(f"The archive lists {name} but has no {name}.jsonl.") from None
    digest = hashlib.sha256()
    with raw:
        for number, line in enumerate(raw, start=1):
            digest.update(line)
            try:
                yield json.loads(line)
            except ValueError as exc:
                raise RestoreError(f"{name}.jsonl line {number}: not JSON ({exc}).") from None
    if digest.hexdigest() != sha256:
        raise RestoreError(
            f"{name}: {name}.jsonl does not match the checksum in manifest.json (the file was "
            "changed or damaged). Nothing was restored."
        )


def _preparer(f: models.Field, conn: Any) -> Callable[[Any], Any]:
    """JSON value -> database parameter for one field, chosen once per table. Text, integer
    and boolean values that already have the column's type go straight through (most
    cells); anything else takes the field's own conversion, which refuses junk (ValueError,
    TypeError or ValidationError). An empty value in a required column is refused too."""
    target = f.target_field if isinstance(f, models.ForeignKey) else f
    plain: tuple[type, ...] = ()
    if isinstance(target, models.CharField | models.TextField):
        plain = (str,)
    elif isinstance(target, models.BooleanField):
        plain = (bool,)
    elif isinstance(target, models.IntegerField | models.AutoField):
        plain = (int,)
    elif isinstance(target, models.FloatField):
        plain = (float, int)
    required = not f.null

    def slow(value: Any) -> Any:
        if value is None:
            if required:
                raise ValueError("empty, but this column requires a value")
            return None
        return f.get_db_prep_save(from_json_value(f, value), conn)

    if not plain:
        return slow
    return lambda value: value if type(value) in plain else slow(value)


class _BadCell(Exception):
    def __init__(self, name: str, reason: str) -> None:
        super().__init__(name, reason)
        self.name, self.reason = name, reason


def _find_bad_cell(
    record: dict[str, Any],
    plan: list[tuple[str, Callable[[Any], Any], Callable[[], Any] | None]],
) -> _BadCell:
    """Which cell of a refused row is wrong, and why (only run once a row is refused)."""
    for name, prep, fill in plan:
        if fill:
            continue
        if name not in record:
            return _BadCell(name, "missing")
        try:
            prep(record[name])
        except ValidationError as exc:
            return _BadCell(name, f"{record[name]!r}: {' '.join(exc.messages)}")
        except (ValueError, TypeError, ArithmeticError) as exc:
            return _BadCell(name, f"{record[name]!r}: {exc}")
    return _BadCell("?", "cannot be read")


def _load_table(zf: zipfile.ZipFile, model: type[models.Model], entry: dict[str, Any]) -> int:
    label = table_name(model)
    conn = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: the proxy costs per call
    fields = list(model._meta.concrete_fields)  # omitted columns are filled in below
    qn = conn.ops.quote_name
    columns = ", ".join(qn(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    plan: list[tuple[str, Callable[[Any], Any], Callable[[], Any] | None]] = []
    for f in fields:
        fill = None
        if f.attname not in entry["fields"]:
            fill = FILL_OMITTED.get((label, f.name), f.get_default)
        plan.append((f.attname, _preparer(f, conn), fill))
    batch: list[list[Any]] = []
    count = 0
    with conn.cursor() as cursor:
        for number, record in enumerate(_records(zf, label, entry.get("sha256", "")), start=1):
            try:
                row = [prep(fill() if fill else record[name]) for name, prep, fill in plan]
            except (KeyError, ValueError, TypeError, ArithmeticError, ValidationError):
                bad = _find_bad_cell(record, plan) if isinstance(record, dict) else None
                where = f"{label}, row {number} ({label}.jsonl line {number})"
                reason = f"field {bad.name}: {bad.reason.rstrip('.')}" if bad else "not an object"
                raise RestoreError(f"{where}, {reason}. Nothing was restored.") from None
            batch.append(row)
            if len(batch) >= INSERT_BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _reset_sequences(tables: list[type[models.Model]]) -> None:
    """Move PostgreSQL's id sequences past the restored ids (SQLite follows by itself)."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), tables):
            cursor.execute(sql)


def _verify(plans: list[tuple[type[models.Model], dict[str, Any]]], result: RestoreResult) -> None:
    """Every table's count (and, where the columns are the same, sha256) must equal the
    manifest's; otherwise raise, which rolls the whole restore back."""
    for model, entry in plans:
        summary = table_digest(model)
        if summary.count != entry["count"]:
            raise RestoreError(
                f"{entry['name']}: restored {summary.count} rows, the archive has "
                f"{entry['count']}. Nothing was restored."
            )
        if entry["fields"] == [f.attname for f in archive_fields(model)]:
            if summary.sha256 != entry["sha256"]:
                raise RestoreError(
                    f"{entry['name']}: the restored rows differ from the archive (checksum "
                    f"{summary.sha256[:12]}… ≠ {entry['sha256'][:12]}…). Nothing was restored."
                )
            result.verified.append(entry["name"])
        else:
            result.counted_only.append(entry["name"])
