"""Bulk writes for imports: ids reserved up front, rows inserted by COPY or executemany.

Making a model instance per row and saving it caps an import at a few hundred rows a
second; even ``bulk_create`` spends most of its time preparing instances. The importer
instead reserves the ids it needs (so it can link people, their stage history and timeline
without reading anything back) and writes plain tuples: COPY on PostgreSQL, one
executemany on SQLite. Values are converted the way Django stores them, so the ORM reads
the rows back like any other.

Call these only inside ``transaction.atomic``: on SQLite the transaction holds the write
lock (Thrive opens them IMMEDIATE), which is what makes ``MAX(id) + 1`` safe there; on
PostgreSQL the ids come from the table's own sequence.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


@functools.lru_cache(maxsize=8192)  # an import repeats its own "now" in every row
def _sqlite_datetime(value: Any) -> Any:
    if value is None:
        return None
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")


def _text(value: Any) -> Any:
    return None if value is None else str(value)


class JSONText(str):
    """A value already serialised to JSON: written as it is (for data shared by many rows)."""


def _json(value: Any) -> Any:
    if value is None or isinstance(value, JSONText):
        return value
    return json.dumps(value)


def _converter(field: models.Field, postgres: bool) -> Any:
    """How one column's Python values become what the database driver takes (None: as is)."""
    kind = field.get_internal_type()
    if kind == "JSONField":
        return _json
    if postgres:
        return None
    if kind == "DateTimeField":
        return _sqlite_datetime
    if kind == "DecimalField":
        return _text if field.null else str
    return None


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh primary keys for ``model``, in increasing order."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        qn = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {qn(table)}")  # noqa: S608 - model meta
        top = int(cursor.fetchone()[0])
        # AUTOINCREMENT remembers ids of deleted rows (an undone import): never reuse them.
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        top = max(top, int(row[0]) if row else 0)
    start = top + 1
    return list(range(start, start + count))


def _defaults(model: type[models.Model], fields: Sequence[str]) -> tuple[list[str], list[Any]]:
    """Columns not given get their model default, as ``Model()`` would give them."""
    given = set(fields)
    names: list[str] = []
    values: list[Any] = []
    for f in model._meta.concrete_fields:
        if f.attname in given or f.name in given or f.primary_key or f.generated:
            continue
        if not (f.has_default() or f.null):
            if isinstance(f, models.CharField | models.TextField):
                names.append(f.attname)
                values.append("")
            continue
        names.append(f.attname)
        values.append(f.get_default())
    return names, values


def _column(field: models.Field[Any, Any]) -> str:
    # Concrete fields always have a column; the stubs allow None for the others.
    assert field.column is not None  # noqa: S101
    return field.column


def insert(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` (values in the order of ``fields``, attnames such as ``person_id``)."""
    rows = list(rows)
    if not rows:
        return 0
    extra_names, extra_values = _defaults(model, fields)
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    names = list(fields) + extra_names
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = ", ".join(qn(_column(by_attname[name])) for name in names)
    postgres = connection.vendor == "postgresql"
    converters = [_converter(by_attname[name], postgres) for name in names]
    tail = tuple(
        c(v) if c else v for c, v in zip(converters[len(fields) :], extra_values, strict=True)
    )
    # Only the columns that need it are converted: this loop runs once per row.
    todo = [(i, c) for i, c in enumerate(converters[: len(fields)]) if c is not None]
    if todo:
        prepared = []
        for row in rows:
            values = list(row)
            for i, c in todo:
                values[i] = c(values[i])
            prepared.append(tuple(values) + tail)
    else:
        prepared = [tuple(row) + tail for row in rows]
    with connection.cursor() as cursor:
        if postgres:
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in prepared:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(names))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - model meta
            cursor.executemany(sql, prepared)
    return len(rows)


def chunks(values: Sequence[Any], size: int = 900) -> Iterable[Sequence[Any]]:
    """Slices small enough for SQLite's limit on parameters in one statement."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _read_datetime(value: Any) -> Any:
    """A datetime column read by plain SQL, as the ORM would give it (aware, UTC)."""
    if isinstance(value, str):  # SQLite keeps naive UTC text
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def lookup(
    model: type[models.Model], key: str, values: Sequence[Any], columns: Sequence[str]
) -> list[tuple[Any, ...]]:
    """Rows of ``model`` whose ``key`` is one of ``values``: the ``columns`` as tuples.

    Plain SQL with one ``IN`` list per chunk (one ``= ANY`` array on PostgreSQL): building
    an ORM ``__in`` lookup costs more per value than the database takes to answer it.
    Datetime columns come back aware, as the ORM returns them.
    """
    if not values:
        return []
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    wanted = ", ".join(qn(_column(by_attname[c])) for c in columns)
    where = qn(_column(by_attname[key]))
    dates = [
        i for i, c in enumerate(columns) if by_attname[c].get_internal_type() == "DateTimeField"
    ]
    found: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            parts: Iterable[Sequence[Any]] = [values]
        else:
            parts = chunks(values)
        for part in parts:
            if connection.vendor == "postgresql":
                sql = f"SELECT {wanted} FROM {table} WHERE {where} = ANY(%s)"  # noqa: S608
                cursor.execute(sql, [list(part)])
            else:
                marks = ", ".join(["%s"] * len(part))
                sql = f"SELECT {wanted} FROM {table} WHERE {where} IN ({marks})"  # noqa: S608
                cursor.execute(sql, list(part))
            for row in cursor.fetchall():
                if dates:
                    row = list(row)
                    for i in dates:
                        row[i] = _read_datetime(row[i])
                found.append(tuple(row))
    return found
