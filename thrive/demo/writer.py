"""Fast inserts for the demo: rows as tuples of plain values, straight into the tables.

Building a million people means tens of millions of rows; making a model instance for each
and letting ``bulk_create`` prepare it costs more than everything else together. So the
demo writes tuples of ready-made database values: executemany on SQLite, COPY on
PostgreSQL. The values are made exactly as Django itself stores them (datetimes in UTC
as ``YYYY-MM-DD HH:MM:SS`` text on SQLite, decimals as text), so the ORM reads them back
and compares them like any other row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from django.core.management.color import no_style
from django.db import connection, models

from .timeline import Calendar


class Writer:
    """Formats plan values for the current database and inserts rows."""

    def __init__(self, cal: Calendar) -> None:
        self.cal = cal
        self.postgres = connection.vendor == "postgresql"
        self._start = np.datetime64(cal.start_utc.replace(tzinfo=None), "s")
        self._start_day = np.datetime64(cal.start, "D")
        self.written: dict[type[models.Model], int] = {}

    def times(self, t: np.ndarray) -> list[str]:
        """Plan times as the text the database stores for an aware datetime (UTC)."""
        if np.size(t) == 0:
            return []
        stamps = self._start + self.cal.seconds(t).astype("timedelta64[s]")
        text = np.char.replace(np.datetime_as_string(stamps, unit="s"), "T", " ")
        if self.postgres:
            text = np.char.add(text, "+00:00")
        return text.tolist()

    def optional_times(self, t: np.ndarray) -> list[str | None]:
        t = np.asarray(t, dtype=np.float64)
        finite = np.isfinite(t)
        out: list[str | None] = [None] * t.size
        for i, text in zip(np.flatnonzero(finite).tolist(), self.times(t[finite]), strict=True):
            out[i] = text
        return out

    def dates(self, t: np.ndarray) -> list[str | None]:
        """Local dates of plan times (None where t is infinite)."""
        t = np.asarray(t, dtype=np.float64)
        finite = np.isfinite(t)
        days = np.where(finite, np.floor(np.where(finite, t, 0)), 0).astype("timedelta64[D]")
        text = np.datetime_as_string(self._start_day + days, unit="D").tolist()
        return [d if ok else None for d, ok in zip(text, finite.tolist(), strict=True)]

    @staticmethod
    def money(cents: np.ndarray | Sequence[int]) -> list[str]:
        return [f"{c // 100}.{c % 100:02d}" for c in np.asarray(cents, dtype=np.int64).tolist()]

    def insert(
        self, model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple[Any, ...]]
    ) -> int:
        """Insert ``rows`` (tuples in the order of ``fields``) into ``model``'s table."""
        rows = list(rows)
        if not rows:
            return 0
        names, constants = self._defaults(model, fields)
        if constants:
            rows = [row + constants for row in rows]
        qn = connection.ops.quote_name
        table = qn(model._meta.db_table)
        column: dict[str, str] = {
            f.name: f.column for f in model._meta.concrete_fields if f.column is not None
        }
        columns = ", ".join(qn(column[name]) for name in names)
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(names))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608 - names from model meta
        self.written[model] = self.written.get(model, 0) + len(rows)
        return len(rows)

    @staticmethod
    def _defaults(
        model: type[models.Model], fields: Sequence[str]
    ) -> tuple[list[str], tuple[Any, ...]]:
        """Columns the demo does not fill get their model default, as Model() would give
        them: a field added to a model later keeps working without touching the demo."""
        given = set(fields)
        names, values = list(fields), []
        for f in model._meta.concrete_fields:
            if f.name in given or f.primary_key or f.generated:
                continue
            if not (f.has_default() or f.null or f.empty_strings_allowed):
                continue  # no sensible value: let the database say what is missing
            names.append(f.name)
            values.append(f.get_db_prep_save(f.get_default(), connection))
        return names, tuple(values)

    def reset_sequences(self) -> None:
        """After inserting explicit ids, move PostgreSQL's id sequences past them."""
        if not self.postgres:
            return  # SQLite's AUTOINCREMENT follows the largest id by itself
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.written))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def next_id(model: type[models.Model]) -> int:
    """The first free primary key: the demo assigns ids itself to link rows without reads."""
    top = model._default_manager.aggregate(top=models.Max("pk"))["top"]
    return int(top or 0) + 1
