"""The visitor's links to move or cancel: bound to one booking and its person, expiring."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from thrive.bookings import links, services
from thrive.bookings.models import Booking, BookingStatus
from thrive.core.tokens import TokenError, make_token

from .conftest import book, next_slot

pytestmark = pytest.mark.django_db


def test_a_link_opens_its_own_booking(open_all_week, kind):
    booking = book(open_all_week, kind, next_slot(open_all_week, kind))
    assert links.read_manage_token(links.manage_token(booking)) == booking


def test_a_link_cannot_be_pointed_at_someone_elses_booking(open_all_week, kind):
    mine = book(open_all_week, kind, next_slot(open_all_week, kind))
    theirs = book(open_all_week, kind, next_slot(open_all_week, kind, skip=3),
                  email="bob@example.com")  # fmt: skip
    # A validly signed payload naming their booking but my person (or my uid) is refused.
    for payload in (
        {"b": theirs.pk, "p": mine.person_id, "u": mine.uid},
        {"b": theirs.pk, "p": theirs.person_id, "u": mine.uid},
    ):
        with pytest.raises(TokenError):
            links.read_manage_token(make_token(links.PURPOSE, payload))
    # A token for another purpose (e.g. the idea board's sign-in) opens nothing here.
    with pytest.raises(TokenError):
        links.read_manage_token(make_token("voice.signin", {"b": mine.pk, "p": mine.person_id}))
    tampered = links.manage_token(mine)[:-2] + "xx"
    with pytest.raises(TokenError):
        links.read_manage_token(tampered)


def test_a_link_expires_with_age_and_when_the_session_is_over(open_all_week, kind, monkeypatch):
    booking = book(open_all_week, kind, next_slot(open_all_week, kind))
    token = links.manage_token(booking)
    later = time.time() + links.MAX_AGE + 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    with pytest.raises(TokenError, match="expired"):
        links.read_manage_token(token)
    monkeypatch.undo()
    Booking.objects.filter(pk=booking.pk).update(
        start_at=booking.start_at - dt.timedelta(days=10),
        end_at=booking.end_at - dt.timedelta(days=10),
    )
    with pytest.raises(TokenError, match="session is over"):
        links.read_manage_token(token)


def test_the_old_link_of_a_moved_session_can_no_longer_change_it(open_all_week, kind):
    booking = book(open_all_week, kind, next_slot(open_all_week, kind))
    old_token = links.manage_token(booking)
    moved = services.reschedule_booking(booking, next_slot(open_all_week, kind, skip=2))
    visitor = Client()
    page = visitor.get(reverse("book_manage", args=[old_token]))
    assert page.status_code == 200 and b"This session was moved" in page.content
    assert b"Cancel this session" not in page.content
    refused = visitor.post(reverse("book_cancel", args=[old_token]))
    assert refused.status_code == 409
    moved.refresh_from_db()
    assert moved.status == BookingStatus.BOOKED
    slot = next_slot(open_all_week, kind, skip=5).strftime("%Y%m%dT%H%MZ")
    assert visitor.post(reverse("book_move", args=[old_token]), {"start": slot}).status_code == 409
    assert Booking.objects.filter(status=BookingStatus.BOOKED).get() == moved


def test_the_visitor_cancels_with_their_link_once(open_all_week, kind):
    booking = book(open_all_week, kind, next_slot(open_all_week, kind))
    token = links.manage_token(booking)
    visitor = Client()
    done = visitor.post(reverse("book_cancel", args=[token]))
    assert done.status_code == 200 and b"Your session is cancelled" in done.content
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.cancelled_by is None
    assert visitor.post(reverse("book_cancel", args=[token])).status_code == 409


def test_a_forged_link_gets_a_clear_page_not_an_error(db):
    response = Client().get(reverse("book_manage", args=["not-a-token"]))
    assert response.status_code == 400 and b"This link is not valid" in response.content
