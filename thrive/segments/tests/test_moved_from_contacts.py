"""Segments moved out of contacts without moving a row: a database made before the move
keeps its segments, and the campaigns aimed at them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from thrive.outreach.models import Campaign
from thrive.segments.models import Segment
from thrive.testing.factories import OrderFactory, PersonFactory

BEFORE_THE_MOVE = [
    ("contacts", "0004_fk_indexes_covered_by_composites"),
    ("outreach", "0003_draft_task_in_tasks_app"),
    ("voice", "0002_background_send_jobs"),
]
RULES = {"match": "all", "rules": [{"field": "orders_count", "op": "gte", "value": 1}]}


def _migrate(targets: list[tuple[str, str]] | None = None) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor


@pytest.mark.django_db(transaction=True)
def test_a_segment_made_before_the_move_still_selects_people_and_keeps_its_campaign() -> None:
    old = _migrate(BEFORE_THE_MOVE).loader.project_state(BEFORE_THE_MOVE).apps
    segment = old.get_model("contacts", "Segment").objects.create(name="Buyers", rules=RULES)
    campaign = old.get_model("outreach", "Campaign").objects.create(name="Thanks", segment=segment)

    _migrate()

    buyer = OrderFactory().person
    PersonFactory()  # no orders: not in the segment
    moved = Segment.objects.get(pk=segment.pk)
    assert (moved.name, list(moved.people())) == ("Buyers", [buyer])
    assert Campaign.objects.get(pk=campaign.pk).segment == moved
    assert Segment._meta.db_table == "contacts_segment"
