"""The standing timeline hides superseded rows with a test PostgreSQL plans as an anti-join.

Tested on the successor's id, the outer join stayed an outer join estimated at one row,
and "an associate's latest activity" sorted every activity of theirs (1.3 s at 1,000,000
people, bench/WORKSPACE.md). The rows are the same either way: test_corrections.py."""

import pytest
from django.db import connection

from thrive.contacts.models import Activity

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_standing_activities_are_planned_as_an_anti_join():
    query = Activity.objects.filter(associate_id=1).order_by("-occurred_at").values("occurred_at")
    sql, params = query[:1].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Anti Join" in plan, plan
