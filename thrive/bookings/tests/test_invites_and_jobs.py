"""The confirmation, move and cancel emails at a real SMTP server, their calendar
invites parsed with icalendar, and the reminder and follow-up jobs."""

from __future__ import annotations

import datetime as dt

import pytest
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from thrive.bookings import services
from thrive.bookings.models import BookingStatus
from thrive.bookings.tasks import follow_up_session, remind_session
from thrive.contacts.models import Activity, ActivityKind
from thrive.tasks.models import Task, TaskKind

from .conftest import book, next_slot

pytestmark = pytest.mark.django_db


def _invite(received) -> tuple[Calendar, object]:
    parts = [p for p in received.message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    part = parts[0]
    calendar = Calendar.from_ical(part.get_content())
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0], part


def test_the_confirmation_carries_an_invite_a_calendar_library_reads(
    open_all_week, kind, smtp_sink, django_capture_on_commit_callbacks
):
    start = next_slot(open_all_week, kind)
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(open_all_week, kind, start)
    [visitor] = smtp_sink.wait_for(2) and smtp_sink.to("lena@example.com")
    [notice] = smtp_sink.to("maya@example.com")
    assert visitor.message["Subject"] == "Booked: Strategy session with Maya Okafor"
    calendar, event, part = _invite(visitor)
    assert part.get_param("method") == "REQUEST"
    assert str(calendar["METHOD"]) == "REQUEST"
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTEND") == start + dt.timedelta(minutes=30)
    assert str(event["UID"]) == booking.uid and int(event["SEQUENCE"]) == 0
    assert str(event["ATTENDEE"]) == "mailto:lena@example.com"
    assert str(event["ORGANIZER"]) == "mailto:maya@example.com"
    body = visitor.message.get_body(preferencelist=("plain",)).get_content()
    assert "/book/manage/" in body and "(Europe/Berlin)" in body
    local = start.astimezone(dt.UTC).astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin"))
    assert f"{local:%H:%M}" in body
    assert "Opening a café" in notice.message.get_body(preferencelist=("plain",)).get_content()
    assert notice.message["Auto-Submitted"] == "auto-generated"


def test_moving_keeps_the_uid_and_raises_the_sequence_then_cancel_says_cancel(
    open_all_week, kind, smtp_sink, django_capture_on_commit_callbacks
):
    first = next_slot(open_all_week, kind)
    later = next_slot(open_all_week, kind, skip=4)
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(open_all_week, kind, first)
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.reschedule_booking(booking, later)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.RESCHEDULED and moved.rescheduled_from == booking
    assert (moved.uid, moved.sequence) == (booking.uid, 1)
    # The old time is free again.
    again = book(open_all_week, kind, first, email="next@example.com")
    assert again.status == BookingStatus.BOOKED
    with django_capture_on_commit_callbacks(execute=True):
        assert services.cancel_booking(moved) is True
    assert services.cancel_booking(moved) is False
    mails = smtp_sink.wait_for(6) and smtp_sink.to("lena@example.com")
    assert [m.message["Subject"].split(":")[0] for m in mails] == ["Booked", "Moved", "Cancelled"]
    _, event, _ = _invite(mails[1])
    assert event.decoded("DTSTART") == later and int(event["SEQUENCE"]) == 1
    assert str(event["UID"]) == booking.uid
    calendar, event, part = _invite(mails[2])
    assert part.get_param("method") == "CANCEL" and str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 2
    assert str(event["UID"]) == booking.uid


def test_booking_queues_a_reminder_a_day_before_and_a_follow_up_at_the_end(
    open_all_week, kind, django_capture_on_commit_callbacks
):
    DBTaskResult.objects.all().delete()
    start = next_slot(open_all_week, kind)
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(open_all_week, kind, start)
    jobs = {row.task_path.rsplit(".", 1)[-1]: row for row in DBTaskResult.objects.all()}
    assert set(jobs) == {"remind_session", "follow_up_session"}
    assert jobs["remind_session"].run_after == start - dt.timedelta(hours=24)
    assert jobs["follow_up_session"].run_after == booking.end_at
    assert jobs["remind_session"].args_kwargs["args"] == [booking.pk]


def test_the_reminder_is_sent_once_and_never_for_a_cancelled_session(
    open_all_week, kind, smtp_sink
):
    start = next_slot(open_all_week, kind)
    booking = book(open_all_week, kind, start)
    early = start - dt.timedelta(hours=30)
    assert services.send_due_reminder(booking.pk, now=early) is False  # not due yet
    due = start - dt.timedelta(hours=23)
    assert services.send_due_reminder(booking.pk, now=due) is True
    assert services.send_due_reminder(booking.pk, now=due) is False  # run twice: once
    [reminder] = smtp_sink.wait_for(1) and smtp_sink.to("lena@example.com")
    assert reminder.message["Subject"].startswith("Tomorrow: Strategy session")
    _, event, _ = _invite(reminder)
    assert event.decoded("DTSTART") == start

    other = book(open_all_week, kind, next_slot(open_all_week, kind), email="x@example.com")
    services.cancel_booking(other)
    assert services.send_due_reminder(other.pk, now=other.start_at - dt.timedelta(hours=1)) is False


def test_after_the_session_the_associate_gets_a_task_to_log_notes(open_all_week, kind):
    booking = book(open_all_week, kind, next_slot(open_all_week, kind))
    assert services.follow_up(booking.pk, now=booking.end_at - dt.timedelta(minutes=1)) is False
    assert services.follow_up(booking.pk, now=booking.end_at) is True
    assert services.follow_up(booking.pk, now=booking.end_at) is False  # once
    booking.refresh_from_db()
    assert booking.status == BookingStatus.DONE
    task = Task.objects.get()
    assert booking.notes_task == task
    assert (task.kind, task.assignee, task.person) == (TaskKind.LOG_NOTES, open_all_week,
                                                       booking.person)  # fmt: skip
    assert task.due_at == booking.end_at + dt.timedelta(days=1)
    held = Activity.objects.get(person=booking.person, kind=ActivityKind.STRATEGY_SESSION)
    assert held.occurred_at == booking.start_at and held.duration_minutes == 30


def test_the_jobs_run_through_the_task_framework(open_all_week, kind):
    booking = book(open_all_week, kind, next_slot(open_all_week, kind))
    # Called now (long before the session) they do nothing: both check the clock.
    assert remind_session.call(booking.pk) is False
    assert follow_up_session.call(booking.pk) is False
    assert services.follow_up_due(now=booking.end_at + dt.timedelta(hours=1)) == 1
