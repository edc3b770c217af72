"""After a bulk write PostgreSQL gets statistics at once, not when autovacuum gets round
to it: without them the demo's first win-backs ran for minutes."""

from __future__ import annotations

import pytest
from django.db import connection

from thrive.contacts.models import Person
from thrive.core.bulk import analyze_after_bulk_write
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _has_statistics(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = %s", [table])
        return cursor.fetchone()[0] > 0


def test_a_freshly_filled_table_has_planner_statistics_right_away():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner statistics")
    PersonFactory.create_batch(30)
    table = Person._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM pg_statistic WHERE starelid = %s::regclass", [table])
    assert not _has_statistics(table)
    analyze_after_bulk_write(Person)
    assert _has_statistics(table)


def test_on_sqlite_nothing_is_analyzed():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's side")
    analyze_after_bulk_write(Person)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        assert cursor.fetchone()[0] == 0
