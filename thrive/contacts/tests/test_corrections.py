"""Correcting and retracting a logged touchpoint: the timeline stays append-only, the page
and every figure see the standing version, and only the author or an owner may change it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from thrive.analytics.dashboard import _time_with_customers
from thrive.automations.queries import automation_rate
from thrive.conftest import client_for
from thrive.contacts import services
from thrive.contacts.models import Activity, ActivityKind
from thrive.testing.factories import AssociateFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _window() -> tuple[dt.datetime, dt.datetime]:
    now = timezone.now()
    return now - dt.timedelta(days=1), now + dt.timedelta(days=1)


@pytest.fixture
def call(member):
    person = PersonFactory(first_name="Ann", email="ann@example.com")
    return services.log_interaction(
        person, ActivityKind.CALL, actor=member, subject="Asked about beans", duration_minutes=60
    )


def test_an_empty_log_is_refused_by_the_service(member):
    person = PersonFactory()
    with pytest.raises(ValidationError, match="Nothing to log"):
        services.log_interaction(person, ActivityKind.CALL, actor=member)
    assert Activity.log.filter(person=person, kind="call").count() == 0


def test_log_it_with_every_field_empty_adds_nothing_and_says_why(member):
    person = PersonFactory()
    response = client_for(member).post(
        f"/people/{person.pk}/log",
        {"kind": "call", "subject": "  ", "body": "", "duration_minutes": ""},
        follow=True,
    )
    assert response.status_code == 200
    assert "Nothing to log" in response.content.decode()
    assert Activity.log.filter(person=person, kind="call").count() == 0


def test_a_correction_replaces_the_entry_on_the_page_and_in_the_figures(call, member):
    start, end = _window()
    assert _time_with_customers(start, end)["hours"] == 1
    fixed = services.correct_activity(
        call, actor=member, kind=ActivityKind.CALL, subject="Asked about decaf",
        duration_minutes=30, reason="It was half an hour",
    )  # fmt: skip
    assert fixed.supersedes_id == call.pk
    # The original row is kept untouched; figures count only the correction.
    assert Activity.log.get(pk=call.pk).duration_minutes == 60
    assert _time_with_customers(start, end)["hours"] == 0.5
    assert automation_rate()["manual"] == 1
    page = client_for(member).get(f"/people/{call.person_id}/").content.decode()
    assert "Asked about decaf" in page
    assert "Asked about beans" not in page
    assert "Edited by" in page
    original = client_for(member).get(f"/people/{call.person_id}/timeline/{fixed.pk}/")
    assert "Asked about beans" in original.content.decode()


def test_a_retraction_drops_out_of_the_timeline_and_every_count(call, member):
    start, end = _window()
    services.retract_activity(call, actor=member, reason="Wrong person")
    assert _time_with_customers(start, end)["hours"] == 0
    assert automation_rate()["manual"] == 0
    assert not Activity.objects.filter(person=call.person, kind="call").exists()
    assert Activity.log.filter(person=call.person, kind="call").count() == 2
    page = client_for(member).get(f"/people/{call.person_id}/").content.decode()
    assert "Asked about beans" not in page


def test_only_the_author_or_an_owner_may_amend(call, owner):
    other = AssociateFactory(username="other", role="member")
    with pytest.raises(PermissionDenied):
        services.correct_activity(call, actor=other, kind="call", subject="Mine now")
    response = client_for(other).post(
        f"/people/{call.person_id}/timeline/{call.pk}/retract", {"reason": "no"}
    )
    assert response.status_code == 403
    services.correct_activity(call, actor=owner, kind="call", subject="Owner fixed it")
    assert Activity.objects.get(person=call.person, kind="call").recorded_by == owner


def test_a_read_only_associate_is_refused(call, read_only):
    response = client_for(read_only).post(
        f"/people/{call.person_id}/timeline/{call.pk}/correct",
        {"kind": "call", "subject": "x", "occurred_at": "2026-12-01T10:00"},
    )
    assert response.status_code == 403
    assert Activity.log.filter(person=call.person, kind="call").count() == 1


def test_an_old_version_cannot_be_corrected_again(call, member):
    services.correct_activity(call, actor=member, kind="call", subject="Second")
    with pytest.raises(ValidationError, match="already corrected"):
        services.correct_activity(call, actor=member, kind="call", subject="Third")


def test_the_correct_form_reports_bad_input_without_writing(call, member):
    client = client_for(member)
    url = f"/people/{call.person_id}/timeline/{call.pk}/correct"
    bad_date = client.post(url, {"kind": "call", "subject": "x", "occurred_at": "31/31/2026"})
    assert bad_date.status_code == 400
    assert "Enter a valid date/time" in bad_date.content.decode()
    empty = client.post(url, {"kind": "call", "occurred_at": "2026-12-01T10:00"})
    assert empty.status_code == 400
    assert "Nothing to log" in empty.content.decode()
    negative = client.post(
        url, {"kind": "call", "subject": "x", "duration_minutes": "-5",
              "occurred_at": "2026-12-01T10:00"},
    )  # fmt: skip
    assert negative.status_code == 400
    assert Activity.log.filter(person=call.person, kind="call").count() == 1


def test_a_correction_keeps_its_place_on_the_timeline_when_the_time_is_unchanged(call, member):
    shown = timezone.localtime(call.occurred_at).strftime("%Y-%m-%dT%H:%M")
    client_for(member).post(
        f"/people/{call.person_id}/timeline/{call.pk}/correct",
        {"kind": "call", "subject": "Asked about decaf", "duration_minutes": "45",
         "occurred_at": shown},
    )  # fmt: skip
    fixed = Activity.objects.get(person=call.person, kind="call")
    assert fixed.occurred_at == call.occurred_at and fixed.duration_minutes == 45
