"""The course on request, end to end through the real SMTP sink: a visitor fills the
hosted form, nothing marketing is sent until they confirm, then lesson 1 goes out."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from thrive.contacts.models import Consent, ConsentMethod, Person
from thrive.outreach.models import EnrollmentStatus, SequenceEnrollment
from thrive.outreach.sending.sender import run_pump

from ..demo import FORM_SLUG, LESSONS, SEQUENCE_NAME, seed_demo
from ..models import Submission

pytestmark = pytest.mark.django_db


def test_a_visitor_asks_for_the_course_confirms_and_receives_lesson_one(smtp_sink, owner):
    seed_demo(owner.username)
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(f"/f/{FORM_SLUG}/")
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    with_cookie = visitor.post(f"/f/{FORM_SLUG}/", {
        "csrfmiddlewaretoken": token.group(1), "first_name": "Rosa",
        "email": "rosa@example.com", "consent_email_marketing": "on",
    })  # fmt: skip
    assert with_cookie.status_code == 200, with_cookie.content.decode()[:1500]
    assert b"Check your inbox" in with_cookie.content

    run_pump()  # the worker's job: sends what is due
    [confirmation] = smtp_sink.to("rosa@example.com")
    assert "confirm" in confirmation.message["Subject"].lower()
    # Not enrolled yet: the lessons are marketing and wait for the click.
    assert not SequenceEnrollment.objects.exists()
    text = confirmation.message.get_body(("plain",)).get_content()
    link = urlsplit(re.search(r"http://testserver/f/confirm/\S+", text).group(0)).path

    # A mail scanner following the link confirms nothing; the button does.
    assert visitor.get(link).status_code == 200
    assert not Consent.objects.exists()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"',
                     visitor.get(link).content.decode()).group(1)  # fmt: skip
    done = visitor.post(link, {"csrfmiddlewaretoken": csrf})
    assert done.status_code == 200 and b"on its way" in done.content
    person = Person.objects.get(email="rosa@example.com")
    assert Consent.objects.get(person=person).method == ConsentMethod.DOUBLE_OPT_IN
    enrollment = SequenceEnrollment.objects.get(person=person)
    assert enrollment.sequence.name == SEQUENCE_NAME
    assert Submission.objects.get(person=person).enrolled

    run_pump()
    received = smtp_sink.to("rosa@example.com")
    assert len(received) == 2
    lesson = received[1].message
    assert lesson["Subject"] == LESSONS[0][0]
    assert "Hi Rosa," in lesson.get_body(("plain",)).get_content()
    enrollment.refresh_from_db()
    assert enrollment.next_position == 2 and enrollment.status == EnrollmentStatus.ACTIVE

    # Confirming twice enrols once and sends nothing more now.
    visitor.post(link, {"csrfmiddlewaretoken": csrf})
    run_pump()
    assert len(smtp_sink.to("rosa@example.com")) == 2
    assert SequenceEnrollment.objects.filter(person=person).count() == 1


def test_the_demo_course_has_five_lessons_two_days_apart(owner):
    seed_demo(owner.username)
    seed_demo(owner.username)  # idempotent
    from thrive.outreach.models import Sequence

    sequence = Sequence.objects.get(name=SEQUENCE_NAME)
    steps = list(sequence.steps.order_by("position").values_list("delay_hours", flat=True))
    assert steps == [0, 48, 48, 48, 48]
    subjects = list(sequence.steps.order_by("position").values_list("template__subject",
                                                                     flat=True))  # fmt: skip
    assert subjects == [subject for subject, _ in LESSONS]
