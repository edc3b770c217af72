"""Signed links that let a visitor move or cancel their own session without an account.

A link names one booking and the person it was booked for, and expires when the session
ends (and in any case after ``MAX_AGE``). It opens only that booking: a link for another
booking, or for the same booking after it was moved (the new time has a new link), is
refused.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from thrive.core.tokens import TokenError, make_token, read_token
from thrive.outreach.conf import public_url

from .models import Booking

PURPOSE = "bookings.manage"
MAX_AGE = 400 * 24 * 3600  # beyond the furthest a session can be booked ahead


def manage_token(booking: Booking) -> str:
    return make_token(PURPOSE, {"b": booking.pk, "p": booking.person_id, "u": booking.uid})


def manage_url(booking: Booking) -> str:
    return public_url() + reverse("book_manage", args=[manage_token(booking)])


def read_manage_token(token: str) -> Booking:
    """The booking a link opens. Raises TokenError for a forged or expired link, a link
    bound to another booking or person, or one for a session that is over."""
    payload = read_token(PURPOSE, token, max_age_seconds=MAX_AGE)
    booking_id, person_id, uid = payload.get("b"), payload.get("p"), payload.get("u")
    if not isinstance(booking_id, int) or not isinstance(person_id, int):
        raise TokenError("This link is not valid.")
    booking = (
        Booking.objects.select_related("associate", "person", "session_type")
        .filter(pk=booking_id, person_id=person_id, uid=uid)
        .first()
    )
    if booking is None:
        raise TokenError("This link is not valid.")
    if booking.end_at <= timezone.now():
        raise TokenError("This link has expired: the session is over.")
    return booking
