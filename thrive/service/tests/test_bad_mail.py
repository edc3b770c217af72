"""Bad input: each gets a clear record, never a crash and never a reply."""

from __future__ import annotations

from email.message import EmailMessage

from thrive.contacts.models import Person
from thrive.service import services
from thrive.service.models import (
    Attachment,
    Conversation,
    Message,
    RawMessage,
    RawStatus,
    ServiceSettings,
    Status,
)
from thrive.testing.factories import AssociateFactory, PersonFactory

from .conftest import customer_email


def test_bytes_that_are_no_email_are_kept_raw_with_the_reason(db):
    raw = services.receive(b"\x00\xff garbage without any header\r\n", source="lmtp")
    raw.refresh_from_db()
    assert raw.status == RawStatus.FAILED
    assert "no readable From" in raw.error or "no headers" in raw.error
    assert bytes(raw.data) == b"\x00\xff garbage without any header\r\n"
    assert not Conversation.objects.exists()


def test_broken_mime_is_filed_with_the_parser_notes(db):
    broken = (
        b"From: Lena <lena@example.com>\r\nSubject: broken\r\nMessage-ID: <b1@example.com>\r\n"
        b'Content-Type: multipart/mixed; boundary="XYZ"\r\n\r\n'
        b"--XYZ\r\nContent-Type: text/plain; charset=no-such-charset\r\n\r\nCaf\xe9 au lait\r\n"
    )  # no closing boundary, an unknown charset
    raw = services.receive(broken, source="lmtp")
    raw.refresh_from_db()
    assert raw.status == RawStatus.PARSED
    message = Message.objects.get(raw=raw)
    assert "Caf" in message.text and "au lait" in message.text
    assert "CloseBoundaryNotFoundDefect" in message.problems


def test_a_latin_1_message_is_decoded_with_its_charset(db):
    data = (
        "From: Jörg <jorg@example.de>\r\nSubject: =?iso-8859-1?q?Gr=FC=DFe?=\r\n"
        "Message-ID: <l1@example.de>\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n"
        "Schöne Grüße\r\n"
    ).encode("latin-1")
    services.receive(data, source="lmtp")
    message = Message.objects.get()
    assert message.subject == "Grüße"
    assert message.text == "Schöne Grüße"


def test_html_is_sanitised_before_it_is_stored(db):
    msg = customer_email()
    msg.add_alternative(
        '<p onclick="x()">Hi <script>alert(1)</script><img src="https://t.example/p.gif">'
        '<a href="https://ok.example">link</a></p>', subtype="html",
    )  # fmt: skip
    services.receive(bytes(msg), source="lmtp")
    html = Message.objects.get().html
    assert "<script" not in html and "onclick" not in html and "<img" not in html
    assert 'href="https://ok.example"' in html


def test_an_oversize_attachment_is_recorded_as_skipped_with_the_reason(db):
    ServiceSettings.objects.create(max_attachment_bytes=1000)
    msg = customer_email()
    msg.add_attachment(b"x" * 5000, maintype="application", subtype="pdf", filename="big.pdf")
    msg.add_attachment(b"small", maintype="text", subtype="csv", filename="small.csv")
    services.receive(bytes(msg), source="lmtp")
    big = Attachment.objects.get(filename="big.pdf")
    small = Attachment.objects.get(filename="small.csv")
    assert big.content is None and big.size == 5000
    assert "over the 1,000-byte limit" in big.skipped
    assert bytes(small.content) == b"small" and not small.skipped


def _reply_to_lena(smtp_sink):
    PersonFactory(email="lena@example.com")
    services.receive(bytes(customer_email()), source="lmtp")
    conversation = Conversation.objects.get()
    sent = services.reply(conversation, actor=AssociateFactory(), text="We are on it.")
    smtp_sink.wait_for(1)
    return conversation, sent


def test_an_out_of_office_answer_is_recorded_never_answered_and_reopens_nothing(db, smtp_sink):
    conversation, sent = _reply_to_lena(smtp_sink)
    for _ in range(5):  # a responder that answers every message it gets
        services.receive(bytes(customer_email(
            subject="Out of office: Re: Order 1042 arrived cold", text="I am away.",
            in_reply_to=sent.message_id, headers={"Auto-Submitted": "auto-replied"},
        )), source="lmtp")  # fmt: skip
    conversation.refresh_from_db()
    assert conversation.status == Status.WAITING
    automatic = conversation.messages.filter(automatic="Auto-Submitted: auto-replied")
    assert automatic.count() == 5
    assert len(smtp_sink.messages) == 1  # only the associate's own reply


def test_an_automatic_reply_answering_nothing_is_set_aside(db, smtp_sink):
    raw = services.receive(bytes(customer_email(
        subject="Autoreply", headers={"Precedence": "bulk", "X-Autoreply": "yes"}
    )), source="lmtp")  # fmt: skip
    raw.refresh_from_db()
    assert raw.status == RawStatus.SET_ASIDE
    assert "never answered" in raw.error
    assert not Conversation.objects.exists()
    assert not Person.objects.filter(email="lena@example.com").exists()  # no suspect made
    assert smtp_sink.messages == []
    message = services.refile(raw, actor=AssociateFactory(), as_person=True)
    assert message is not None and message.automatic == "Precedence: bulk"
    assert message.conversation.person.email == "lena@example.com"


def test_a_bounce_arriving_as_a_reply_is_recorded_in_the_conversation_and_not_answered(
    db, smtp_sink
):
    conversation, sent = _reply_to_lena(smtp_sink)
    bounce = EmailMessage()
    bounce["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example.com>"
    bounce["To"] = "hello@kettlecrow.example"
    bounce["Subject"] = "Undelivered Mail Returned to Sender"
    bounce["Message-ID"] = "<bounce1@mx.example.com>"
    bounce["In-Reply-To"] = sent.message_id
    bounce.set_content("The mail system: host said 550 No such user")
    bounce.make_mixed()
    report = EmailMessage()
    report.set_content("Final-Recipient: rfc822; lena@example.com\nAction: failed\n")
    bounce.attach(report)
    bounce.replace_header("Content-Type", 'multipart/report; report-type=delivery-status; '
                          f'boundary="{bounce.get_boundary()}"')  # fmt: skip
    services.receive(bytes(bounce), source="lmtp")
    recorded = conversation.messages.get(bounce=True)
    assert "550 No such user" in recorded.text
    conversation.refresh_from_db()
    assert conversation.status == Status.WAITING
    assert conversation.person.email == "lena@example.com"
    assert len(smtp_sink.messages) == 1


def test_a_message_delivered_twice_is_filed_once(db):
    msg = customer_email(message_id="<same@example.com>")
    services.receive(bytes(msg), source="lmtp")
    again = services.receive(bytes(msg), source="imap")
    again.refresh_from_db()
    assert Message.objects.count() == 1
    assert again.status == RawStatus.SET_ASIDE and "Already filed" in again.error
    assert RawMessage.objects.count() == 2


def test_a_subject_threads_only_an_answer_of_the_same_person(db):
    services.receive(bytes(customer_email(subject="Gift cards")), source="lmtp")
    services.receive(bytes(customer_email(subject="RE: Gift cards")), source="lmtp")
    services.receive(bytes(customer_email(subject="Gift cards")), source="lmtp")
    services.receive(bytes(customer_email(sender="sam@example.com", subject="Re: Gift cards")),
                     source="lmtp")  # fmt: skip
    counts = sorted(c.messages.count() for c in Conversation.objects.all())
    assert counts == [1, 1, 2]
