import datetime as dt

import pytest
from django.utils import timezone

from thrive.contacts.models import Activity, ActivityKind, ConsentPurpose
from thrive.contacts.services import withdraw_consent
from thrive.outreach.inbound.suppression import suppress
from thrive.outreach.models import (
    TRANSACTIONAL,
    Delivery,
    DeliveryStatus,
    Suppression,
    SuppressionReason,
)
from thrive.outreach.sending.sender import call_for_help, run_pump
from thrive.outreach.services import send_email
from thrive.testing.factories import PersonFactory

from .conftest import consenting_person, make_template

pytestmark = pytest.mark.django_db

REASON = {"why": "Test", "workflow": 7}


def send(person, key, **kwargs):
    return send_email(
        person,
        template=kwargs.pop("template", None) or make_template(key),
        idempotency_key=key,
        reason=REASON,
        **kwargs,
    )


def test_the_same_key_never_sends_twice(smtp_sink):
    person = consenting_person(first_name="Ana")
    template = make_template()
    first = send_email(person, template=template, idempotency_key="k1", reason=REASON)
    second = send_email(person, template=template, idempotency_key="k1", reason=REASON)
    assert first.pk == second.pk
    run_pump()
    run_pump()
    assert len(smtp_sink.to(person.email)) == 1


