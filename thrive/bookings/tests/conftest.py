"""Shared setup for the strategy-session tests: Maya in Portland with weekly hours."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from thrive.bookings import queries, services
from thrive.bookings.models import SessionType
from thrive.bookings.slots import Window
from thrive.core.roles import Role
from thrive.testing.factories import AssociateFactory

CONSENT = "I agree that Kettle & Crow keeps my name, email and note to arrange this session."


@pytest.fixture(autouse=True)
def booking_settings(settings):
    settings.THRIVE_PUBLIC_URL = "http://testserver"
    return settings


@pytest.fixture
def maya(db):
    return AssociateFactory(
        username="maya", first_name="Maya", last_name="Okafor", role=Role.OWNER,
        email="maya@example.com", time_zone="America/Los_Angeles",
    )  # fmt: skip


@pytest.fixture
def kind(db):
    return SessionType.objects.create(
        name="Strategy session", slug="strategy-session", minutes=30,
        buffer_before_minutes=0, buffer_after_minutes=10, min_notice_hours=0,
        max_days_ahead=60,
    )  # fmt: skip


@pytest.fixture
def open_all_week(maya):
    """Maya takes sessions 08:00–20:00 every day, so there are always slots ahead."""
    services.set_weekly_hours(
        maya, [Window(day, dt.time(8), dt.time(20)) for day in range(7)], actor=None
    )
    return maya


def next_slot(associate: Any, kind: SessionType, *, skip: int = 0) -> dt.datetime:
    """A free slot at least a day and a half ahead (beyond the reminder's 24 hours)."""
    start = timezone.now() + dt.timedelta(days=2)
    slots = queries.open_slots(associate, kind, start, start + dt.timedelta(days=3))
    return slots[skip]


def book(associate: Any, kind: SessionType, start: dt.datetime, **overrides: Any):
    fields: dict[str, Any] = {
        "associate": associate, "session_type": kind, "start": start,
        "email": "lena@example.com", "first_name": "Lena", "last_name": "Park",
        "note": "Opening a café", "visitor_time_zone": "Europe/Berlin",
        "consent_text": CONSENT, "ip_address": "203.0.113.9",
    }  # fmt: skip
    fields.update(overrides)
    return services.book_session(**fields)
