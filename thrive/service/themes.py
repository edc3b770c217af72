"""Customers' emails to the shared inbox as a source for the themes page (voice).

Only what customers wrote counts: inbound messages, not automatic replies or bounces, and
not the team's answers."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.urls import reverse

from thrive.voice.themes_sources import Said

from .models import Message, MessageKind

_QUOTE_STARTS = re.compile(r"^(>|On .+ wrote:\s*$|-----Original Message-----)")


def own_words(text: str) -> str:
    """The customer's own words: the email up to the quoted message it answers."""
    kept = []
    for line in text.splitlines():
        if _QUOTE_STARTS.match(line.strip()):
            break
        kept.append(line)
    return " ".join(" ".join(kept).split())[:2000]


def customer_emails(since: dt.datetime, limit: int) -> Iterable[Said]:
    rows = (
        Message.objects.filter(
            kind=MessageKind.INBOUND, sent_at__gte=since, automatic="", bounce=False
        )
        .exclude(text="")
        .order_by("-sent_at", "-pk")
        .values_list("pk", "subject", "conversation__subject", "text", "sent_at", "conversation_id")
    )[:limit]
    for pk, own_subject, thread_subject, text, at, conversation in rows:
        subject = own_subject or thread_subject
        body = own_words(text)
        if not body:
            continue
        said = f"{subject}. {body}" if subject and not subject.lower().startswith("re:") else body
        url = reverse("inbox_conversation", args=[conversation])
        yield Said("conversation", str(pk), said, at, url)