def test_a_sent_message_carries_headers_links_and_is_on_the_timeline(smtp_sink):
    person = consenting_person(first_name="Ana")
    delivery = send(person, "k-headers")
    run_pump()
    [received] = smtp_sink.to(person.email)
    message = received.message
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert message["Subject"] == "Hello Ana"
    assert message["Message-ID"] == delivery.message_id
    assert message["List-Unsubscribe"].startswith("<http://testserver/m/u/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.get_body(("html",)).get_content()
    assert "http://testserver/m/c/" in html and "https://example.org/beans" not in html
    assert "http://testserver/m/o/" in html and "Unsubscribe</a>" in html
    text = message.get_body(("plain",)).get_content()
    assert "Unsubscribe: http://testserver/m/u/" in text
    activity = Activity.objects.get(person=person, kind=ActivityKind.EMAIL)
    assert activity.automated and activity.direction == "outbound"
    assert activity.data["delivery"] == delivery.pk and activity.data["reason"] == REASON
    words = [d["text"] for d in delivery.decisions]
    assert any("Consent to email marketing given" in w for w in words)
    assert any("0 automated emails in the last 7 days; the limit is 2" in w for w in words)


def test_no_consent_means_no_email_and_says_why(smtp_sink):
    person = PersonFactory()
    delivery = send(person, "k-noconsent")
    run_pump()
    assert delivery.status == DeliveryStatus.SKIPPED and delivery.skip_reason == "no_consent"
    assert smtp_sink.messages == []


def test_consent_withdrawn_after_queueing_is_honoured_at_send_time(smtp_sink):
    person = consenting_person()
    delivery = send(person, "k-withdrawn")
    assert delivery.status == DeliveryStatus.QUEUED
    withdraw_consent(person, ConsentPurpose.EMAIL_MARKETING, actor=None)
    run_pump()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SKIPPED and delivery.skip_reason == "no_consent"
    assert smtp_sink.messages == []


def test_suppressed_addresses_get_nothing_but_service_mail_after_unsubscribing(smtp_sink):
    unsubscribed = consenting_person()
    bounced = consenting_person()
    suppress(unsubscribed.email, SuppressionReason.UNSUBSCRIBED)
    suppress(bounced.email, SuppressionReason.HARD_BOUNCE)
    marketing = send(unsubscribed, "k-s1")
    receipt = send(unsubscribed, "k-s2", purpose=TRANSACTIONAL)
    to_bounced = send(bounced, "k-s3", purpose=TRANSACTIONAL)
    run_pump()
    for d in (marketing, receipt, to_bounced):
        d.refresh_from_db()
    assert marketing.skip_reason == "suppressed"
    assert receipt.status == DeliveryStatus.SENT
    assert to_bounced.skip_reason == "suppressed"
    assert len(smtp_sink.messages) == 1


def test_a_third_automated_email_in_a_week_waits_or_is_skipped(smtp_sink):
    person = consenting_person()
    for n in range(2):
        send(person, f"k-p{n}")
    run_pump()
    deferred = send(person, "k-p-defer")
    skipped = send(person, "k-p-skip", on_cap="skip")
    personal = send(person, "k-p-personal", automated=False)
    run_pump()
    for d in (deferred, skipped, personal):
        d.refresh_from_db()
    assert deferred.status == DeliveryStatus.DEFERRED
    first_sent = Delivery.objects.filter(idempotency_key="k-p0").get().sent_at
    assert deferred.next_attempt_at == first_sent + dt.timedelta(days=7)
    assert (
        "Already 2 automated emails in the last 7 days (limit 2)" in deferred.decisions[-1]["text"]
    )
    assert skipped.status == DeliveryStatus.SKIPPED and skipped.skip_reason == "pressure"
    assert personal.status == DeliveryStatus.SENT
    assert len(smtp_sink.to(person.email)) == 3


def test_quiet_hours_follow_each_persons_time_zone(smtp_sink, settings):
    tokyo_hour = timezone.now().astimezone(dt.timezone(dt.timedelta(hours=9))).hour
    # An hour-long quiet window that is "now" in Tokyo; Los Angeles is 16–17 hours behind.
    settings.THRIVE_QUIET_HOURS = f"{tokyo_hour:02d}:00-{(tokyo_hour + 1) % 24:02d}:00"
    in_tokyo = consenting_person(time_zone="Asia/Tokyo")
    in_la = consenting_person(time_zone="America/Los_Angeles")
    waiting = send(in_tokyo, "k-tokyo")
    going = send(in_la, "k-la")
    run_pump()
    waiting.refresh_from_db()
    going.refresh_from_db()
    assert waiting.status == DeliveryStatus.DEFERRED
    local_release = waiting.next_attempt_at.astimezone(dt.timezone(dt.timedelta(hours=9)))
    assert (local_release.hour, local_release.minute) == ((tokyo_hour + 1) % 24, 0)
    assert "inside quiet hours" in waiting.decisions[-1]["text"]
    assert "Asia/Tokyo" in waiting.decisions[-1]["text"]
    assert going.status == DeliveryStatus.SENT
    assert [m.recipients for m in smtp_sink.messages] == [[in_la.email]]


def test_smtp_down_retries_with_backoff_and_loses_nothing(smtp_sink):
    people = [consenting_person() for _ in range(3)]
    template = make_template()
    for person in people:
        send(person, f"k-down-{person.pk}", template=template)
    smtp_sink.stop()
    report = run_pump()
    assert report.retried == 1 and report.sent == 0
    pending = Delivery.objects.order_by("pk")
    assert [d.status for d in pending] == [DeliveryStatus.QUEUED] * 3
    first = pending[0]
    assert first.attempts == 1 and "Connection" in first.last_error
    assert all(d.next_attempt_at > timezone.now() + dt.timedelta(seconds=50) for d in pending)
    smtp_sink.start()
    assert run_pump().sent == 0  # not due yet: backing off
    Delivery.objects.update(next_attempt_at=timezone.now())
    assert run_pump().sent == 3
    assert sorted(r for m in smtp_sink.messages for r in m.recipients) == sorted(
        p.email for p in people
    )


def test_a_refused_recipient_is_a_hard_bounce_and_suppressed(smtp_sink):
    person = consenting_person()
    smtp_sink.handler.reject.add(person.email)
    delivery = send(person, "k-bounce")
    run_pump()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.BOUNCED and delivery.bounced_at
    assert Suppression.objects.get(email=person.email).reason == SuppressionReason.HARD_BOUNCE
    assert Activity.objects.filter(person=person, data__event="bounce").exists()


def test_a_batch_goes_over_one_smtp_connection(smtp_sink, settings):
    settings.THRIVE_OUTREACH_BATCH = 5
    people = [consenting_person(first_name=f"P{i}") for i in range(5)]
    template = make_template()
    for i, person in enumerate(people):
        send_email(person, template=template, idempotency_key=f"one-conn-{i}", reason=REASON)
    run_pump()
    assert len(smtp_sink.messages) == 5
    assert smtp_sink.handler.greetings == 1


def test_a_busy_pump_queues_one_helper_for_idle_workers(django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert call_for_help() is True
    with django_capture_on_commit_callbacks(execute=True):
        assert call_for_help() is False  # one waiting helper is enough
    assert DBTaskResult.objects.ready().count() == 1
