"""A batch is checked, rendered and written at once; what it sends must be exactly what
one-message-at-a-time sending would send."""

import datetime as dt

import pytest
from django.utils import timezone

from thrive.contacts.models import Activity
from thrive.outreach.inbound.suppression import suppress
from thrive.outreach.models import Delivery, DeliveryStatus
from thrive.outreach.sending import links
from thrive.outreach.sending.sender import (
    PumpReport,
    claim_batch,
    mark_sent,
    prepare_batch,
    record_sent_activities,
    run_pump,
)
from thrive.outreach.services import send_email

from .conftest import consenting_person, make_template

pytestmark = pytest.mark.django_db

REASON = {"why": "Batch test"}


def test_the_weekly_limit_counts_messages_let_through_earlier_in_the_same_batch(smtp_sink):
    person = consenting_person()  # the limit is 2 a week in these tests
    others = [consenting_person() for _ in range(3)]
    template = make_template()
    for n in range(3):
        send_email(person, template=template, idempotency_key=f"cap-{n}", reason=REASON)
    for other in others:
        send_email(other, template=template, idempotency_key=f"cap-o{other.pk}", reason=REASON)
    # Queued while nothing had gone out, so all three passed the check at queue time.
    assert Delivery.objects.filter(status=DeliveryStatus.QUEUED).count() == 6
    report = run_pump()
    assert (report.sent, report.deferred) == (5, 1)
    third = Delivery.objects.get(idempotency_key="cap-2")
    assert third.status == DeliveryStatus.DEFERRED
    assert "Already 2 automated emails in the last 7 days" in third.decisions[-1]["text"]
    assert len(smtp_sink.to(person.email)) == 2


def test_suppressed_and_unconsenting_people_in_a_batch_are_skipped_the_rest_sent(smtp_sink):
    good = [consenting_person() for _ in range(3)]
    gone = consenting_person()
    suppress(gone.email, "hard_bounce")
    from thrive.testing.factories import PersonFactory

    unasked = PersonFactory()
    template = make_template()
    for p in [*good, gone, unasked]:
        send_email(p, template=template, idempotency_key=f"mix-{p.pk}", reason=REASON)
    # The queue-time check already skipped them; they go back to queued to be checked
    # again at send time, in one batch with the others.
    Delivery.objects.update(status=DeliveryStatus.QUEUED, skip_reason="")
    report = run_pump()
    assert (report.sent, report.skipped) == (3, 2)
    reasons = dict(Delivery.objects.values_list("person_id", "skip_reason"))
    assert reasons[gone.pk] == "suppressed" and reasons[unasked.pk] == "no_consent"
    assert sorted(r for m in smtp_sink.messages for r in m.recipients) == sorted(
        p.email for p in good
    )


def test_a_message_with_accents_reads_back_the_same_at_the_server(smtp_sink):
    person = consenting_person(first_name="Zoë")
    template = make_template(
        "Accents",
        subject="Café für {{ person.first_name }} — frisch geröstet",
        html_body="<p>Grüße, {{ person.first_name }}!</p><p>" + "Lange Zeile " * 20 + "</p>",
    )
    delivery = send_email(person, template=template, idempotency_key="accents", reason=REASON)
    run_pump()
    [received] = smtp_sink.messages
    message = received.message
    assert message["Subject"] == "Café für Zoë — frisch geröstet"
    assert message["Message-ID"] == Delivery.objects.get(pk=delivery.pk).message_id
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert "Grüße, Zoë!" in html and "Lange Zeile " * 20 in html
    assert "Grüße, Zoë!" in text
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith(links.absolute("/m/u/")) and unsubscribe in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_timeline_entries_a_dead_worker_left_unwritten_are_written_once(smtp_sink):
    person = consenting_person()
    send_email(person, template=make_template(), idempotency_key="orphan", reason=REASON)
    # A worker sends and marks the message, then dies before writing the batch's timeline.
    token = "t" * 32
    [delivery] = prepare_batch(
        claim_batch(token, size=10, now=timezone.now()), token, now=timezone.now(),
        report=PumpReport(),
    )  # fmt: skip
    assert mark_sent(delivery, token)
    assert not Activity.objects.filter(person=person, data__event="sent").exists()
    run_pump()  # within the lease: the worker might still be writing it
    assert not Activity.objects.filter(person=person, data__event="sent").exists()
    Delivery.objects.filter(pk=delivery.pk).update(
        sent_at=timezone.now() - dt.timedelta(minutes=10)
    )
    run_pump()
    run_pump()
    assert record_sent_activities() == 0
    [sent] = Activity.objects.filter(person=person, data__event="sent")
    assert sent.data["delivery"] == delivery.pk and sent.automated
    assert sent.ref == f"delivery:{delivery.pk}" and sent.subject == delivery.subject
