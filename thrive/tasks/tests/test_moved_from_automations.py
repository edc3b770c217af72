"""Tasks moved out of the automation engine's app without moving a row: a database made
before the move keeps its tasks, their people and the drafts that point at them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from thrive.outreach.models import Draft
from thrive.tasks.models import Task

BEFORE_THE_MOVE = [
    ("automations", "0003_survey_and_sequence_steps"),
    ("outreach", "0002_delivery_activity_recorded"),
    ("bookings", "0001_strategy_sessions_availability_bookings"),
]


def _migrate(targets: list[tuple[str, str]] | None = None) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor


@pytest.mark.django_db(transaction=True)
def test_a_task_made_before_the_move_is_still_there_with_its_person_and_draft() -> None:
    old = _migrate(BEFORE_THE_MOVE).loader.project_state(BEFORE_THE_MOVE).apps
    person = old.get_model("contacts", "Person").objects.create(
        first_name="Ann", email="ann@example.com"
    )
    task = old.get_model("automations", "Task").objects.create(
        title="Review the note to Ann", person=person, kind="review_draft"
    )
    draft = old.get_model("outreach", "Draft").objects.create(
        person=person, task=task, subject="Hello", body="Hi Ann", idempotency_key="ann-1"
    )

    _migrate()

    moved = Task.objects.get(pk=task.pk)
    assert (moved.title, moved.person.email) == ("Review the note to Ann", "ann@example.com")
    assert Draft.objects.get(pk=draft.pk).task == moved
    assert Task._meta.db_table == "automations_task"
