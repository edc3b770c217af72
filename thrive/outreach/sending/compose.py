"""What one delivery says, and the email message that carries it."""

from __future__ import annotations

import functools
import hashlib
import html
from email.utils import formataddr, parseaddr
from typing import Any

from django.core.mail import EmailMultiAlternatives

from thrive.core import business

from ..email_templates.merge_data import merge_context
from ..email_templates.sandbox import Rendered, render_parts
from ..models import CONSENT_PURPOSES, Delivery
from . import links


class MissingTemplate(Exception):
    """The delivery's template was deleted before it could be sent."""


def wants_unsubscribe(delivery: Delivery) -> bool:
    """Marketing and survey mail carry unsubscribe links; service and personal mail not."""
    return delivery.purpose in CONSENT_PURPOSES


@functools.lru_cache(maxsize=8)
def _domain(from_email: str) -> str:
    return parseaddr(from_email)[1].rpartition("@")[2] or "thrive.invalid"


def message_id_for(idempotency_key: str) -> str:
    """The same key always gives the same Message-ID, so a resend after a crash is
    recognisably the same message to receiving servers and to our own logs."""
    domain = _domain(business.sender_address())
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    return f"<thrive.{digest}@{domain}>"


def render_delivery(delivery: Delivery, data: dict[str, Any] | None = None) -> Rendered:
    """Render the delivery's template for its person, with unsubscribe links, click
    tracking and the open pixel for marketing mail. ``data`` is the person's merge data
    when the caller loaded it already (a batch does, for all its people at once); it is
    not changed."""
    template = delivery.template
    if template is None:
        raise MissingTemplate("The template of this message was deleted.")
    data = dict(data) if data is not None else merge_context(delivery.person)
    marketing = wants_unsubscribe(delivery)
    unsubscribe = links.unsubscribe_url(delivery.pk) if marketing else ""
    # The List-Unsubscribe header of this send uses the same link (see mime.py).
    delivery.unsubscribe_link = unsubscribe
    data["unsubscribe_url"] = unsubscribe
    rendered = render_parts(
        subject=delivery.subject_override or template.subject,
        html_body=template.html_body,
        text_body=template.text_body,
        data=data,
    )
    body, text = rendered.html, rendered.text
    # The footer names the business the reader hears from (the merge data carries it).
    business = str((data.get("business") or {}).get("name") or "")
    if marketing:
        if body and unsubscribe not in body:
            body = _append_html(body, unsubscribe, business)
        if unsubscribe not in text:
            sender = f"You get this email from {business}.\n" if business else ""
            text = f"{text.rstrip()}\n\n--\n{sender}Unsubscribe: {unsubscribe}\n"
        if body:
            body = links.add_pixel(links.track_links(body, delivery.pk), delivery.pk)
    return Rendered(subject=rendered.subject, html=body, text=text)


def _append_html(body: str, unsubscribe: str, business: str = "") -> str:
    sender = f"You get this email from {html.escape(business)}. " if business else ""
    footer = (
        '<p style="font-size:12px;color:#4b5563">'
        f'{sender}<a href="{html.escape(unsubscribe)}">Unsubscribe</a> from these emails.</p>'
    )
    lower = body.lower()
    at = lower.rfind("</body")
    return body[:at] + footer + body[at:] if at >= 0 else body + footer


def from_header_for(delivery: Delivery) -> str:
    """The From header: the business's, or the associate's name on the business's
    address for a one-to-one email (the address stays the one the mail server signs)."""
    if delivery.from_name:
        return formataddr((delivery.from_name, business.sender_address()), charset="utf-8")
    return business.from_header()


def reply_to_for(delivery: Delivery) -> list[str]:
    return [delivery.reply_to] if delivery.reply_to else business.reply_to()


def build_message(delivery: Delivery) -> EmailMultiAlternatives:
    headers = {"Message-ID": delivery.message_id, "X-Thrive-Delivery": str(delivery.pk)}
    if wants_unsubscribe(delivery):
        # RFC 8058: the header URL alone unsubscribes, by a POST without cookies.
        headers["List-Unsubscribe"] = f"<{links.unsubscribe_url(delivery.pk)}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=delivery.text_body,
        from_email=from_header_for(delivery),
        to=[delivery.to_email],
        reply_to=reply_to_for(delivery),
        headers=headers,
    )
    if delivery.html_body:
        message.attach_alternative(delivery.html_body, "text/html")
    return message
