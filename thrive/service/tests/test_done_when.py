"""The issue's path end to end: a customer emails the business on loopback, an associate
answers from Thrive, the customer's answer threads back, and a late one makes a task."""

from __future__ import annotations

import datetime as dt
import smtplib
import time

from django.utils import timezone

from thrive.contacts.models import Activity, ActivityKind, Person, Stage
from thrive.service import services
from thrive.service.models import Conversation, MessageKind, RawMessage, RawStatus, Status
from thrive.tasks.models import Task
from thrive.testing.factories import AssociateFactory, PersonFactory

from .conftest import customer_email


def _send_over_lmtp(port: int, message) -> None:
    with smtplib.LMTP("127.0.0.1", port) as client:
        client.send_message(message, to_addrs=["hello@kettlecrow.example"])


def _wait_for(count: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while (
        time.monotonic() < deadline
        and RawMessage.objects.filter(status=RawStatus.PARSED).count() < count
    ):
        time.sleep(0.05)


def test_an_email_to_the_business_becomes_a_conversation_answered_and_threaded_back(
    lmtp_listener, smtp_sink
):
    lena = PersonFactory(first_name="Lena", last_name="Park", email="lena@example.com")
    maya = AssociateFactory(username="maya", first_name="Maya", last_name="Okafor")

    first = customer_email()
    started = time.monotonic()
    _send_over_lmtp(lmtp_listener, first)
    _wait_for(1)
    assert time.monotonic() - started < 5
    conversation = Conversation.objects.get()
    assert conversation.person == lena
    assert conversation.status == Status.OPEN
    assert conversation.subject == "Order 1042 arrived cold"
    inbound = conversation.messages.get()
    assert inbound.message_id == first["Message-ID"]
    assert "arrived cold" in inbound.text
    assert Activity.objects.filter(
        person=lena, kind=ActivityKind.EMAIL, direction="inbound",
        ref=f"conversation:{conversation.pk}",
    ).exists()  # fmt: skip

    sent = services.reply(
        conversation, actor=maya, text="Sorry Lena, a fresh one is on its way.", minutes=7,
        seen_message=inbound.pk,
    )  # fmt: skip
    delivered = smtp_sink.wait_for(1)
    assert len(delivered) == 1
    email = delivered[0].message
    assert delivered[0].recipients == ["lena@example.com"]
    assert email["In-Reply-To"] == first["Message-ID"]
    assert first["Message-ID"] in email["References"]
    assert email["Message-ID"] == sent.message_id
    assert email["Message-ID"].endswith("@kettlecrow.example>")
    assert email["Subject"] == "Re: Order 1042 arrived cold"
    assert "kettlecrow.example" in email["From"] and "Kettle" in email["From"]
    assert email["Auto-Submitted"] is None  # a person wrote it
    conversation.refresh_from_db()
    assert conversation.status == Status.WAITING
    assert conversation.first_response_at is not None
    reply_activity = Activity.objects.get(person=lena, direction="outbound")
    assert reply_activity.kind == ActivityKind.SUPPORT
    assert reply_activity.duration_minutes == 7 and reply_activity.associate == maya

    answer = customer_email(
        subject="Re: Order 1042 arrived cold", text="Thank you, it came warm today!",
        in_reply_to=email["Message-ID"], references=email["References"] + " " + email["Message-ID"],
    )  # fmt: skip
    _send_over_lmtp(lmtp_listener, answer)
    _wait_for(2)
    assert Conversation.objects.count() == 1
    conversation.refresh_from_db()
    kinds = list(conversation.messages.values_list("kind", flat=True))
    assert kinds == [MessageKind.INBOUND, MessageKind.OUTBOUND, MessageKind.INBOUND]
    assert conversation.status == Status.OPEN  # the customer wrote: back to the team
    assert len(smtp_sink.messages) == 1  # nothing answered automatically


def test_an_unknown_sender_becomes_a_new_suspect(lmtp_listener):
    _send_over_lmtp(lmtp_listener, customer_email(sender="Noor Aziz <Noor@Example.org>"))
    _wait_for(1)
    person = Person.objects.get(email="noor@example.org")
    assert (person.first_name, person.last_name, person.stage) == ("Noor", "Aziz", Stage.SUSPECT)
    assert Conversation.objects.get().person == person


def test_an_sla_about_to_breach_makes_exactly_one_task(db, settings):
    settings.THRIVE_TIME_ZONE = "UTC"
    raw = services.receive(bytes(customer_email()), source="smtp")
    conversation = Conversation.objects.get(messages__raw=raw)
    due = conversation.first_response_due_at
    assert due is not None and due > conversation.created_at
    early = due - dt.timedelta(days=7)
    assert services.check_sla(early) == []
    assert services.check_sla(due + dt.timedelta(minutes=1)) != []
    assert services.check_sla(due + dt.timedelta(minutes=2)) == []
    tasks = Task.objects.filter(person=conversation.person)
    assert tasks.count() == 1
    assert "first response" in tasks.get().title
    conversation.refresh_from_db()
    assert conversation.first_response_task == tasks.get()
    assert conversation.first_response_breached(due + dt.timedelta(minutes=1))


def test_the_first_response_time_counts_in_time_with_customers(db, smtp_sink):
    from thrive.analytics.dashboard import _time_with_customers

    maya = AssociateFactory(username="maya")
    services.receive(bytes(customer_email()), source="smtp")
    conversation = Conversation.objects.get()
    services.reply(conversation, actor=maya, text="On it.", minutes=30)
    now = timezone.now()
    counted = _time_with_customers(now - dt.timedelta(days=1), now + dt.timedelta(minutes=1))
    assert counted["hours"] == 0.5


def _lmtp_session(port: int, lines: list[bytes], data: bytes) -> list[bytes]:
    """A raw LMTP conversation (Python's smtplib.LMTP reads one reply after DATA, while
    LMTP answers once per recipient as mail servers expect)."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        reader = sock.makefile("rb")
        replies = [reader.readline()]
        for line in lines:
            sock.sendall(line + b"\r\n")
            reply = reader.readline()
            while reply[3:4] == b"-":  # a multi-line answer (LHLO)
                reply = reader.readline()
            replies.append(reply)
        sock.sendall(data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") + b"\r\n.\r\n")
        after = [reader.readline(), reader.readline()]
        sock.sendall(b"QUIT\r\n")
        return replies + after


def test_lmtp_answers_each_recipient_and_stores_the_message_once(lmtp_listener):
    message = bytes(customer_email())
    replies = _lmtp_session(lmtp_listener, [
        b"LHLO mx.kettlecrow.example", b"MAIL FROM:<lena@example.com>",
        b"RCPT TO:<hello@kettlecrow.example>", b"RCPT TO:<support@kettlecrow.example>", b"DATA",
    ], message)  # fmt: skip
    assert replies[-2].startswith(b"250") and replies[-1].startswith(b"250")
    raw = RawMessage.objects.get()
    assert raw.recipients.split("\n") == ["hello@kettlecrow.example", "support@kettlecrow.example"]
    assert raw.envelope_from == "lena@example.com"
    assert raw.status == RawStatus.PARSED


def test_the_listener_also_speaks_smtp(transactional_db):
    from thrive.service import listener

    from .conftest import free_port

    port = free_port()
    running = listener.controller("127.0.0.1", port, protocol="smtp")
    running.start()
    try:
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.send_message(customer_email(subject="Over SMTP"))
    finally:
        running.stop()
    assert Conversation.objects.get().subject == "Over SMTP"
