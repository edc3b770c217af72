"""The digest and urgent emails, to an associate: text and HTML, links on the public
address, a signed unsubscribe link (and the RFC 8058 one-click header) in each."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from thrive.core import business
from thrive.core.tokens import make_token, read_token
from thrive.core.transactional_email import build_message

from .contents import Digest

UNSUBSCRIBE = "digests.unsubscribe"
UNSUBSCRIBE_MAX_AGE = 90 * 24 * 3600  # an old digest's link still works for a season
DIGEST = "digest"


def unsubscribe_url(associate: Any, what: str) -> str:
    """``what``: "digest" or an urgent kind ("detractor", "booking"…)."""
    token = make_token(UNSUBSCRIBE, {"a": associate.pk, "w": what})
    return business.public_url() + reverse("digest_unsubscribe", args=[token])


def read_unsubscribe(token: str) -> dict[str, Any]:
    """The payload; raises TokenError for a forged or expired link."""
    return read_token(UNSUBSCRIBE, token, max_age_seconds=UNSUBSCRIBE_MAX_AGE)


def link(path: str) -> str:
    return business.public_url() + path


def digest_subject(digest: Digest) -> str:
    counts = digest.counts()
    parts = []
    tasks = counts["overdue"] + counts["due_today"]
    if tasks:
        parts.append(f"{tasks} task{'s' if tasks != 1 else ''}")
    if counts["sessions"]:
        parts.append(f"{counts['sessions']} session{'s' if counts['sessions'] != 1 else ''}")
    if counts["sla"]:
        parts.append(f"{counts['sla']} conversation{'s' if counts['sla'] != 1 else ''} near an SLA")
    if counts["detractors"]:
        n = counts["detractors"]
        parts.append(f"{n} detractor{'s' if n != 1 else ''} waiting")
    summary = ", ".join(parts) or "your follow-ups"
    return f"Your day at {business.name()}: {summary}"


def digest_context(digest: Digest) -> dict[str, Any]:
    return {
        "digest": digest,
        "name": digest.associate.first_name or digest.associate.username,
        "base": business.public_url(),
        "business": business.name(),
    }


def digest_html(digest: Digest, *, unsubscribe: str = "") -> str:
    """The digest's own HTML (escaped), as the email and the preview page show it; times
    in the associate's own zone."""
    with timezone.override(ZoneInfo(digest.zone)):
        return render_to_string(
            "digests/digest_email.html", {**digest_context(digest), "unsubscribe": unsubscribe}
        )


def digest_text(digest: Digest, *, unsubscribe: str) -> str:
    with timezone.override(ZoneInfo(digest.zone)):
        return render_to_string(
            "digests/digest_email.txt", {**digest_context(digest), "unsubscribe": unsubscribe}
        )


def _with_unsubscribe(message: EmailMultiAlternatives, url: str) -> EmailMultiAlternatives:
    message.extra_headers["List-Unsubscribe"] = f"<{url}>"
    message.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message


def digest_message(digest: Digest) -> EmailMultiAlternatives:
    url = unsubscribe_url(digest.associate, DIGEST)
    message = build_message(
        to=digest.associate.email,
        subject=digest_subject(digest),
        text=digest_text(digest, unsubscribe=url),
        html=digest_html(digest, unsubscribe=url),
    )
    return _with_unsubscribe(message, url)


def urgent_message(
    associate: Any, *, kind: str, subject: str, lines: list[str], path: str
) -> EmailMultiAlternatives:
    url = unsubscribe_url(associate, kind)
    context = {
        "name": associate.first_name or associate.username,
        "lines": lines,
        "open_url": link(path),
        "unsubscribe": url,
        "business": business.name(),
    }
    message = build_message(
        to=associate.email,
        subject=subject,
        text=render_to_string("digests/urgent_email.txt", context),
        html=render_to_string("digests/urgent_email.html", context),
    )
    return _with_unsubscribe(message, url)
