"""Booking a session: the person, the timeline, consent, and no double booking."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from thrive.bookings import queries, services
from thrive.bookings.models import Booking, BookingStatus, SessionType
from thrive.bookings.slots import Window
from thrive.contacts.models import (
    Activity,
    ActivityKind,
    Consent,
    ConsentPurpose,
    Stage,
    StageCause,
    StageChange,
)
from thrive.contacts.services import find_person_by_email
from thrive.testing.factories import AssociateFactory, PersonFactory

from .conftest import book, next_slot

pytestmark = pytest.mark.django_db


def test_a_new_visitor_becomes_a_prospect_with_the_booking_on_their_timeline(open_all_week, kind):
    start = next_slot(open_all_week, kind)
    booking = book(open_all_week, kind, start)
    person = find_person_by_email("LENA@example.com")
    assert person is not None and booking.person == person
    assert (person.first_name, person.last_name, person.stage) == ("Lena", "Park", Stage.PROSPECT)
    assert person.time_zone == "Europe/Berlin"
    assert booking.end_at - booking.start_at == dt.timedelta(minutes=30)
    assert booking.consent_text.startswith("I agree that")
    activity = Activity.objects.get(person=person, kind=ActivityKind.FORM_SUBMISSION)
    assert activity.associate == open_all_week and activity.data["booking"] == booking.pk
    assert "Booked strategy session with Maya Okafor" in activity.subject
    # Booking is not a request for marketing.
    assert not Consent.objects.filter(person=person).exists()


def test_ticking_news_records_marketing_consent_with_its_words(open_all_week, kind):
    booking = book(open_all_week, kind, next_slot(open_all_week, kind), wants_news=True)
    consent = Consent.objects.get(person=booking.person)
    assert consent.purpose == ConsentPurpose.EMAIL_MARKETING
    assert consent.source_text == services.NEWS_CONSENT_TEXT
    assert consent.ip_address == "203.0.113.9"


def test_an_existing_person_is_found_by_email_and_never_renamed(open_all_week, kind):
    client = PersonFactory(email="lena@example.com", first_name="Helena", last_name="")
    client.set_stage(Stage.CLIENT, cause="manual")
    book(open_all_week, kind, next_slot(open_all_week, kind), first_name="Mallory")
    client.refresh_from_db()
    assert (client.first_name, client.last_name, client.stage) == ("Helena", "Park", Stage.CLIENT)


def test_a_suspect_who_books_becomes_a_prospect(open_all_week, kind):
    suspect = PersonFactory(email="lena@example.com")
    assert suspect.stage == Stage.SUSPECT
    book(open_all_week, kind, next_slot(open_all_week, kind))
    suspect.refresh_from_db()
    assert suspect.stage == Stage.PROSPECT
    change = StageChange.objects.filter(person=suspect).latest("pk")
    assert (change.cause, change.actor) == (StageCause.BOOKING, None)


def test_a_new_visitor_who_books_starts_as_a_prospect_because_of_the_booking(open_all_week, kind):
    book(open_all_week, kind, next_slot(open_all_week, kind))
    person = find_person_by_email("lena@example.com")
    change = StageChange.objects.get(person=person)
    assert (change.to_stage, change.cause, change.actor) == (
        Stage.PROSPECT,
        StageCause.BOOKING,
        None,
    )


def test_the_same_slot_cannot_be_booked_twice(open_all_week, kind):
    start = next_slot(open_all_week, kind)
    book(open_all_week, kind, start)
    with pytest.raises(services.SlotTaken):
        book(open_all_week, kind, start, email="other@example.com")
    assert Booking.objects.count() == 1
    assert start not in queries.open_slots(
        open_all_week, kind, start, start + dt.timedelta(hours=1)
    )


def test_an_overlapping_longer_session_is_refused_too(open_all_week, kind):
    hour = SessionType.objects.create(name="Deep dive", slug="deep-dive", minutes=60,
                                      min_notice_hours=0)  # fmt: skip
    top = next_slot(open_all_week, hour)
    book(open_all_week, kind, top + dt.timedelta(minutes=30))
    with pytest.raises(services.SlotTaken):
        book(open_all_week, hour, top, email="other@example.com")


def test_a_time_outside_the_hours_is_unavailable(open_all_week, kind):
    zone = ZoneInfo("America/Los_Angeles")
    day = (timezone.now() + dt.timedelta(days=3)).astimezone(zone).date()
    night = dt.datetime.combine(day, dt.time(23, 0), tzinfo=zone)
    with pytest.raises(services.SlotUnavailable):
        book(open_all_week, kind, night)
    with pytest.raises(services.SlotUnavailable):  # not on the half-hour grid
        book(open_all_week, kind, next_slot(open_all_week, kind) + dt.timedelta(minutes=5))


def test_the_database_refuses_two_live_bookings_at_one_start(open_all_week, kind):
    booking = book(open_all_week, kind, next_slot(open_all_week, kind))
    twin = Booking(
        uid="other@x", associate=booking.associate, person=booking.person, session_type=kind,
        start_at=booking.start_at, end_at=booking.end_at, consent_text="x",
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    twin.status = BookingStatus.CANCELLED  # a cancelled one may share the time
    twin.save()


def test_bad_visitor_details_name_the_field(open_all_week, kind):
    from django.core.exceptions import ValidationError

    start = next_slot(open_all_week, kind)
    with pytest.raises(ValidationError) as caught:
        book(open_all_week, kind, start, email="not-an-email", visitor_time_zone="Mars/Olympus")
    assert {"email", "visitor_time_zone"} <= set(caught.value.message_dict)
    with pytest.raises(ValidationError) as caught:
        book(open_all_week, kind, start, first_name="Lena\r\nBcc: all@example.com")
    assert "line breaks" in caught.value.message_dict["first_name"][0]
    with pytest.raises(ValidationError) as caught:
        book(open_all_week, kind, start, consent_text=" ")
    assert "consent" in caught.value.message_dict
    assert not Booking.objects.exists()


def test_visitors_see_their_own_clock_even_when_the_zones_change_on_different_days(maya, kind):
    # 15 March 2027: Los Angeles is on PDT (UTC-7) but Berlin still on CET (UTC+1), so
    # 09:00 in Portland is 17:00 in Berlin; a week earlier both are on winter time (18:00).
    services.set_weekly_hours(maya, [Window(0, dt.time(9), dt.time(10))], actor=None)
    berlin = ZoneInfo("Europe/Berlin")
    now = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    kind.max_days_ahead = 60
    days = dict(queries.slots_by_day(maya, kind, berlin, dt.date(2027, 3, 8), days=8, now=now))
    assert [s.strftime("%H:%M") for s in days[dt.date(2027, 3, 8)]] == ["18:00", "18:30"]
    assert [s.strftime("%H:%M") for s in days[dt.date(2027, 3, 15)]] == ["17:00", "17:30"]


def test_hours_that_overlap_on_one_day_are_refused_naming_the_day(maya):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Tuesday: 09:00–12:00 and 11:00–13:00 overlap"):
        services.set_weekly_hours(
            maya,
            [Window(1, dt.time(9), dt.time(12)), Window(1, dt.time(11), dt.time(13))],
            actor=None,
        )


def test_a_member_cannot_change_someone_elses_hours(maya, member):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.set_weekly_hours(maya, [Window(1, dt.time(9), dt.time(12))], actor=member)
    services.set_weekly_hours(member, [Window(1, dt.time(9), dt.time(12))], actor=member)
    services.set_weekly_hours(member, [], actor=maya)  # the owner may


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_of_one_slot_leave_exactly_one_winner(open_all_week, kind):
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent connections need PostgreSQL; SQLite serializes writers anyway.")
    start = next_slot(open_all_week, kind)
    results: list[str] = []
    barrier = threading.Barrier(8)

    def visitor(n: int) -> None:
        try:
            barrier.wait()
            book(open_all_week, kind, start, email=f"visitor{n}@example.com")
            results.append("booked")
        except services.SlotTaken as exc:
            results.append(exc.message)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            results.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("booked") == 1, results
    assert results.count(services.SlotTaken.message) == 7, results
    assert Booking.objects.filter(start_at=start, status=BookingStatus.BOOKED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_overlapping_bookings_of_different_lengths_leave_one(open_all_week, kind):
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent connections need PostgreSQL; SQLite serializes writers anyway.")
    hour = SessionType.objects.create(name="Deep dive", slug="deep-dive", minutes=60,
                                      min_notice_hours=0)  # fmt: skip
    top = next_slot(open_all_week, hour)
    # Same associate, different starts: only the lock (not the unique index) keeps these
    # apart — an hour at :00 and a 30-minute session at :30 inside it.
    attempts = [(hour, top), (kind, top + dt.timedelta(minutes=30))] * 3
    results: list[str] = []
    barrier = threading.Barrier(len(attempts))

    def visitor(n: int) -> None:
        session_type, when = attempts[n]
        try:
            barrier.wait()
            book(open_all_week, session_type, when, email=f"v{n}@example.com")
            results.append("booked")
        except services.SlotTaken:
            results.append("taken")
        except BaseException as exc:  # noqa: BLE001
            results.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["booked"] + ["taken"] * 5, results


def test_another_associate_can_take_the_same_time(open_all_week, kind):
    tom = AssociateFactory(username="tom", first_name="Tom", time_zone="America/Los_Angeles")
    services.set_weekly_hours(tom, [Window(d, dt.time(8), dt.time(20)) for d in range(7)],
                              actor=None)  # fmt: skip
    start = next_slot(open_all_week, kind)
    book(open_all_week, kind, start)
    book(tom, kind, start, email="other@example.com")
    assert Booking.objects.filter(start_at=start).count() == 2
