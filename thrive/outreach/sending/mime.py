"""The bytes of one outgoing message, written directly for the SMTP fast path.

Django's :class:`~django.core.mail.EmailMultiAlternatives` builds every message through
the standard library's modern email policy, which parses each header it sets: about
2 ms per message, more than the whole budget of a fast send. A campaign message always
has the same shape (a text part, maybe an HTML part, a handful of headers), so it is
written here as bytes: quoted-printable UTF-8 parts in a ``multipart/alternative``,
RFC 2047 encoded words for a subject that is not ASCII. The result parses to the same
headers and parts as Django's message (see the sending tests, which read it back).
"""

from __future__ import annotations

import binascii
import re
import secrets
from email.header import Header
from email.utils import formataddr, formatdate, getaddresses

from thrive.core import business

from ..models import Delivery
from . import links
from .compose import wants_unsubscribe

# An address that can go into a header and the envelope as it is: ASCII, no spaces,
# quotes, angle brackets or line breaks. Anything else goes through the mailer.
_PLAIN_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+$")


def plain_address(address: str) -> bool:
    return bool(_PLAIN_ADDRESS.match(address))


def from_header(from_email: str) -> str:
    """The From header for ``from_email`` (``Name <addr>`` or ``addr``), encoded."""
    name, address = getaddresses([from_email])[0]
    return formataddr((name, address), charset="utf-8") if name else address


def _subject(subject: str) -> str:
    if subject.isascii() and len(subject) < 900:
        return subject
    return Header(subject, "utf-8").encode(linesep="\r\n")


def _part(content_type: str, text: str) -> bytes:
    body = text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
    encoded = binascii.b2a_qp(body, istext=True)
    return (
        f'Content-Type: {content_type}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    ).encode("ascii") + encoded


def message_bytes(delivery: Delivery, *, sender: str, to: str) -> bytes:
    """The whole message, CRLF line ends, ready for ``smtplib.SMTP.sendmail``."""
    headers = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {_subject(delivery.subject)}",
        f"Date: {formatdate(localtime=False)}",
        f"Message-ID: {delivery.message_id}",
        f"X-Thrive-Delivery: {delivery.pk}",
    ]
    replies = [delivery.reply_to] if delivery.reply_to else business.reply_to()
    headers.extend(f"Reply-To: {from_header(address)}" for address in replies)
    if wants_unsubscribe(delivery):
        # RFC 8058: the header URL alone unsubscribes, by a POST without cookies.
        link = getattr(delivery, "unsubscribe_link", "") or links.unsubscribe_url(delivery.pk)
        headers.append(f"List-Unsubscribe: <{link}>")
        headers.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
    headers.append("MIME-Version: 1.0")
    text = _part("text/plain", delivery.text_body)
    if not delivery.html_body:
        return ("\r\n".join(headers) + "\r\n").encode("utf-8") + text
    boundary = f"=thrive-{secrets.token_hex(12)}"
    headers.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
    mark = f"\r\n--{boundary}\r\n".encode("ascii")
    return b"".join(
        [
            ("\r\n".join(headers) + "\r\n\r\n").encode("utf-8"),
            mark[2:],
            text,
            mark,
            _part("text/html", delivery.html_body),
            f"\r\n--{boundary}--\r\n".encode("ascii"),
        ]
    )
