"""Erasure finds a person in a stored email however it was encoded: a name in an encoded
header, an address inside a base64 or quoted-printable body. Mail about someone else stays."""

from __future__ import annotations

from email.message import EmailMessage

from thrive.contacts import services as contacts
from thrive.portability.erasure import erase_person
from thrive.service.models import RawMessage


def _stored(msg: EmailMessage) -> RawMessage:
    data = bytes(msg)
    return RawMessage.objects.create(source="lmtp", data=data, size=len(data))


def _mail(subject: str, body: str, cte: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Front desk <desk@kettlecrow.example>"
    msg["To"] = "hello@kettlecrow.example"
    msg["Subject"] = subject
    msg.set_content(body, charset="utf-8", cte=cte)
    return msg


def test_an_encoded_name_or_address_in_stored_mail_is_erased(db, owner):
    zoe = contacts.create_person(
        actor=owner, first_name="Zoë", last_name="Ørsted", email="zoe.orsted@example.com"
    )
    by_header = _stored(_mail("Call back Zoë Ørsted ☕", "Please call her today.", "base64"))
    by_body = _stored(
        _mail("Wholesale", "Her address: zoe.orsted@example.com – thanks ✓", "base64")
    )
    long_line = "x" * 70 + " zoe.orsted@example.com " + "é" * 40  # soft line breaks
    by_qp = _stored(_mail("Order", long_line, "quoted-printable"))
    other = _stored(_mail("Call back Zoë Lind ☕", "Her address: zoe.lind@example.com", "base64"))
    for raw in (by_header, by_body, by_qp):  # the mention really is hidden from a byte search
        data = bytes(raw.data).lower()
        assert b"zoe.orsted@example.com" not in data
        assert "Zoë Ørsted".lower().encode() not in data

    log = erase_person(zoe, actor=owner)

    for raw in (by_header, by_body, by_qp):
        raw.refresh_from_db()
        assert bytes(raw.data) == b"[erased]", raw.pk
    other.refresh_from_db()
    assert bytes(other.data) != b"[erased]"
    assert log.changed["service.rawmessage (files)"] == 3
