"""Undoing an import: remove exactly what it created, put back what it changed.

Runs in one transaction, so an undo that cannot finish changes nothing: for example when
someone recorded an order for a person the import created, that person cannot be removed,
and the undo says so instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from thrive.commerce.models import Order
from thrive.contacts import lifecycle
from thrive.contacts.models import Activity, Consent, Organization, Person, PersonTag, Tag

from . import sink
from .models import ImportedRange, ImportedRecord, ImportJob, JobStatus, RecordAction

CHUNK = 900


def _ids(job: ImportJob, model: str) -> Iterator[list[int]]:
    """Ids of ``model`` objects the job created, in chunks: its id ranges, and the one row
    per object that imports recorded before ranges existed."""
    chunk: list[int] = []
    ranges = ImportedRange.objects.filter(job=job, model=model).order_by("first_id")
    for first, last in ranges.values_list("first_id", "last_id").iterator(chunk_size=2000):
        for pk in range(first, last + 1):
            chunk.append(pk)
            if len(chunk) >= CHUNK:
                yield chunk
                chunk = []
    query = (
        ImportedRecord.objects.filter(job=job, model=model, action=RecordAction.CREATED)
        .order_by("object_id")
        .values_list("object_id", flat=True)
    )
    for pk in query.iterator(chunk_size=2000):
        chunk.append(pk)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _delete_activities(person_ids: list[int], refs: list[str]) -> None:
    """Remove timeline entries the import wrote on people who stay (the log is otherwise
    append-only: undo means the import never happened)."""
    if not person_ids or not refs:
        return
    table = connection.ops.quote_name(Activity._meta.db_table)
    people = ", ".join(["%s"] * len(person_ids))
    marks = ", ".join(["%s"] * len(refs))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE person_id IN ({people}) AND ref IN ({marks})",  # noqa: S608
            [*person_ids, *refs],
        )


def _restore(
    model: type[Person] | type[Organization], pk: int, before: dict[str, Any], actor: Any, note: str
) -> None:
    values: dict[str, Any] = {}
    for name, value in before.items():
        field = model._meta.get_field(name)
        if isinstance(value, str) and field.get_internal_type() == "DateTimeField":
            value = dt.datetime.fromisoformat(value)
        values[name] = value
    stage = values.pop("stage", None)
    values.pop("stage_changed_at", None)  # the move back happens now, and history says so
    if values:
        model.objects.filter(pk=pk).update(**values, updated_at=timezone.now())
    if stage is not None and model is Person:
        person = Person.objects.get(pk=pk)
        lifecycle.imported(person, stage, actor=actor, note=note)


def undo_import(job: ImportJob, *, actor: Any) -> dict[str, int]:
    """Undo ``job`` (done, or a real run that failed part-way: what its written batches
    did); returns how many of each kind were removed or restored."""
    removed: dict[str, int] = {}
    note = f"Import #{job.pk} undone"
    ref = f"import:{job.pk}"
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if not locked.can_undo:
            state = locked.get_status_display().lower()
            raise ValidationError(
                {"job": f"Only a finished import can be undone (this one is {state})."}
            )
        # 1. Orders the import created, with their lines and timeline entries.
        order_rows = Order.objects.filter(source=ref).order_by("id").values_list("id", "person_id")
        pending: list[tuple[int, int]] = []

        def flush() -> None:
            ids = [o for o, _ in pending]
            _delete_activities(sorted({p for _, p in pending}), [f"order:{o}" for o in ids])
            removed["orders"] = removed.get("orders", 0) + Order.objects.filter(
                pk__in=ids
            ).delete()[1].get("commerce.Order", 0)
            pending.clear()

        for row in order_rows.iterator(chunk_size=2000):
            pending.append(row)
            if len(pending) >= CHUNK:
                flush()
        if pending:
            flush()
        # 2. What it changed on people and organizations that stay.
        for model_name, model in (("person", Person), ("organization", Organization)):
            records = ImportedRecord.objects.filter(
                job=job, model=model_name, action=RecordAction.UPDATED
            )
            touched: list[int] = []
            for rec in records.iterator(chunk_size=500):
                _restore(model, rec.object_id, rec.before or {}, actor, note)
                touched.append(rec.object_id)
                key = "people restored" if model is Person else "organizations restored"
                removed[key] = removed.get(key, 0) + 1
            for part in sink.chunks(touched):
                if model is Person:
                    _delete_activities(list(part), [ref])
        # 3. Consents it recorded for people who stay.
        for ids in _ids(job, "consent"):
            people = list(Consent.objects.filter(pk__in=ids).values_list("person_id", flat=True))
            _delete_activities(people, [ref])
            removed["consents"] = (
                removed.get("consents", 0) + Consent.objects.filter(pk__in=ids).delete()[0]
            )
        # 4. Tags it gave people, then tags it created that nobody else has since used.
        for ids in _ids(job, "persontag"):
            count = PersonTag.objects.filter(pk__in=ids).delete()[0]
            removed["tags"] = removed.get("tags", 0) + count
        for ids in _ids(job, "tag"):
            Tag.objects.filter(pk__in=ids, person_tags__isnull=True).delete()
        # 5. People and organizations it created.
        for model_name, model in (("person", Person), ("organization", Organization)):
            for ids in _ids(job, model_name):
                try:
                    count = model.objects.filter(pk__in=ids).delete()[1].get(model._meta.label, 0)
                except ProtectedError as exc:
                    example = next(iter(exc.protected_objects), None)
                    raise ValidationError(
                        {
                            "job": (
                                f"This import cannot be undone: {model_name} records it created "
                                f"are now used elsewhere (for example {example}). "
                                "Remove those first."
                            )
                        }
                    ) from None
                key = "people" if model is Person else "organizations"
                removed[key] = removed.get(key, 0) + count
        locked.status = JobStatus.UNDONE
        locked.undone_at = timezone.now()
        locked.undone_by = actor
        locked.counts = {**locked.counts, "undo": removed}
        locked.checkpoint_row = 0  # nothing written is left to resume after
        locked.save(update_fields=["status", "undone_at", "undone_by", "counts", "checkpoint_row"])
    job.refresh_from_db()
    return removed
