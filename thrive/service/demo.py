"""What the demo business shows of the shared inbox: a handful of customers' emails, one
resolved, one waiting on the customer, two open (one with an internal note), one urgent
one past its first-response target (with its SLA task), an out-of-office answer recorded
but not answered, two canned replies, and the automatic first answer switched on (with
help articles recorded where one fits).

Every email goes through the same door as real mail (``services.receive`` with the raw
bytes), timed in the last days of the demo's history; nothing is sent.
"""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from thrive.commerce.models import Order
from thrive.contacts.models import Activity, Person, Stage
from thrive.core import business

from . import auto_answer, services
from .models import CannedReply, Conversation, CsatRequest, CsatStatus, Priority, Status

CANNED = [
    ("Thanks, we're on it",
     "Hi {first_name},\n\nThank you for writing. We're looking into it and will come back "
     "to you today.\n\n{agent}\n{business}"),
    ("Pausing a subscription",
     "Hi {first_name},\n\nOf course: your subscription is paused, and nothing ships or is "
     "charged until you tell us to start again. Just answer this email.\n\n{agent}"),
]  # fmt: skip

# ((weekdays before the end of the history, local hour, minute), subject, the customer's
#  words, priority, tags, [(hours after, who answers, reply, minutes)], status after, note)
THREADS = [
    ((6, 10, 20), "Grinder setting for the Yirgacheffe", "Hi! The new Ethiopian beans taste "
     "sour on our Mazzer. Which grind setting do you start with?", Priority.NORMAL, "brewing",
     [(3, "maya", "Hi {first}, go two steps finer than for the house blend and aim for "
      "28 seconds. Tell us how it tastes!", 10)], Status.RESOLVED, ""),
    ((2, 9, 10), "Invoice 2291 shows the wrong VAT number", "Hello, our VAT number on invoice 2291 "
     "is wrong, it should end in 47. Could you send a corrected invoice?", Priority.NORMAL,
     "billing", [(4, "tom", "Hi {first}, sorry about that. Could you send us the full "
      "number so we correct it everywhere?", 5)], Status.WAITING, ""),
    ((1, 14, 30), "Can we pause our subscription for August?", "We close for three weeks in "
     "August. Can we pause the beans delivery and restart in September?", Priority.LOW,
     "subscription", [], Status.OPEN, ""),
    ((1, 8, 40), "Espresso machine leaking after the service visit", "Since your technician came "
     "on Monday the group head leaks. We can't serve coffee this morning!", Priority.URGENT,
     "equipment, urgent", [], Status.OPEN, "Technician's report says the gasket was "
     "replaced; check which size."),
    ((0, 11, 5), "Wholesale price list for 2027?", "Could you send the 2027 wholesale prices for "
     "the house espresso and the decaf?", Priority.NORMAL, "wholesale", [], Status.OPEN, ""),
]  # fmt: skip


def _clock() -> dt.datetime:
    """The end of the demo's history (never later than now), as the other seeds use."""
    last = (
        Order.objects.aggregate(last=Max("ordered_at"))["last"]
        or Activity.objects.aggregate(last=Max("occurred_at"))["last"]
    )
    now = timezone.now()
    return min(last, now) if last else now


def _weekday_moment(end: dt.datetime, days_back: int, when: dt.time) -> dt.datetime:
    """A weekday's local time ``days_back`` weekdays before ``end`` (never after it), so
    the team answers in business hours as a real one would."""
    zone = business.zone()
    day = end.astimezone(zone).date()
    while True:
        moment = dt.datetime.combine(day, when, zone)
        if day.weekday() < 5 and moment <= end:
            if days_back == 0:
                return moment
            days_back -= 1
        day -= dt.timedelta(days=1)


def _email(person: Person, subject: str, text: str, at: dt.datetime, **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"{person.first_name} {person.last_name} <{person.email}>"
    msg["To"] = "hello@kettlecrow.example"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(at)
    msg["Message-ID"] = make_msgid(domain=(person.email or "").rpartition("@")[2] or "example.com")
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(text)
    return bytes(msg)


def seed_demo(owner_username: str) -> None:
    """Seed the inbox once (idempotent: nothing when conversations exist)."""
    for title, body in CANNED:
        CannedReply.objects.get_or_create(title=title, defaults={"body": body})
    if Conversation.objects.exists():
        return
    people = list(
        Person.objects.filter(stage=Stage.CLIENT).exclude(email__isnull=True).exclude(email="")
        .exclude(associate_account__isnull=False).order_by("id")[: len(THREADS)]
    )  # fmt: skip
    if len(people) < len(THREADS):
        return
    associates = {a.username: a for a in get_user_model().objects.filter(is_active=True)}
    fallback = associates.get(owner_username)
    end = _clock().replace(second=0, microsecond=0)
    with transaction.atomic():
        # The owner answers new conversations with help articles (the help centre's demo
        # articles are published before the inbox is seeded).
        services.save_auto_answer(actor=None, on=True)
        for person, thread in zip(people, THREADS, strict=True):
            _seed_thread(person, thread, end, associates, fallback)
        services.check_sla(end)


def _seed_thread(
    person: Person, thread: tuple[Any, ...], end: dt.datetime, associates: dict[str, Any],
    fallback: Any,
) -> None:  # fmt: skip
    (days_back, hour, minute), subject, text, priority, tags, replies, status, note = thread
    at = _weekday_moment(end, days_back, dt.time(hour, minute))
    raw = services.receive(_email(person, subject, text, at), source="demo", at=at)
    conversation = Conversation.objects.get(messages__raw=raw)
    answered_at = at + dt.timedelta(minutes=1)
    if answered_at <= end:
        # History: the automatic first answer recorded as sent a minute later, not sent.
        auto_answer.log_past_answer(conversation.messages.get(raw=raw), at=answered_at)
    if priority != conversation.priority or tags:
        conversation = services.update_conversation(
            conversation, actor=None, status=conversation.status, priority=priority,
            assignee=None, tags=tags,
        )  # fmt: skip
    for after, who, words, minutes in replies:
        services.log_past_reply(
            conversation, actor=associates.get(who, fallback),
            text=words.replace("{first}", person.first_name or "there"),
            at=at + dt.timedelta(hours=after), status=status, minutes=minutes,
        )  # fmt: skip
        if status == Status.WAITING:
            # The customer's out-of-office answers the reply: recorded, never answered.
            reply_id = conversation.messages.order_by("-id").first().message_id  # type: ignore[union-attr]
            services.receive(_email(
                person, f"Automatic reply: {subject}", "I am out of the office until Monday.",
                at + dt.timedelta(hours=after, minutes=1), In_Reply_To=reply_id,
                Auto_Submitted="auto-replied",
            ), source="demo", at=at + dt.timedelta(hours=after, minutes=1))  # fmt: skip
    if note:
        services.add_note(conversation, actor=fallback, text=note)
    if status == Status.RESOLVED:
        # The customer answered the satisfaction question the next morning (history:
        # recorded, not sent).
        asked = at + dt.timedelta(hours=replies[-1][0] if replies else 1)
        CsatRequest.objects.create(
            conversation=conversation, person=person, status=CsatStatus.QUEUED,
            asked_at=asked, score=5, answered_at=asked + dt.timedelta(hours=14),
        )  # fmt: skip
