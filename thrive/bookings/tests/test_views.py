"""The public booking pages and the staff page, through the test client."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from thrive.bookings.models import Availability, Booking, BookingStatus
from thrive.conftest import client_for
from thrive.core.roles import Role

from .conftest import book, next_slot

pytestmark = pytest.mark.django_db

CODE = "%Y%m%dT%H%MZ"


def _form_url(associate, kind, start) -> str:
    return reverse("book_form", args=[associate.username, kind.slug, start.strftime(CODE)])


def _details(**extra):
    data = {"first_name": "Lena", "last_name": "Park", "email": "lena@example.com",
            "note": "Hi", "consent": "on", "tz": "Asia/Tokyo"}  # fmt: skip
    data.update(extra)
    return data


def test_the_public_pages_need_no_account_and_show_the_visitors_zone(open_all_week, kind):
    visitor = Client()
    index = visitor.get(reverse("book_index"))
    assert index.status_code == 200 and b"Strategy session" in index.content
    start = next_slot(open_all_week, kind)
    page = visitor.get(reverse("book_slots", args=["maya", kind.slug]),
                       {"tz": "Asia/Tokyo", "from": start.date().isoformat()})  # fmt: skip
    assert page.status_code == 200
    tokyo = start.astimezone(dt.timezone(dt.timedelta(hours=9)))
    assert f"{tokyo:%H:%M}</a>".encode() in page.content
    assert b'<option value="Asia/Tokyo" selected>' in page.content
    assert b"bookings/book.js" in page.content


def test_an_unknown_zone_falls_back_to_the_associates(open_all_week, kind):
    page = Client().get(reverse("book_slots", args=["maya", kind.slug]), {"tz": "<script>"})
    assert b'<option value="America/Los_Angeles" selected>' in page.content
    assert b"<script>" not in page.content.split(b"</head>")[1]


def test_booking_through_the_form_and_landing_on_the_manage_page(open_all_week, kind):
    start = next_slot(open_all_week, kind)
    visitor = Client()
    response = visitor.post(_form_url(open_all_week, kind, start) + "?tz=Asia/Tokyo",
                            _details(note="<script>alert(1)</script>"))  # fmt: skip
    assert response.status_code == 302 and "/book/manage/" in response["Location"]
    booking = Booking.objects.get()
    assert booking.start_at == start and booking.visitor_time_zone == "Asia/Tokyo"
    page = visitor.get(response["Location"])
    assert b"You are booked" in page.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page.content
    assert b"<script>alert(1)" not in page.content


def test_a_taken_slot_says_so_clearly(open_all_week, kind):
    start = next_slot(open_all_week, kind)
    book(open_all_week, kind, start, email="first@example.com")
    page = Client().get(_form_url(open_all_week, kind, start))
    assert b"That time is no longer free" in page.content
    response = Client().post(_form_url(open_all_week, kind, start), _details())
    assert response.status_code == 409
    assert b"that time was just taken" in response.content
    assert Booking.objects.count() == 1


def test_the_form_needs_the_consent_tick(open_all_week, kind):
    start = next_slot(open_all_week, kind)
    details = _details()
    del details["consent"]
    response = Client().post(_form_url(open_all_week, kind, start), details)
    assert response.status_code == 200 and b"Please agree" in response.content
    assert not Booking.objects.exists()


def test_a_bad_start_in_the_address_is_a_404_not_an_error(open_all_week, kind):
    url = reverse("book_form", args=["maya", kind.slug, "yesterday"])
    assert Client().get(url).status_code == 404


def test_booking_posts_are_rate_limited_per_ip(open_all_week, kind):
    visitor = Client(REMOTE_ADDR="198.51.100.7")
    slots = [next_slot(open_all_week, kind, skip=i * 2) for i in range(11)]
    codes = [
        visitor.post(
            _form_url(open_all_week, kind, s), _details(email=f"v{i}@example.com")
        ).status_code
        for i, s in enumerate(slots)
    ]
    assert codes[:10] == [302] * 10 and codes[10] == 429
    assert (
        Client(REMOTE_ADDR="198.51.100.8")
        .post(_form_url(open_all_week, kind, slots[10]), _details())
        .status_code
        == 302
    )


def test_every_persona_sees_the_staff_page(persona, open_all_week, kind):
    book(open_all_week, kind, next_slot(open_all_week, kind), note="<b>bold</b>")
    page = client_for(persona).get(reverse("sessions"))
    assert page.status_code == 200
    assert b"Lena Park" in page.content and b"&lt;b&gt;bold&lt;/b&gt;" in page.content
    assert (b"Save my hours" in page.content) == (persona.role != Role.READ_ONLY)
    assert (b">Cancel</button>" in page.content) == (persona.role != Role.READ_ONLY)


def test_read_only_cannot_change_anything(read_only, open_all_week, kind):
    booking = book(open_all_week, kind, next_slot(open_all_week, kind))
    reader = client_for(read_only)
    assert reader.post(reverse("sessions_hours"), {"monday": "09:00-10:00"}).status_code == 403
    assert reader.post(reverse("sessions_types"), {"name": "X", "minutes": 30}).status_code == 403
    assert reader.post(reverse("sessions_cancel", args=[booking.pk])).status_code == 403
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    assert not Availability.objects.filter(associate=read_only).exists()


def test_a_member_saves_their_weekly_hours_and_bad_input_names_the_day(member):
    staff = client_for(member)
    bad = staff.post(reverse("sessions_hours"), {"tuesday": "9-12"})
    assert bad.status_code == 400 and "Tuesday: “9-12” is not a range" in bad.content.decode()
    ok = staff.post(reverse("sessions_hours"),
                    {"monday": "09:00-12:00, 14:00-17:30", "friday": "10:00-11:00"})  # fmt: skip
    assert ok.status_code == 302
    rows = list(Availability.objects.filter(associate=member).values_list(
        "weekday", "start_time", "end_time"))  # fmt: skip
    assert rows == [(0, dt.time(9), dt.time(12)), (0, dt.time(14), dt.time(17, 30)),
                    (4, dt.time(10), dt.time(11))]  # fmt: skip
    page = staff.get(reverse("sessions"))
    assert b'value="09:00-12:00, 14:00-17:30"' in page.content


def test_staff_add_a_session_type_and_cancel_a_session(owner, open_all_week, kind):
    staff = client_for(owner)
    added = staff.post(reverse("sessions_types"), {
        "name": "Café opening plan", "minutes": 60, "buffer_before_minutes": 0,
        "buffer_after_minutes": 15, "min_notice_hours": 24, "max_days_ahead": 30,
    })  # fmt: skip
    assert added.status_code == 302
    from thrive.bookings.models import SessionType

    assert SessionType.objects.get(slug="cafe-opening-plan").minutes == 60
    booking = book(open_all_week, kind, next_slot(open_all_week, kind))
    assert staff.post(reverse("sessions_cancel", args=[booking.pk])).status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.cancelled_by == owner


def test_the_staff_page_query_count_does_not_grow_with_sessions(owner, open_all_week, kind):
    for i in range(3):
        book(open_all_week, kind, next_slot(open_all_week, kind, skip=i * 2),
             email=f"a{i}@example.com")  # fmt: skip
    staff = client_for(owner)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        staff.get(reverse("sessions"))
    for i in range(3, 15):
        book(open_all_week, kind, next_slot(open_all_week, kind, skip=i * 2),
             email=f"a{i}@example.com")  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        staff.get(reverse("sessions"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_visitor_moves_their_session_with_the_link(open_all_week, kind):
    from thrive.bookings.links import manage_token

    booking = book(open_all_week, kind, next_slot(open_all_week, kind))
    token = manage_token(booking)
    visitor = Client()
    page = visitor.get(reverse("book_manage", args=[token]), {"tz": "Europe/Berlin"})
    own = booking.start_at.strftime(CODE)
    assert f'value="{own}"'.encode() not in page.content  # not offered as "another time"
    target = next_slot(open_all_week, kind, skip=3)
    moved = visitor.post(reverse("book_move", args=[token]), {"start": target.strftime(CODE)})
    assert moved.status_code == 302
    new = Booking.objects.get(status=BookingStatus.BOOKED)
    assert new.start_at == target and new.uid == booking.uid and new.sequence == 1
    assert visitor.get(moved["Location"]).status_code == 200


def test_a_filled_honeypot_books_nothing_and_the_form_carries_it_hidden(open_all_week, kind):
    start = next_slot(open_all_week, kind)
    page = Client().get(_form_url(open_all_week, kind, start))
    assert b'name="website_url"' in page.content and b'class="hp-field"' in page.content
    response = Client().post(_form_url(open_all_week, kind, start),
                             _details(website_url="http://spam.example"))  # fmt: skip
    assert response.status_code == 400
    assert not Booking.objects.exists()


def test_booking_limits_follow_thrive_rate_limits(open_all_week, kind, settings):
    settings.THRIVE_RATE_LIMITS = {"booking_per_ip": (1, 3600)}
    first = Client().post(_form_url(open_all_week, kind, next_slot(open_all_week, kind)),
                          _details())  # fmt: skip
    second = Client().post(_form_url(open_all_week, kind, next_slot(open_all_week, kind, skip=3)),
                           _details(email="other@example.com"))  # fmt: skip
    assert (first.status_code, second.status_code) == (302, 429)
    assert "Too many attempts; try again in" in second.content.decode()
    assert Booking.objects.count() == 1
