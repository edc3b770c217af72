"""Date overrides and time off, intake questions, the video-meeting link, and round robin
across associates."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from thrive.bookings import calendar_services, queries, services
from thrive.bookings.models import Booking, BusyTime, CalendarConnection, QuestionKind
from thrive.bookings.slots import Window
from thrive.contacts.models import Activity
from thrive.core.roles import Role
from thrive.testing.factories import AssociateFactory

from .conftest import CONSENT, book, next_slot

pytestmark = pytest.mark.django_db

CODE = "%Y%m%dT%H%MZ"
LA = ZoneInfo("America/Los_Angeles")


def _day_ahead(days: int = 3) -> dt.date:
    return (timezone.now() + dt.timedelta(days=days)).astimezone(LA).date()


def _local_slots(associate, kind, day: dt.date) -> list[str]:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=LA)
    return [
        f"{s.astimezone(LA):%H:%M}"
        for s in queries.open_slots(associate, kind, start, start + dt.timedelta(days=1))
    ]


# Date overrides and time off ------------------------------------------------------------------


def test_time_off_leaves_no_slots_that_day_and_the_next_day_is_untouched(open_all_week, kind):
    day = _day_ahead()
    assert _local_slots(open_all_week, kind, day)
    calendar_services.set_days(open_all_week, day, day, [], actor=open_all_week, note="Holiday")
    assert _local_slots(open_all_week, kind, day) == []
    assert _local_slots(open_all_week, kind, day + dt.timedelta(days=1))[0] == "08:00"


def test_other_hours_on_a_date_replace_the_weekly_hours_and_bookings_follow_them(
    open_all_week, kind
):
    day = _day_ahead()
    calendar_services.set_date_hours(
        open_all_week, day, [(dt.time(13), dt.time(14, 30))], actor=open_all_week
    )
    assert _local_slots(open_all_week, kind, day) == ["13:00", "13:30", "14:00"]
    usual = dt.datetime.combine(day, dt.time(9), tzinfo=LA)
    with pytest.raises(services.SlotUnavailable):
        book(open_all_week, kind, usual)
    assert book(open_all_week, kind, dt.datetime.combine(day, dt.time(13), tzinfo=LA))


def test_a_member_cannot_give_someone_else_time_off(open_all_week, member):
    from django.core.exceptions import PermissionDenied

    day = _day_ahead()
    with pytest.raises(PermissionDenied):
        calendar_services.set_days(open_all_week, day, day, [], actor=member)


def test_overlapping_hours_on_a_date_are_refused(open_all_week):
    day = _day_ahead()
    with pytest.raises(ValidationError, match="overlap"):
        calendar_services.set_date_hours(
            open_all_week, day, [(dt.time(9), dt.time(11)), (dt.time(10), dt.time(12))],
            actor=open_all_week,
        )  # fmt: skip


# Intake questions -------------------------------------------------------------------------------


def _form_url(associate, kind, start) -> str:
    return reverse("book_form", args=[associate.username, kind.slug, start.strftime(CODE)])


def test_intake_answers_are_kept_on_the_booking_and_the_persons_timeline(open_all_week, kind):
    size = services.add_question(kind, actor=open_all_week, label="How many cups a day?",
                                 kind=QuestionKind.CHOICE, choices="Under 100\n100–300\nMore",
                                 required=True)  # fmt: skip
    services.add_question(kind, actor=open_all_week, label="Your website")
    start = next_slot(open_all_week, kind)
    visitor = Client()
    details = {"first_name": "Lena", "email": "lena@example.com", "consent": "on",
               "tz": "Europe/Berlin"}  # fmt: skip
    page = visitor.get(_form_url(open_all_week, kind, start))
    assert b"How many cups a day?" in page.content and b"100\xe2\x80\x93300" in page.content
    missing = visitor.post(_form_url(open_all_week, kind, start), details)
    assert missing.status_code == 200
    assert b"Please answer this question." in missing.content
    forged = visitor.post(_form_url(open_all_week, kind, start), {**details, f"q{size.pk}": "9"})
    assert b"Select a valid choice" in forged.content and not Booking.objects.exists()
    done = visitor.post(_form_url(open_all_week, kind, start),
                        {**details, f"q{size.pk}": "100–300"})  # fmt: skip
    assert done.status_code == 302
    booking = Booking.objects.get()
    assert booking.answers == [{"question": "How many cups a day?", "answer": "100–300"}]
    entry = Activity.objects.get(person=booking.person, data__action="booked")
    assert "How many cups a day?: 100–300" in entry.body
    timeline = Client()
    timeline.force_login(open_all_week)
    person_page = timeline.get(reverse("person", args=[booking.person_id]))
    assert "How many cups a day?: 100–300" in person_page.content.decode()


def test_a_choice_question_needs_two_options(kind, maya):
    with pytest.raises(ValidationError, match="at least two options"):
        services.add_question(kind, actor=maya, label="Size", kind=QuestionKind.CHOICE,
                              choices="Only one")  # fmt: skip


# The video link --------------------------------------------------------------------------------


def test_the_video_link_is_in_the_confirmation_and_its_invite(
    open_all_week, kind, smtp_sink, django_capture_on_commit_callbacks
):
    kind.video_link = "https://meet.example.com/kettle-crow"
    kind.save()
    with django_capture_on_commit_callbacks(execute=True):
        book(open_all_week, kind, next_slot(open_all_week, kind))
    [mail] = smtp_sink.wait_for(2) and smtp_sink.to("lena@example.com")
    body = mail.message.get_body(preferencelist=("plain",)).get_content()
    assert "Join the video call: https://meet.example.com/kettle-crow" in body
    [part] = [p for p in mail.message.walk() if p.get_content_type() == "text/calendar"]
    [event] = Calendar.from_ical(part.get_content()).walk("VEVENT")
    assert str(event["LOCATION"]) == "https://meet.example.com/kettle-crow"
    assert str(event["URL"]) == "https://meet.example.com/kettle-crow"


# Round robin ---------------------------------------------------------------------------------


@pytest.fixture
def team(open_all_week, kind):
    tom = AssociateFactory(username="tom", first_name="Tom", last_name="Reyes",
                           role=Role.MEMBER, email="tom@example.com",
                           time_zone="America/Los_Angeles")  # fmt: skip
    services.set_weekly_hours(tom, [Window(d, dt.time(8), dt.time(20)) for d in range(7)],
                              actor=None)  # fmt: skip
    services.save_session_type(actor=open_all_week, instance=kind, associates=[open_all_week, tom])
    return open_all_week, tom


def _team_book(kind, start, email):
    return services.book_with_team(session_type=kind, start=start, email=email,
                                   first_name="Guest", consent_text=CONSENT)  # fmt: skip


def test_round_robin_offers_the_union_of_the_teams_free_times(team, kind):
    maya, tom = team
    day = _day_ahead()
    calendar_services.set_days(maya, day, day, [(dt.time(8), dt.time(9))], actor=maya)
    calendar_services.set_days(tom, day, day, [(dt.time(15), dt.time(16))], actor=tom)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=LA)
    offered = queries.team_open_slots(kind, start, start + dt.timedelta(days=1))
    assert [f"{s.astimezone(LA):%H:%M}" for s in offered] == ["08:00", "08:30", "15:00", "15:30"]
    assert offered[dt.datetime.combine(day, dt.time(15), tzinfo=LA)] == [tom]


def test_round_robin_gives_the_booking_to_the_free_associate_with_fewest_recent_sessions(
    team, kind
):
    maya, tom = team
    t0 = dt.datetime.combine(_day_ahead(), dt.time(9), tzinfo=LA)
    hour = dt.timedelta(hours=1)
    book(maya, kind, t0, email="a@example.com")
    book(maya, kind, t0 + hour, email="b@example.com")
    # Maya has had two sessions, Tom none: Tom gets the next two, though Maya is free.
    assert _team_book(kind, t0 + 2 * hour, "c@example.com").associate == tom
    assert _team_book(kind, t0 + 3 * hour, "d@example.com").associate == tom
    # Two each: the tie goes by name.
    assert _team_book(kind, t0 + 4 * hour, "e@example.com").associate == maya
    # Tom has fewer, but his own calendar is busy then: Maya takes it.
    busy_at = t0 + 5 * hour
    connection = CalendarConnection.objects.create(associate=tom, kind="ical",
                                                   url="https://example.com/tom.ics")  # fmt: skip
    BusyTime.objects.create(connection=connection, associate=tom, start_at=busy_at,
                            end_at=busy_at + hour)  # fmt: skip
    assert _team_book(kind, busy_at, "f@example.com").associate == maya
    # Nobody is free then any more: the visitor is told so.
    with pytest.raises(services.SlotBusy):
        _team_book(kind, busy_at, "g@example.com")


def test_the_team_booking_pages_book_with_whoever_is_free(team, kind):
    maya, tom = team
    start = next_slot(maya, kind)
    book(maya, kind, start)  # Maya is taken at that time, Tom is not
    visitor = Client()
    week = {"tz": "America/Los_Angeles", "from": start.astimezone(LA).date()}
    page = visitor.get(reverse("book_team_slots", args=[kind.slug]), week)
    assert start.strftime(CODE).encode() in page.content
    assert b"Maya Okafor, Tom Reyes" in page.content
    response = visitor.post(
        reverse("book_team_form", args=[kind.slug, start.strftime(CODE)]),
        {"first_name": "Ana", "email": "ana@example.com", "consent": "on", "tz": "UTC"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Booking.objects.get(person__email="ana@example.com").associate == tom
    index = visitor.get(reverse("book_index"))
    assert reverse("book_team_slots", args=[kind.slug]).encode() in index.content


def test_a_session_type_with_no_team_has_no_team_page(open_all_week, kind):
    assert Client().get(reverse("book_team_slots", args=[kind.slug])).status_code == 404
