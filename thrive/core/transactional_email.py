"""Transactional email: the one way Thrive sends a message that is not a campaign.

Sign-in links, partner portal links, booking confirmations and reminders, password resets:
each is built here, so every one has the same sender identity (the business's name on the
configured address), a plain-text part and an HTML part, an ``Auto-Submitted`` header when
a machine wrote it (RFC 3834, so vacation responders do not answer it), and is sent only
after the transaction that caused it commits. Campaign and sequence mail (consent,
unsubscribe, exactly-once delivery) goes through outreach's sender instead.

The sender and Reply-To are the business's own (:mod:`thrive.core.business`): the settings
page's sender name and address, else the business's name on ``thrive@localhost``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import getaddresses, make_msgid

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils.html import linebreaks, urlize

from . import business
from .brand import email_layout

log = logging.getLogger(__name__)


def sender() -> str:
    """The From header: "<sender name> <sender address>" from the business's settings."""
    return business.from_header()


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: str | bytes
    mimetype: str


def html_from_text(text: str) -> str:
    """The HTML part of a text written as paragraphs: escaped, links made clickable."""
    return linebreaks(urlize(text, autoescape=True))


def build_message(
    *,
    to: str | Sequence[str],
    subject: str,
    text: str,
    html: str | None = None,
    automatic: bool = True,
    attachments: Sequence[Attachment] = (),
    reply_to: Sequence[str] = (),
) -> EmailMultiAlternatives:
    """One transactional message. ``html`` defaults to the text as HTML; ``automatic``
    marks it ``Auto-Submitted: auto-generated`` (leave it on unless a person wrote it)."""
    recipients = [to] if isinstance(to, str) else list(to)
    from_header = sender()
    domain = getaddresses([from_header])[0][1].rpartition("@")[2] or None
    headers = {"Message-ID": make_msgid(domain=domain)}
    if automatic:
        headers["Auto-Submitted"] = "auto-generated"
        # Exchange and Outlook ignore RFC 3834; this asks them not to auto-reply either.
        headers["X-Auto-Response-Suppress"] = "All"
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # one line: a newline would start a header
        body=text,
        from_email=from_header,
        to=recipients,
        reply_to=list(reply_to) or business.reply_to(),
        headers=headers,
    )
    # The HTML part wears the business's name and colour (thrive.core.brand).
    body = html if html is not None else html_from_text(text)
    message.attach_alternative(email_layout(body), "text/html")
    for item in attachments:
        message.attach(item.filename, item.content, item.mimetype)
    return message


def send_now(message: EmailMultiAlternatives) -> None:
    """Send at once; raises on a mail-server failure (for jobs, which report it)."""
    message.send()


def send_after_commit(message: EmailMultiAlternatives, *, what: str) -> None:
    """Send once the current transaction commits (at once outside one); nothing is sent
    if it rolls back. A mail-server failure is logged, naming ``what``: what the
    transaction did stands either way."""

    def deliver() -> None:
        try:
            message.send()
        except Exception:  # noqa: BLE001 - any mail failure, reported below
            log.exception("Could not send the %s email to %s", what, ", ".join(message.to))

    transaction.on_commit(deliver)
