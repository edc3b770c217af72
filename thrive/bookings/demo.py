"""What the demo business shows of strategy sessions: Maya and Tom's weekly hours, two
session types, a few sessions already held (with Maya's tasks to log notes) and a few
booked for the coming days.

Tom has a connected calendar: an iCal feed shipped with Thrive as a static file
(``bookings/demo/tom-busy.ics``: a Monday production run, a Wednesday supplier call, a
market stall every other Saturday, all recurring), so his booking page visibly skips those
times. The demo reads the file from disk into the busy-time cache (the web server need not
be running); later refreshes fetch it over HTTP from Thrive's own address like any feed.
Maya has a day off and Tom different hours on one date; the free strategy session is
shared by both in round robin, asks two optional questions, and the wholesale session has
a video link."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from thrive.accounts.queries import business_name
from thrive.commerce.models import Order
from thrive.contacts.models import Activity, Person, Stage

from . import calendar_services, calendars, queries, services
from .forms import consent_wording
from .models import (
    Booking,
    CalendarConnection,
    CalendarKind,
    DateOverride,
    QuestionKind,
    SessionType,
)
from .slots import Window

TYPES = [
    # slug, name, description, minutes, buffer before, after, notice hours, days ahead
    ("free-strategy-session", "Free strategy session",
     "Thirty minutes on your café's coffee: menu, volumes, equipment, costs.", 30, 0, 10, 12, 30),
    ("wholesale-menu-planning", "Wholesale menu planning",
     "An hour with the roaster to plan a wholesale espresso and filter menu.", 60, 10, 15, 24,
     45),
]  # fmt: skip

HOURS = {
    "maya": [(1, "09:00", "12:00"), (3, "09:00", "12:00"), (4, "13:00", "16:00")],
    "tom": [(0, "14:00", "17:00"), (2, "14:00", "17:00"), (5, "10:00", "12:00")],
}

NOTES = [
    "We are opening a second café in Millbrook and want a house espresso.",
    "Thinking about switching roasters; what would a trial look like?",
    "Office coffee for 40 people, beans and a grinder.",
    "Our filter coffee tastes flat by the afternoon.",
    "Wedding venue: coffee for events of 100–150 guests.",
    "Starting a coffee cart at the farmers market.",
    "Menu for a brunch place that opens in spring.",
]


TOM_FEED_PATH = "bookings/demo/tom-busy.ics"
TOM_FEED = Path(__file__).parent / "static" / TOM_FEED_PATH
TOM_FEED_NAME = "Tom's demo calendar (a file shipped with Thrive)"
VIDEO_LINK = "https://meet.jit.si/kettle-and-crow-wholesale"
QUESTIONS = [
    ("What kind of place do you run?", QuestionKind.CHOICE,
     "Café\nRestaurant\nOffice\nEvents or catering\nSomething else"),
    ("Roughly how many cups a day?", QuestionKind.TEXT, ""),
]  # fmt: skip


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def seed_demo(owner_username: str) -> None:
    """Seed the demo's session types, hours and bookings (idempotent: bookings are made
    only on the first run)."""
    associates = {a.username: a for a in get_user_model().objects.filter(username__in=list(HOURS))}
    if not associates:
        return
    kinds = []
    for slug, name, description, minutes, before, after, notice, ahead in TYPES:
        kind, _ = SessionType.objects.get_or_create(slug=slug, defaults={
            "name": name, "description": description, "minutes": minutes,
            "buffer_before_minutes": before, "buffer_after_minutes": after,
            "min_notice_hours": notice, "max_days_ahead": ahead,
        })  # fmt: skip
        kinds.append(kind)
    for username, windows in HOURS.items():
        associate = associates.get(username)
        if associate is not None and not queries.windows_for(associate):
            services.set_weekly_hours(
                associate, [Window(d, _time(s), _time(e)) for d, s, e in windows], actor=None
            )
    _seed_options(associates, kinds)
    if Booking.objects.exists():
        return
    with transaction.atomic():
        _seed_bookings(associates, kinds)


def _seed_options(associates: dict[str, Any], kinds: list[SessionType]) -> None:
    """Round robin, questions, a video link, Tom's calendar, a day off (once each)."""
    free, planning = kinds
    if not free.associates.exists():
        services.save_session_type(actor=None, instance=free, associates=list(associates.values()))
    if not free.questions.exists():
        for label, kind, choices in QUESTIONS:
            services.add_question(free, actor=None, label=label, kind=kind, choices=choices)
    if not planning.video_link:
        services.save_session_type(actor=None, instance=planning, video_link=VIDEO_LINK)
    tom, maya = associates.get("tom"), associates.get("maya")
    now = timezone.now()
    if tom is not None and not CalendarConnection.objects.filter(associate=tom).exists():
        connection = calendar_services.connect_calendar(
            tom, actor=None, kind=CalendarKind.ICAL, name=TOM_FEED_NAME,
            # The plain (unhashed) name: WhiteNoise serves it too, and it never changes. A
            # path: fetched from wherever this Thrive is served when it is refreshed.
            url=f"/{settings.STATIC_URL.strip('/')}/{TOM_FEED_PATH}",
        )  # fmt: skip
        start, end = calendar_services.fetch_window(now)
        busy = calendars.parse_busy(
            TOM_FEED.read_bytes(), start=start, end=end, zone=queries.zone_of(tom)
        )
        calendar_services.store_busy(connection.pk, busy, now=now)
    if maya is not None and not DateOverride.objects.filter(associate=maya).exists():
        # Maya's next Friday afternoon is a coffee fair: a day off.
        today = now.astimezone(queries.zone_of(maya)).date()
        friday = today + dt.timedelta(days=(4 - today.weekday()) % 7 or 7)
        calendar_services.set_days(maya, friday, friday, [], actor=None, note="Coffee fair")
    if tom is not None and not DateOverride.objects.filter(associate=tom).exists():
        # Tom's next Wednesday: mornings instead of afternoons (a team cupping after lunch).
        today = now.astimezone(queries.zone_of(tom)).date()
        wednesday = today + dt.timedelta(days=(2 - today.weekday()) % 7 or 7)
        calendar_services.set_date_hours(
            tom, wednesday, [(dt.time(9), dt.time(12))], actor=None, note="Cupping after lunch"
        )


