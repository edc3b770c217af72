"""The demo seeds hours, session types and sessions once, whatever the day it runs."""

from __future__ import annotations

import pytest

from thrive.bookings import demo, queries
from thrive.bookings.models import Booking, BookingStatus, SessionType
from thrive.contacts.models import Stage
from thrive.core.roles import Role
from thrive.tasks.models import Task, TaskKind
from thrive.testing.factories import AssociateFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_the_demo_gives_maya_and_tom_hours_and_a_few_sessions_once():
    maya = AssociateFactory(username="maya", first_name="Maya", role=Role.OWNER,
                            time_zone="America/Los_Angeles")  # fmt: skip
    tom = AssociateFactory(username="tom", first_name="Tom", time_zone="America/Los_Angeles")
    PersonFactory.create_batch(8, stage=Stage.PROSPECT)
    demo.seed_demo("maya")
    demo.seed_demo("maya")
    assert SessionType.objects.count() == 2
    assert len(queries.windows_for(maya)) == 3 and len(queries.windows_for(tom)) == 3
    done = Booking.objects.filter(status=BookingStatus.DONE)
    live = Booking.objects.filter(status=BookingStatus.BOOKED)
    assert done.count() == 3 and live.count() == 4
    assert Task.objects.filter(kind=TaskKind.LOG_NOTES, assignee=maya).count() == 2
    assert all(b.person.bookings.count() == 1 for b in Booking.objects.all())


def test_a_demo_built_as_of_a_past_day_records_nothing_after_it():
    import datetime as dt

    from django.utils import timezone

    from thrive.contacts.models import Activity, StageChange
    from thrive.contacts.services import record_activity

    AssociateFactory(username="maya", role=Role.OWNER, time_zone="America/Los_Angeles")
    AssociateFactory(username="tom", time_zone="America/Los_Angeles")
    end = timezone.now() - dt.timedelta(days=40)
    # The people's history (their first stage) happened before the end, as in the demo.
    people = PersonFactory.create_batch(
        8, stage=Stage.PROSPECT, stage_changed_at=end - dt.timedelta(days=300)
    )
    record_activity(people[0], "note", occurred_at=end, subject="The history ends here")
    demo.seed_demo("maya")
    assert Booking.objects.filter(status=BookingStatus.DONE).count() == 3
    assert not Activity.objects.filter(occurred_at__gt=end).exists()
    assert not StageChange.objects.filter(changed_at__gt=end).exists()


def test_the_demo_gives_tom_a_calendar_whose_busy_times_his_booking_page_skips():
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from thrive.bookings.models import BusyTime, CalendarConnection, DateOverride

    AssociateFactory(username="maya", first_name="Maya", role=Role.OWNER,
                     time_zone="America/Los_Angeles")  # fmt: skip
    tom = AssociateFactory(username="tom", first_name="Tom", time_zone="America/Los_Angeles")
    PersonFactory.create_batch(8, stage=Stage.PROSPECT)
    demo.seed_demo("maya")
    demo.seed_demo("maya")
    connection = CalendarConnection.objects.get(associate=tom)
    # A path, fetched from wherever this Thrive is served when the calendar refreshes.
    assert connection.url == "/static/bookings/demo/tom-busy.ics"
    assert "demo" in connection.name and connection.last_success_at and not connection.last_error
    la = ZoneInfo("America/Los_Angeles")
    today = timezone.now().astimezone(la).date()
    monday = today + dt.timedelta(days=(0 - today.weekday()) % 7 or 7)
    run = dt.datetime.combine(monday, dt.time(15), tzinfo=la)
    # The weekly production run (15:00–16:00 every Monday) is busy, and so not offered.
    assert BusyTime.objects.filter(associate=tom, start_at=run).exists()
    kind = SessionType.objects.get(slug="free-strategy-session")
    hour = dt.timedelta(hours=1)
    offered = queries.open_slots(tom, kind, run - hour, run + 2 * hour)
    local = [f"{s.astimezone(la):%H:%M}" for s in offered]
    assert "15:00" not in local and "15:30" not in local and "16:00" in local
    page = Client().get(reverse("book_slots", args=["tom", kind.slug]),
                        {"tz": "America/Los_Angeles", "from": monday.isoformat()})  # fmt: skip
    assert run.astimezone(dt.UTC).strftime("%Y%m%dT%H%MZ").encode() not in page.content
    days_off = DateOverride.objects.filter(associate__username="maya", start_time__isnull=True)
    assert days_off.count() == 1
    assert set(kind.associates.values_list("username", flat=True)) == {"maya", "tom"}
    assert kind.questions.count() == 2


def test_the_demos_calendar_refreshes_from_the_port_thrive_is_served_on_now(feed_server, settings):
    from thrive.bookings import calendar_services
    from thrive.bookings.models import CalendarConnection

    AssociateFactory(username="maya", first_name="Maya", role=Role.OWNER)
    tom = AssociateFactory(username="tom", first_name="Tom")
    PersonFactory.create_batch(8, stage=Stage.PROSPECT)
    demo.seed_demo("maya")
    connection = CalendarConnection.objects.get(associate=tom)
    # Built while the address was http://testserver; served later on another port.
    feed_server.serve(connection.url, demo.TOM_FEED.read_bytes())
    settings.THRIVE_PUBLIC_URL = feed_server.url("")
    assert calendar_services.refresh_calendar(connection.pk) is True
    assert feed_server.requests == 1
    connection.refresh_from_db()
    assert not connection.last_error
