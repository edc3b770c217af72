"""The activity log is read once, in order, however many engines run; a batch costs a
fixed number of queries, not one per activity."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from thrive.automations import engine
from thrive.automations.models import EngineCursor, Enrollment
from thrive.automations.tests.conftest import run
from thrive.contacts import services as contacts
from thrive.contacts.models import Activity
from thrive.testing.factories import PersonFactory


@pytest.mark.django_db
def test_running_twice_reads_each_activity_once(build):
    workflow = build("tag_added", [{"kind": "add_tag", "tag": "Done"}],
                     trigger_config={"tag": "go"}, reentry="always")  # fmt: skip
    person = PersonFactory()
    contacts.add_tag(person, "go", actor=None)
    run()
    run()  # the first enrollment is complete; a re-read would enrol again
    assert Enrollment.objects.filter(workflow=workflow).count() == 1
    last = Activity.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert EngineCursor.objects.get(name=engine.CURSOR).last_activity_id == last


@pytest.mark.django_db
def test_batches_cost_the_same_queries_whatever_their_size(build):
    for tag in ("a", "b", "c"):
        build("tag_added", [{"kind": "wait", "days": 1}], trigger_config={"tag": tag})
    build("stage_changed", [{"kind": "wait", "days": 1}], trigger_config={"to": ["client"]})

    def queries_for(count: int) -> int:
        for person in PersonFactory.create_batch(count):
            contacts.add_tag(person, "a", actor=None)
            contacts.change_stage(person, "client", actor=None)
        with CaptureQueriesContext(connection) as captured:
            read = engine.process_activities(batch_size=10_000)
        assert read >= 2 * count
        return len(captured.captured_queries)

    small, large = queries_for(10), queries_for(200)
    assert large == small <= 12
    assert Enrollment.objects.count() == 420


@pytest.mark.django_db(transaction=True)
def test_two_engines_at_once_never_read_the_same_activity(build):
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent connections need PostgreSQL; SQLite serializes writers anyway.")
    build("tag_added", [{"kind": "wait", "days": 1}], trigger_config={"tag": "go"})
    people = PersonFactory.create_batch(300)
    for person in people:
        contacts.add_tag(person, "go", actor=None)
    engine.cursor_position()
    seen: list[int] = []
    original = engine._enroll_from

    def recording(rows, now):
        seen.extend(row.id for row in rows)
        return original(rows, now)

    engine._enroll_from = recording
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            engine.process_activities(batch_size=25)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        engine._enroll_from = original
    assert not errors
    assert len(seen) == len(set(seen))
    assert set(seen) == set(Activity.objects.values_list("pk", flat=True))
    assert Enrollment.objects.count() == 300
