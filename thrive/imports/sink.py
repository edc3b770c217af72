"""Bulk writes for imports: ids reserved up front, rows inserted by COPY or executemany.

Making a model instance per row and saving it caps an import at a few hundred rows a
second; even ``bulk_create`` spends most of its time preparing instances. The importer
instead reserves the ids it needs (so it can link people, their stage history and timeline
without reading anything back) and writes plain tuples: binary COPY on PostgreSQL, one
executemany on SQLite. Values are converted the way Django stores them, so the ORM reads
the rows back like any other.

Binary COPY sends each value in the column's own wire format (an 8-byte integer, a
microsecond count for a timestamp) instead of text the server parses again: about half the
client's CPU per row and less of the server's. The column types come from the table itself
(once per table and connection); a table with a column type binary COPY here does not know
is written by text COPY, as before.

Call these only inside ``transaction.atomic``: on SQLite the transaction holds the write
lock (Thrive opens them IMMEDIATE), which is what makes ``MAX(id) + 1`` safe there; on
PostgreSQL the ids come from the table's own sequence.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import json
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, models
from psycopg.adapt import Dumper
from psycopg.pq import Format


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
            # COPY goes to psycopg's own cursor: make its errors Django's, as execute's are,
            # so the engine reports a refused batch instead of failing the whole import.
            with connection.wrap_database_errors:
                _copy(cursor.cursor, model._meta.db_table, names, by_attname, columns, prepared)
        else:
            marks = ", ".join(["%s"] * len(names))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - model meta
            cursor.executemany(sql, prepared)
    return len(rows)


# PostgreSQL type oids binary COPY writes here, with how a value the importer holds becomes
# what psycopg's binary dumper for that type takes (None: as it is).
_INT2, _INT4, _INT8, _BOOL, _TEXT, _VARCHAR = 21, 23, 20, 16, 25, 1043
_TIMESTAMPTZ, _NUMERIC, _JSONB, _INET = 1184, 1700, 3802, 869


def _to_decimal(value: Any) -> Any:
    # Money is carried as text from the reading process; binary numeric needs a number.
    return value if value is None or isinstance(value, Decimal) else Decimal(value)


def _to_inet(value: Any) -> Any:
    return value if value is None or not isinstance(value, str) else ipaddress.ip_address(value)


_BINARY: dict[int, Callable[[Any], Any] | None] = {
    _INT2: None,
    _INT4: None,
    _INT8: None,
    _BOOL: None,
    _TEXT: None,
    _VARCHAR: None,
    _TIMESTAMPTZ: None,
    _NUMERIC: _to_decimal,
    _JSONB: None,  # already JSON text (see _json): sent as is, see _JsonbText
    _INET: _to_inet,
}


class _JsonbText(Dumper):
    """jsonb in binary: a version byte, then the JSON text the importer already made."""

    format = Format.BINARY
    oid = _JSONB

    def dump(self, obj: Any) -> bytes:
        return b"\x01" + obj.encode()


_column_types: dict[tuple[str, str], dict[str, int]] = {}


def _types_of(cursor: Any, table: str) -> dict[str, int]:
    """Column name → type oid of ``table``, read once per database and table."""
    key = (cursor.connection.info.dbname, table)
    types = _column_types.get(key)
    if types is None:
        cursor.execute(
            "SELECT attname, atttypid FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [table],
        )
        types = _column_types[key] = {name: oid for name, oid in cursor.fetchall()}
    return types


def _copy(
    cursor: Any,
    table: str,
    names: list[str],
    by_attname: dict[str, models.Field[Any, Any]],
    columns: str,
    rows: list[tuple[Any, ...]],
) -> None:
    """COPY ``rows`` into ``table``: binary when every column's type is one of _BINARY."""
    qn = connection.ops.quote_name
    types = _types_of(cursor, table)
    oids = [types[_column(by_attname[name])] for name in names]
    if not all(oid in _BINARY for oid in oids):
        with cursor.copy(f"COPY {qn(table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    todo = [(i, c) for i, oid in enumerate(oids) if (c := _BINARY[oid]) is not None]
    if todo:
        converted = []
        for row in rows:
            values = list(row)
            for i, c in todo:
                values[i] = c(values[i])
            converted.append(values)
        rows = converted  # type: ignore[assignment]
    if _JSONB in oids:
        cursor.adapters.register_dumper(None, _JsonbText)
    with cursor.copy(f"COPY {qn(table)} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(oids)
        for row in rows:
            copy.write_row(row)


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
