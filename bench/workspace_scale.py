"""Grow a built demo business N-fold inside PostgreSQL, for the 1,000,000-person benchmark.

``thrive demo`` builds 100,000 people in about 100 s on PostgreSQL through the ORM; ten
times that would take most of half an hour. Instead the benchmark builds the demo once and
then copies its customers ``factor - 1`` times with one ``INSERT … SELECT … CROSS JOIN
generate_series`` per table, inside the server (no rows travel to Python and back): every
copy keeps its original's orders, order lines, activities, tags, roles, consents, stage
history and score, so each person has exactly the orders and activities a demo person has.

Copy ``k`` of a row gets ``id + k * (max id of its table)``, so ids never collide and a
copy's foreign keys point at the copy of the same person or order. Unique text columns
(email, order number) get a ``c<k>.`` prefix. Staff (people with the associate role or
linked to a sign-in) are not copied: the workspace still has its few associates.
Sequences are moved past the new ids afterwards, so the application can keep inserting.
"""

from __future__ import annotations

import time
from typing import Any

# table -> {column: SQL expression for copy k (``k`` and ``t`` are in scope)}; every
# column not named is copied as it is. ``{off}`` is replaced by the table's id offset
# and ``{person}`` by the people's.
PLAN: list[tuple[str, str, dict[str, str]]] = [
    # (table, which rows of the original to copy, overrides)
    (
        "contacts_person",
        "t.id IN (SELECT id FROM base_people)",
        {
            "id": "t.id + k * {person}",
            "email": "CASE WHEN t.email IS NULL THEN NULL ELSE 'c' || k || '.' || t.email END",
        },
    ),
    (
        "contacts_persontag",
        "t.person_id IN (SELECT id FROM base_people)",
        {"id": "t.id + k * {off}", "person_id": "t.person_id + k * {person}"},
    ),
    (
        "contacts_personrole",
        "t.person_id IN (SELECT id FROM base_people)",
        {"id": "t.id + k * {off}", "person_id": "t.person_id + k * {person}"},
    ),
    (
        "contacts_stagechange",
        "t.person_id IN (SELECT id FROM base_people)",
        {"id": "t.id + k * {off}", "person_id": "t.person_id + k * {person}"},
    ),
    (
        "contacts_consent",
        "t.person_id IN (SELECT id FROM base_people)",
        {"id": "t.id + k * {off}", "person_id": "t.person_id + k * {person}"},
    ),
    (
        "contacts_activity",
        "t.person_id IN (SELECT id FROM base_people)",
        {"id": "t.id + k * {off}", "person_id": "t.person_id + k * {person}"},
    ),
    (
        "commerce_order",
        "t.person_id IN (SELECT id FROM base_people)",
        {
            "id": "t.id + k * {off}",
            "person_id": "t.person_id + k * {person}",
            "number": "'c' || k || '.' || t.number",
        },
    ),
    (
        "commerce_orderline",
        "t.order_id IN (SELECT id FROM commerce_order WHERE person_id IN "
        "(SELECT id FROM base_people))",
        {"id": "t.id + k * {off}", "order_id": "t.order_id + k * {order}"},
    ),
    (
        "analytics_customerscore",
        "t.person_id IN (SELECT id FROM base_people)",
        {"id": "t.id + k * {off}", "person_id": "t.person_id + k * {person}"},
    ),
]


def _columns(cursor: Any, table: str) -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def _max_id(cursor: Any, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - fixed names
    return int(cursor.fetchone()[0])


def multiply(cursor: Any, factor: int, *, log: Any = print) -> dict[str, int]:
    """Make ``factor`` times the demo's customers (``factor - 1`` copies of each), in place.

    Returns the row count of each table afterwards. ``cursor`` is a DB-API cursor on the
    PostgreSQL database in autocommit or a transaction the caller commits.
    """
    if factor < 2:
        return {}
    cursor.execute(
        "CREATE TEMP TABLE base_people AS SELECT id FROM contacts_person p "
        "WHERE NOT EXISTS (SELECT 1 FROM contacts_personrole r WHERE r.person_id = p.id "
        "AND r.role = 'associate') AND NOT EXISTS (SELECT 1 FROM accounts_associate a "
        "WHERE a.person_id = p.id)"
    )
    offsets = {table: _max_id(cursor, table) for table, _, _ in PLAN}
    counts: dict[str, int] = {}
    for table, where, overrides in PLAN:
        started = time.perf_counter()
        columns = _columns(cursor, table)
        exprs = []
        for col in columns:
            expr = overrides.get(col, f"t.{col}")
            exprs.append(
                expr.format(
                    off=offsets[table],
                    person=offsets["contacts_person"],
                    order=offsets["commerce_order"],
                )
            )
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - names from the catalog
            f"SELECT {', '.join(exprs)} FROM {table} t "
            f"CROSS JOIN generate_series(1, {int(factor) - 1}) AS k WHERE {where}"
        )
        counts[table] = cursor.rowcount
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
            f"(SELECT MAX(id) FROM {table}))"
        )
        log(f"  {table}: +{counts[table]:,} rows in {time.perf_counter() - started:.1f} s")
    cursor.execute("DROP TABLE base_people")
    return counts
