"""The automatic first answer: when the owner switches it on, a new conversation from a
person is answered at once with the help articles most likely to answer it, always saying
that a person will follow up.

The mail listener only queues it (:func:`queue_answer`); the worker sends it
(:func:`thrive.service.tasks.answer_first_message`). It is sent at most once per
conversation (claimed on the conversation row before the email goes), only for the first
message of a new conversation, never to automatic mail or bounces (RFC 3834), and never
when no article is relevant enough. It is recorded in the conversation as an automatic
outbound message; it is not the team's first response, so SLA clocks and the
first-response figures keep running until a person answers.

The help centre sits in the same layer as the inbox: its articles come through core's
registry (:mod:`thrive.core.article_suggestions`).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from email.utils import make_msgid

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
# of 18 customer messages against the demo's 7 articles (tests/test_auto_answer.py), the
# 10 that an article answers scored 0.14–0.40 on it and the 8 that none answers at most
# 0.17 (an invoice error sharing "wrong" with the refunds article). At 0.18 no unrelated
# article is sent and 9 of the 10 are answered. A wrong article in an email is worse than
# none (a person answers either way), so the line sits above every unrelated score.
MIN_SCORE = 0.18
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


def _subject(conversation: Conversation) -> str:
    subject = conversation.subject or "Your message"
    return subject if re.match(r"(?i)^\s*re\s*:", subject) else f"Re: {subject}"


def _articles_for(message: Message) -> list[SuggestedArticle]:
    if not _is_new_from_a_person(message) or not message.conversation.person.email:
        return []
    return relevant_articles(f"{message.subject}\n{message.text}")


def _claim(conversation: Conversation, at: dt.datetime) -> bool:
    pending = Conversation.objects.filter(pk=conversation.pk, auto_answered_at__isnull=True)
    return bool(pending.update(auto_answered_at=at))


def queue_answer(message: Message) -> bool:
    """Queue the automatic first answer to ``message`` for the worker when it may get one;
    True if queued. The mail listener only files the message: sending from it would make
    the mail server that delivered the message wait on the outgoing SMTP server."""
    if not current_settings().auto_answer or not _is_new_from_a_person(message):
        return False
    from .tasks import answer_first_message

    pk = message.pk
    transaction.on_commit(lambda: answer_first_message.enqueue(pk))
    return True


def answer_new_conversation(message: Message) -> Message | None:
    """Send the automatic first answer to ``message`` when it starts a conversation and
    the owner switched the answer on; returns the recorded answer, or None."""
    if not current_settings().auto_answer:
        return None
    articles = _articles_for(message)
    now = timezone.now()
    if not articles or not _claim(message.conversation, now):
        return None
    conversation = message.conversation
    person = conversation.person
    subject = _subject(conversation)
    text = _text(person.first_name or "there", articles)
    email = build_message(to=person.email or "", subject=subject, text=text, automatic=True)
    # RFC 3834: an automatic answer to a message is "auto-replied", threaded to it.
    email.extra_headers["Auto-Submitted"] = "auto-replied"
    if message.message_id:
        email.extra_headers["In-Reply-To"] = message.message_id
        email.extra_headers["References"] = _references(message)
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
    return _record(message, subject, text, email.extra_headers["Message-ID"], now)


def log_past_answer(message: Message, *, at: dt.datetime) -> Message | None:
    """Record an automatic first answer already sent at ``at`` (the demo's history);
    sends nothing. None when no article is relevant enough."""
    articles = _articles_for(message)
    if not articles or not _claim(message.conversation, at):
        return None
    person = message.conversation.person
    text = _text(person.first_name or "there", articles)
    message_id = make_msgid(domain=business.sender_address().rpartition("@")[2] or None)
    return _record(message, _subject(message.conversation), text, message_id, at)


def _references(message: Message) -> str:
    return " ".join(r for r in [*message.references.split(), message.message_id] if r)


def _record(message: Message, subject: str, text: str, message_id: str, at: dt.datetime) -> Message:
    conversation = message.conversation
    person = conversation.person
    # Not the first response and no change of status: the team still owes an answer.
    with transaction.atomic():
        answer = Message.objects.create(
            conversation=conversation, kind=MessageKind.OUTBOUND, message_id=message_id,
            in_reply_to=message.message_id, references=_references(message),
            from_address=business.sender_address(), to_addresses=person.email or "",
            subject=subject, text=text, sent_at=at, automatic=AUTOMATIC_KIND,
        )  # fmt: skip
        answer.activity = contacts.record_activity(
            person, ActivityKind.EMAIL, channel=ActivityChannel.EMAIL, occurred_at=at,
            direction=Direction.OUTBOUND, subject=subject[:255], body=text[:4000],
            ref=f"conversation:{conversation.pk}", data={"message": answer.pk},
            automated=True,
        )  # fmt: skip
        answer.save(update_fields=["activity"])
    return answer