def _prospects(count: int) -> list[Person]:
    return list(
        Person.objects.filter(stage=Stage.PROSPECT, email__isnull=False)
        .exclude(associate_account__isnull=False)
        .order_by("id")[:count]
    )


def _demo_clock() -> dt.datetime:
    """The demo's "now": the end of its history (a demo can be built as of a past day, and
    nothing it records may come after that), never later than the real now."""
    # Orders are the demo's own history; other apps' seeds may already have written
    # activities at the real now.
    last = (
        Order.objects.aggregate(last=Max("ordered_at"))["last"]
        or Activity.objects.aggregate(last=Max("occurred_at"))["last"]
    )
    now = timezone.now()
    return min(last, now) if last else now


def _seed_bookings(associates: dict[str, Any], kinds: list[SessionType]) -> None:
    clock = _demo_clock().replace(second=0, microsecond=0)
    real_now = timezone.now()
    business = business_name()
    people = iter(_prospects(len(NOTES)))
    notes = iter(NOTES)
    free = kinds[0]
    # (who, session type, how many days back the visitor booked, which free slot)
    past = [("maya", free, 21, 0), ("maya", free, 14, 2), ("tom", free, 10, 1)]
    for username, kind, days_back, pick in past:
        associate, person = associates.get(username), next(people, None)
        if associate is None or person is None:
            continue
        then = clock - dt.timedelta(days=days_back)
        slots = queries.open_slots(associate, kind, then, clock - dt.timedelta(hours=2), now=then)
        booking = _book(associate, kind, slots, pick, person, next(notes), business, then)
        if booking is not None:
            services.follow_up(booking.pk, now=clock)
    # Sessions still ahead of the real clock, booked in the last days of the history (none
    # when the demo is built as of a day too long ago for them to have been bookable).
    upcoming = [("maya", free, 1), ("maya", kinds[1], 4), ("tom", free, 0), ("maya", free, 6)]
    booked_at = clock - dt.timedelta(days=1)
    for username, kind, pick in upcoming:
        associate, person = associates.get(username), next(people, None)
        if associate is None or person is None:
            continue
        slots = queries.open_slots(
            associate, kind, real_now, real_now + dt.timedelta(days=21), now=real_now
        )
        booking = _book(associate, kind, slots, pick, person, next(notes), business, booked_at)
        if booking is not None:
            services.schedule_jobs(booking, real_now)


def _book(
    associate: Any,
    kind: SessionType,
    slots: list[dt.datetime],
    pick: int,
    person: Person,
    note: str,
    business: str,
    now: dt.datetime,
) -> Booking | None:
    if len(slots) <= pick:
        return None
    try:
        return services.book_session(
            associate=associate, session_type=kind, start=slots[pick],
            email=person.email or "", first_name=person.first_name or "Guest",
            last_name=person.last_name, note=note,
            visitor_time_zone=person.time_zone or associate.time_zone or "UTC",
            consent_text=consent_wording(business), now=now, notify=False,
        )  # fmt: skip
    except (services.SlotTaken, services.SlotUnavailable):
        return None
