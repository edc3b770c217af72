"""Running an aggregate over an ORM query's result on any supported database.

Django cannot aggregate over an aggregate (per-customer totals over per-day totals) nor
select from a subquery. We let the ORM write the inner query for the backend at hand, with
its own date truncation and time-zone handling, and wrap it in portable SQL (GROUP BY and
window functions that SQLite ≥ 3.25 and PostgreSQL share).
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import QuerySet


def run_over(
    inner: QuerySet[Any], outer_sql: str, params: tuple[Any, ...] = ()
) -> list[tuple[Any, ...]]:
    """Execute ``outer_sql`` with ``{inner}`` replaced by ``inner``'s SQL; return the rows.

    ``outer_sql`` must refer to the inner query's columns by their ``values()`` names and
    may add its own ``%s`` parameters after the inner ones.
    """
    inner_sql, inner_params = inner.query.sql_with_params()
    sql = outer_sql.replace("{inner}", f"({inner_sql})")
    with connection.cursor() as cursor:
        cursor.execute(sql, (*inner_params, *params))
        return cursor.fetchall()
