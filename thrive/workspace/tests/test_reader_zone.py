"""Every time in the workspace is shown, labelled, and typed in the reader's zone: the
associate's own, else the business's."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from thrive.conftest import client_for
from thrive.contacts.services import record_activity
from thrive.core.templatetags.zoned import local_time
from thrive.outreach.models import Campaign, CampaignStatus, EmailTemplate
from thrive.outreach.sending.dispatch import create_campaign
from thrive.segments.models import Segment
from thrive.tasks import services
from thrive.tasks.models import Task
from thrive.testing.factories import PersonFactory
from thrive.workspace.middleware import reader_zone

pytestmark = pytest.mark.django_db

PORTLAND = "America/Los_Angeles"


@pytest.fixture(autouse=True)
def portland(settings):
    settings.THRIVE_TIME_ZONE = PORTLAND


@pytest.fixture
def call(member):
    person = PersonFactory(first_name="Ines", last_name="Fraser")
    # 08:29 in Portland on 6 Dec 2026 (PST, UTC−8).
    at = dt.datetime(2026, 12, 6, 16, 29, tzinfo=dt.UTC)
    record_activity(person, "call", occurred_at=at, associate=member, subject="Asked about decaf")
    return person


def test_the_timeline_shows_a_logged_call_in_the_business_zone(member, call):
    assert member.time_zone == ""  # never chosen: follows the business
    page = client_for(member).get(reverse("person", args=[call.pk])).content.decode()
    assert "6 Dec 2026, 08:29 PST" in page
    assert "16:29" not in page


def test_an_associate_with_their_own_zone_sees_their_zone(member, call):
    member.time_zone = "Europe/Berlin"
    member.save()
    page = client_for(member).get(reverse("person", args=[call.pk])).content.decode()
    assert "6 Dec 2026, 17:29 CET" in page
    assert "08:29" not in page


def test_a_blank_or_unknown_own_zone_follows_the_business(member):
    for value in ("", "Mars/Olympus"):
        member.time_zone = value
        assert reader_zone(member) == ZoneInfo(PORTLAND)
    # UTC is a zone someone may choose on their profile, and then it is theirs.
    member.time_zone = "UTC"
    assert reader_zone(member) == ZoneInfo("UTC")
    member.time_zone = "Asia/Tokyo"
    assert reader_zone(member) == ZoneInfo("Asia/Tokyo")


def test_task_due_times_are_in_the_zone_of_the_why_column(member):
    # A booking's follow-up: the session was 09:00–09:30 Portland time, due at its end.
    services.create_task(
        actor=member, title="Log notes: free strategy session with Ines Fraser",
        due_at=dt.datetime(2026, 11, 18, 17, 30, tzinfo=dt.UTC),
        reason="Session on 18 Nov 2026, 09:00–09:30 (America/Los_Angeles)",
    )  # fmt: skip
    page = client_for(member).get(reverse("tasks") + "?view=all").content.decode()
    assert "18 Nov, 09:30 PST" in page
    assert "17:30" not in page


def test_a_task_due_on_a_day_is_due_at_five_in_the_readers_zone(member):
    client_for(member).post(
        reverse("task_create"), {"title": "Order filters", "due_on": "2027-07-02"}
    )
    task = Task.objects.get(title="Order filters")
    assert task.due_at == dt.datetime(2027, 7, 3, 0, 0, tzinfo=dt.UTC)  # 17:00 PDT


@pytest.fixture
def draft(owner):
    segment = Segment.objects.create(name="Everyone", rules={"match": "all", "rules": []})
    template = EmailTemplate.objects.create(name="Hello", subject="Hello", html_body="<p>Hi</p>")
    return create_campaign(actor=owner, name="Small lots", segment=segment, template=template)


@pytest.mark.parametrize(
    ("typed", "utc"),
    [
        ("2030-01-15T09:00", dt.datetime(2030, 1, 15, 17, 0, tzinfo=dt.UTC)),  # PST, UTC−8
        ("2030-07-16T09:00", dt.datetime(2030, 7, 16, 16, 0, tzinfo=dt.UTC)),  # PDT, UTC−7
    ],
)
def test_a_campaign_scheduled_at_nine_local_is_stored_as_the_right_instant(
    owner, draft, typed, utc
):
    response = client_for(owner).post(reverse("campaign_send", args=[draft.pk]), {"when": typed})
    draft.refresh_from_db()
    assert (draft.status, draft.scheduled_at) == (CampaignStatus.SCHEDULED, utc)
    page = client_for(owner).get(response.url).content.decode()
    assert f"Goes out {typed[8:10].lstrip('0')} {utc:%b} {typed[:4]}, 09:00 P" in page


def test_a_time_the_clocks_skip_is_refused_not_sent_at_once(owner, draft):
    # 10 Mar 2030, 02:30 does not exist in Portland: clocks jump from 02:00 to 03:00.
    response = client_for(owner).post(
        reverse("campaign_send", args=[draft.pk]), {"when": "2030-03-10T02:30"}, follow=True
    )
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.DRAFT and draft.scheduled_at is None
    assert "America/Los_Angeles" in response.content.decode()
    assert "may not exist" in response.content.decode()


def test_the_send_at_field_names_the_readers_zone(owner, draft):
    owner.time_zone = "Europe/Lisbon"
    owner.save()
    page = client_for(owner).get(reverse("campaign", args=[draft.pk])).content.decode()
    assert "Send at (Europe/Lisbon;" in page
    client_for(owner).post(reverse("campaign_send", args=[draft.pk]), {"when": "2030-07-16T09:00"})
    assert Campaign.objects.get(pk=draft.pk).scheduled_at == dt.datetime(
        2030, 7, 16, 8, 0, tzinfo=dt.UTC
    )  # WEST, UTC+1


def test_local_time_labels_the_zone_it_shows():
    at = dt.datetime(2026, 12, 6, 16, 29, tzinfo=dt.UTC)
    with timezone.override(ZoneInfo(PORTLAND)):
        assert local_time(at) == "6 Dec 2026, 08:29 PST"
        assert local_time(at.replace(month=7)) == "6 Jul 2026, 09:29 PDT"
    with timezone.override(ZoneInfo("Asia/Kolkata")):
        assert local_time(at, "H:i") == "21:59 IST"
    assert local_time(None) == ""
