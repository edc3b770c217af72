"""Urgent emails: a detractor, a booking, a likely client's form, a workflow's notify
step; each once, each with a tested opt-out and a signed switch-off link."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from thrive.accounts.models import Role
from thrive.automations.tests.conftest import build, run  # noqa: F401 (the build fixture)
from thrive.bookings.tests.conftest import book as book_session
from thrive.bookings.tests.conftest import kind, maya, next_slot, open_all_week  # noqa: F401
from thrive.contacts import services as contacts
from thrive.contacts.models import ActivityKind, Stage
from thrive.contacts.services import record_activity
from thrive.digests.models import NotificationSettings, UrgentEmail
from thrive.digests.services import save_settings
from thrive.tasks.models import Task
from thrive.testing.factories import AssociateFactory, PersonFactory

from .conftest import answer, score

pytestmark = pytest.mark.django_db


@pytest.fixture
def tom(db):
    return AssociateFactory(
        username="tom", first_name="Tom", email="tom@beans.example", role=Role.MEMBER
    )


def _text(received) -> str:
    return received.message.get_body(preferencelist=("plain",)).get_content()


def test_a_new_detractor_emails_the_surveys_owner_at_once(
    tom, smtp_sink, django_capture_on_commit_callbacks
):
    ida = PersonFactory(first_name="Ida", last_name="Moss")
    with django_capture_on_commit_callbacks(execute=True):
        answer(ida, score=3, owner=tom, at=timezone.now(), comment="The grinder broke")
    [received] = smtp_sink.to("tom@beans.example")
    assert received.message["Subject"] == "Detractor: Ida Moss scored 3"
    text = _text(received)
    assert "The grinder broke" in text and f"http://testserver/people/{ida.pk}/" in text
    assert received.message["List-Unsubscribe"]


def test_a_promoter_sends_no_urgent_email(tom, smtp_sink, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer(PersonFactory(), score=10, owner=tom, at=timezone.now())
    assert smtp_sink.messages == []


def test_an_associate_who_opted_out_of_detractor_emails_gets_none(
    tom, smtp_sink, django_capture_on_commit_callbacks
):
    save_settings(tom, actor=tom, urgent_detractor=False)
    with django_capture_on_commit_callbacks(execute=True):
        answer(PersonFactory(), score=0, owner=tom, at=timezone.now())
    assert smtp_sink.messages == [] and not UrgentEmail.objects.exists()


def test_a_new_booking_emails_the_associate_with_a_switch_off_link(
    open_all_week,  # noqa: F811 (the bookings fixtures imported above)
    kind,  # noqa: F811
    smtp_sink,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        book_session(open_all_week, kind, next_slot(open_all_week, kind))
    [notice] = smtp_sink.to("maya@example.com")
    text = _text(notice)
    assert notice.message["Subject"].startswith("New session booked: Lena Park")
    assert "Switch these emails off: http://testserver/notifications/unsubscribe/" in text


def test_an_associate_who_opted_out_of_booking_emails_gets_none(
    open_all_week,  # noqa: F811
    kind,  # noqa: F811
    smtp_sink,
    django_capture_on_commit_callbacks,
):
    save_settings(open_all_week, actor=open_all_week, urgent_booking=False)
    with django_capture_on_commit_callbacks(execute=True):
        book_session(open_all_week, kind, next_slot(open_all_week, kind))
    smtp_sink.wait_for(1)
    assert smtp_sink.to("lena@example.com") and smtp_sink.to("maya@example.com") == []


def test_a_form_from_a_likely_client_emails_the_owners(
    tom, smtp_sink, django_capture_on_commit_callbacks
):
    owner = AssociateFactory(username="maya", email="maya@beans.example", role=Role.OWNER)
    hot = PersonFactory(first_name="Hot", stage=Stage.PROSPECT)
    cold = PersonFactory(first_name="Cold", stage=Stage.PROSPECT)
    score(hot, 0.7)
    score(cold, 0.1)
    with django_capture_on_commit_callbacks(execute=True):
        record_activity(hot, ActivityKind.FORM_SUBMISSION, subject="Course on request")
        record_activity(cold, ActivityKind.FORM_SUBMISSION, subject="Course on request")
    [received] = smtp_sink.to(owner.email)
    assert "Hot" in received.message["Subject"] and "70%" in _text(received)
    assert smtp_sink.to("tom@beans.example") == []  # members are not owners


def test_a_workflow_notify_step_emails_the_associate_as_well_as_making_the_task(
    tom,
    build,  # noqa: F811 (the fixture imported above)
    smtp_sink,
    django_capture_on_commit_callbacks,
):
    build("tag_added", [{"kind": "notify", "associate": tom.pk,
                         "message": "{{ person.first_name }} wants wholesale"}],
          trigger_config={"tag": "wholesale"}, name="Wholesale leads")  # fmt: skip
    lea = PersonFactory(first_name="Lea")
    contacts.add_tag(lea, "wholesale", actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        run()
        run()
    task = Task.objects.get(person=lea)
    assert task.assignee == tom and task.title == "Lea wants wholesale"
    [received] = smtp_sink.to("tom@beans.example")
    assert received.message["Subject"] == "Lea wants wholesale"
    assert "The workflow “Wholesale leads” asks you" in _text(received)


def test_the_signed_link_switches_the_email_off_without_signing_in(
    tom, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer(PersonFactory(), score=2, owner=tom, at=timezone.now())
    [received] = smtp_sink.to("tom@beans.example")
    url = re.search(r"http://testserver(/notifications/unsubscribe/\S+/)", _text(received)).group(1)
    anonymous = Client()
    page = anonymous.get(url)
    assert page.status_code == 200 and "Stop urgent emails" in page.content.decode()
    done = anonymous.post(url)
    assert done.status_code == 200 and "Switched off" in done.content.decode(), done.content
    row = NotificationSettings.objects.get(associate=tom)
    assert not row.urgent_detractor and row.urgent_booking
    with django_capture_on_commit_callbacks(execute=True):
        answer(PersonFactory(), score=1, owner=tom, at=timezone.now())
    assert len(smtp_sink.to("tom@beans.example")) == 1
    forged = url.replace("unsubscribe/", "unsubscribe/x")
    assert anonymous.post(forged).status_code == 400
