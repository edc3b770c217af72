"""A restore brings back the data but not the task queue: every scheduled job the data
implies (a session's reminder and follow-up, the engine's and webhooks' ticks, the
outreach pump) is queued again."""

from __future__ import annotations

import datetime as dt

import pytest
from django_tasks_db.models import DBTaskResult

from thrive.bookings import services
from thrive.core.reschedule import hooks
from thrive.portability.archive import write_archive
from thrive.portability.restore import restore_archive
from thrive.portability.tests.conftest import empty_every_table

from .conftest import book, next_slot

pytestmark = pytest.mark.django_db


def _waiting(name: str = ""):
    rows = DBTaskResult.objects.filter(status="READY")
    return rows.filter(task_path__endswith=f".{name}") if name else rows


def _queued() -> dict[str, DBTaskResult]:
    return {row.task_path.rsplit(".", 1)[-1]: row for row in _waiting()}


def test_an_upcoming_sessions_reminder_is_queued_again_after_a_restore(
    open_all_week, kind, tmp_path, django_capture_on_commit_callbacks
):
    start = next_slot(open_all_week, kind)
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(open_all_week, kind, start)
    cancelled_start = next_slot(open_all_week, kind, skip=2)
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = book(open_all_week, kind, cancelled_start, email="gone@example.com")
        services.cancel_booking(cancelled)
    archive = tmp_path / "backup.zip"
    write_archive(archive)
    # A new install: the tables are empty and so is the task queue.
    empty_every_table()
    DBTaskResult.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        result = restore_archive(archive)

    assert result.rescheduled["booking reminders and follow-ups"] == 1
    reminders = _waiting("remind_session")
    assert [(r.args_kwargs["args"], r.run_after) for r in reminders] == [
        ([booking.pk], start - dt.timedelta(hours=24))
    ]
    follow_ups = _waiting("follow_up_session")
    assert [r.args_kwargs["args"] for r in follow_ups] == [[booking.pk]]
    # The ticks that keep the rest moving are queued too.
    assert {"engine_tick", "webhook_tick", "run_outreach"} <= set(_queued())


def test_every_app_that_schedules_work_registers_a_reschedule_hook():
    assert set(hooks()) == {
        "automation engine tick",
        "booking reminders and follow-ups",
        "daily digests",
        "calendar busy-time refreshes",
        "outreach scheduled sends",
        "webhook tick",
    }
