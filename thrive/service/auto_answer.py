"""The automatic first answer: when the owner switches it on, a new conversation from a
person is answered at once with the help articles most likely to answer it, always saying
that a person will follow up.

It is sent at most once per conversation (claimed on the conversation row before the
email goes), only for the first message of a new conversation, never to automatic mail or
bounces (RFC 3834), and never when no article is relevant enough. It is recorded in the
conversation as an automatic outbound message; it is not the team's first response, so
SLA clocks and the first-response figures keep running until a person answers.

The help centre sits in the same layer as the inbox: its articles come through core's
registry (:mod:`thrive.core.article_suggestions`).
"""

from __future__ import annotations

import logging
import re

from django.db import transaction
from django.utils import timezone

from thrive.contacts import services as contacts
from thrive.contacts.models import ActivityChannel, ActivityKind, Direction
from thrive.core import business
from thrive.core.article_suggestions import SuggestedArticle, suggest_articles
from thrive.core.transactional_email import build_message

from .hours import current_settings
from .models import Conversation, Message, MessageKind

log = logging.getLogger(__name__)

# What ``Message.automatic`` says of the answer (inbound automatic mail names its header).
AUTOMATIC_KIND = "first answer"
MAX_ARTICLES = 3
# The help centre's TF-IDF cosine score an article needs to be sent. On a labelled sample
# of 13 customer messages against the demo's 7 articles (tests/test_auto_answer.py),
# messages an article answers scored 0.14–0.40 and unrelated ones at most 0.14: at 0.15
# no unrelated article is sent and 6 of 7 answerable messages are answered. A wrong
# article in an email is worse than none (a person answers either way), so the line sits
# above every unrelated score rather than at the best split.
MIN_SCORE = 0.15
# Mail arriving now; the demo and history brought in are never answered.
LIVE_SOURCES = frozenset({"lmtp", "smtp", "imap"})


def relevant_articles(text: str) -> list[SuggestedArticle]:
    return [a for a in suggest_articles(text, MAX_ARTICLES) if a.score >= MIN_SCORE]


def _is_new_from_a_person(message: Message) -> bool:
    if message.kind != MessageKind.INBOUND or message.automatic or message.bounce:
        return False
    # The first message of its conversation: later ones are answered by the team.
    return not message.conversation.messages.exclude(pk=message.pk).exists()


def _text(name: str, articles: list[SuggestedArticle]) -> str:
    listed = "\n".join(f"- {a.title}: {a.url}" for a in articles)
    which = "This article" if len(articles) == 1 else "These articles"
    return (
        f"Hi {name},\n\nThank you for writing to {business.name()}. {which} from our help "
        f"centre may answer your question:\n\n{listed}\n\nA person from our team will read "
        "your message and follow up; you do not need to write again.\n\n"
        f"{business.name()}\n(This is an automatic answer.)"
    )


def answer_new_conversation(message: Message) -> Message | None:
    """Send the automatic first answer to ``message`` when it starts a conversation and
    the owner switched the answer on; returns the recorded answer, or None."""
    if not current_settings().auto_answer or not _is_new_from_a_person(message):
        return None
    conversation = message.conversation
    person = conversation.person
    if not person.email:
        return None
    articles = relevant_articles(f"{message.subject}\n{message.text}")
    if not articles:
        return None
    now = timezone.now()
    claimed = Conversation.objects.filter(pk=conversation.pk, auto_answered_at__isnull=True).update(
        auto_answered_at=now
    )
    if not claimed:
        return None
    subject = conversation.subject or "Your message"
    if not re.match(r"(?i)^\s*re\s*:", subject):
        subject = f"Re: {subject}"
    text = _text(person.first_name or "there", articles)
    email = build_message(to=person.email, subject=subject, text=text, automatic=True)
    # RFC 3834: an automatic answer to a message is "auto-replied", threaded to it.
    email.extra_headers["Auto-Submitted"] = "auto-replied"
    references = [*message.references.split(), message.message_id]
    if message.message_id:
        email.extra_headers["In-Reply-To"] = message.message_id
        email.extra_headers["References"] = " ".join(r for r in references if r)
    try:
        email.send()
    except Exception as exc:  # noqa: BLE001 - the team answers anyway; told in a note
        log.exception(
            "Could not send the automatic first answer of conversation %s", conversation.pk
        )
        Message.objects.create(
            conversation=conversation, kind=MessageKind.NOTE,
            text=f"The automatic first answer could not be sent: {exc}",
        )  # fmt: skip
        return None
    with transaction.atomic():
        answer = Message.objects.create(
            conversation=conversation, kind=MessageKind.OUTBOUND,
            message_id=email.extra_headers["Message-ID"], in_reply_to=message.message_id,
            references=email.extra_headers.get("References", ""),
            from_address=business.sender_address(), to_addresses=person.email, subject=subject,
            text=text, sent_at=now, automatic=AUTOMATIC_KIND,
        )  # fmt: skip
        answer.activity = contacts.record_activity(
            person, ActivityKind.EMAIL, channel=ActivityChannel.EMAIL, occurred_at=now,
            direction=Direction.OUTBOUND, subject=subject[:255], body=text[:4000],
            ref=f"conversation:{conversation.pk}", data={"message": answer.pk},
            automated=True,
        )  # fmt: skip
        answer.save(update_fields=["activity"])
    return answer
