"""Writes of the shared inbox: mail in, replies, notes, triage, SLA checks.

Mail in stores the raw bytes first, in their own transaction, and only then parses them:
whatever the parser or the database does next, the message is never lost. Machine-written
mail (auto-replies, bounces) is recorded but never answered and never reopens a
conversation, so two auto-responders cannot keep each other going (RFC 3834).
"""

from __future__ import annotations

import datetime as dt
import imaplib
import logging
import re
from collections.abc import Iterable
from email.utils import getaddresses, make_msgid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from thrive.contacts import services as contacts
from thrive.contacts.models import ActivityChannel, ActivityKind, Direction, Person
from thrive.core import business
from thrive.core.roles import check_actor, require_manage
from thrive.core.transactional_email import build_message
from thrive.tasks.models import TaskKind
from thrive.tasks.services import create_task

from . import auto_answer, csat, hours, imap, parsing
from .models import (
    Attachment,
    CannedReply,
    Conversation,
    Mailbox,
    Message,
    MessageKind,
    Priority,
    RawMessage,
    RawStatus,
    ServiceSettings,
    SlaPolicy,
    Status,
)

log = logging.getLogger(__name__)

# Business minutes (first response, resolution) when the owner kept no policy.
DEFAULT_SLA: dict[str, tuple[int, int]] = {
    Priority.URGENT: (60, 8 * 60),
    Priority.HIGH: (4 * 60, 16 * 60),
    Priority.NORMAL: (8 * 60, 5 * 8 * 60),
    Priority.LOW: (16 * 60, 10 * 8 * 60),
}
SUBJECT_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|sv|antw)\s*(\[\d+\])?\s*:\s*)+", re.I)
# A subject alone threads only into a recent conversation of the same person.
SUBJECT_THREAD_DAYS = 30
GENERIC_SUBJECTS = {"", "hi", "hello", "question", "help", "support", "no subject"}
MERGE_FIELD = re.compile(r"\{(\w+)\}")
MERGE_FIELDS = ("first_name", "last_name", "name", "email", "business", "agent", "subject")
DRAFTING_FRESH = dt.timedelta(minutes=15)


class Collision(ValidationError):
    """Someone else wrote in the conversation since the associate opened it."""


# ---------------------------------------------------------------- mail in


def receive(
    data: bytes, *, source: str, envelope_from: str = "", recipients: Iterable[str] = (),
    at: dt.datetime | None = None,
) -> RawMessage:  # fmt: skip
    """Keep ``data`` as it arrived, then file it; returns the raw record either way.
    ``at`` is when it arrived (now, unless history is brought in)."""
    raw = RawMessage.objects.create(
        source=source, envelope_from=envelope_from[:320], recipients="\n".join(recipients),
        data=data, size=len(data), received_at=at or timezone.now(),
    )  # fmt: skip
    try:
        message = file_raw(raw)
    except Exception as exc:  # noqa: BLE001 - the raw message stays, with the reason
        log.exception("Could not file raw message %s", raw.pk)
        _set_raw(raw, RawStatus.FAILED, f"Could not be filed: {type(exc).__name__}: {exc}")
        return raw
    if message is not None and source in auto_answer.LIVE_SOURCES:
        auto_answer.queue_answer(message)
    return raw


def _set_raw(raw: RawMessage, status: str, error: str = "") -> None:
    RawMessage.objects.filter(pk=raw.pk).update(status=status, error=error[:2000])
    raw.status, raw.error = status, error[:2000]


def normalise_subject(subject: str) -> str:
    return " ".join(SUBJECT_PREFIX.sub("", subject).split()).lower()


def _thread(mail: parsing.ParsedMail, person: Person | None) -> Conversation | None:
    ids = [i for i in [mail.in_reply_to, *reversed(mail.references)] if i]
    if ids:
        found = (
            Message.objects.filter(message_id__in=ids).select_related("conversation")
            .order_by("-id").first()
        )  # fmt: skip
        if found is not None:
            return found.conversation
    subject = normalise_subject(mail.subject)
    if person is None or subject in GENERIC_SUBJECTS or not SUBJECT_PREFIX.match(mail.subject):
        # Only an answer ("Re: …") may thread by subject, never a fresh message that
        # happens to share one.
        return None
    since = timezone.now() - dt.timedelta(days=SUBJECT_THREAD_DAYS)
    for candidate in Conversation.objects.filter(person=person, last_message_at__gte=since):
        if normalise_subject(candidate.subject) == subject:
            return candidate
    return None


def _person_for(mail: parsing.ParsedMail) -> Person:
    person = contacts.find_person_by_email(mail.from_address)
    if person is not None:
        return person
    first, _, last = mail.from_name.strip().partition(" ")
    return contacts.create_person(
        actor=None, email=mail.from_address, first_name=first[:100], last_name=last[:100],
        acquisition_source="shared inbox email", first_seen_at=timezone.now(),
    )  # fmt: skip


def sla_targets(priority: str) -> tuple[int, int]:
    policy = SlaPolicy.objects.filter(priority=priority).first()
    if policy is not None:
        return policy.first_response_minutes, policy.resolution_minutes
    return DEFAULT_SLA.get(priority, DEFAULT_SLA[Priority.NORMAL])


def _set_deadlines(conversation: Conversation, start: dt.datetime) -> None:
    first, resolution = sla_targets(conversation.priority)
    settings = hours.current_settings()
    if conversation.first_response_at is None:
        conversation.first_response_due_at = hours.add_business_minutes(start, first, settings)
    conversation.resolution_due_at = hours.add_business_minutes(
        start, resolution + conversation.sla_paused_minutes, settings
    )


def file_raw(raw: RawMessage, *, as_person: bool = False) -> Message | None:
    """Parse one stored message and file it into a conversation (or say why not).

    ``as_person``: an associate read a set-aside automatic message and says a person
    wrote it after all (a customer writing through a mailing list, say): it is filed
    like any other and the team may answer it."""
    try:
        mail = parsing.parse(bytes(raw.data))
    except parsing.Unparseable as exc:
        _set_raw(raw, RawStatus.FAILED, str(exc))
        return None
    if (
        mail.message_id
        and Message.objects.filter(message_id=mail.message_id, kind=MessageKind.INBOUND).exists()
    ):
        # Delivered twice (a retried LMTP transaction, the same mail polled and forwarded).
        _set_raw(raw, RawStatus.SET_ASIDE, f"Already filed: {mail.message_id} arrived before.")
        return None
    machine = mail.bounce or (bool(mail.automatic) and not as_person)
    with transaction.atomic():
        # Machine mail never creates a person: it may only join a conversation it answers.
        if mail.bounce:
            person = None
        elif machine:
            person = contacts.find_person_by_email(mail.from_address)
        else:
            person = _person_for(mail)
        conversation = _thread(mail, person)
        if conversation is None and machine:
            reason = "a bounce" if mail.bounce else f"an automatic reply ({mail.automatic})"
            _set_raw(raw, RawStatus.SET_ASIDE,
                     f"Kept, not filed: {reason} that answers no conversation. "
                     "Automatic mail is never answered.")  # fmt: skip
            return None
        now = raw.received_at  # the conversation's clock starts when the mail arrived
        if conversation is None:
            if person is None:  # a bounce is never a new conversation (returned above)
                return None
            conversation = Conversation(person=person, subject=mail.subject[:255], created_at=now)
            _set_deadlines(conversation, now)
            conversation.save()
        message = Message.objects.create(
            conversation=conversation, kind=MessageKind.INBOUND, raw=raw,
            message_id=mail.message_id[:998], in_reply_to=mail.in_reply_to[:998],
            references=" ".join(mail.references), from_address=mail.from_address,
            to_addresses=", ".join(mail.to_addresses), subject=mail.subject, text=mail.text,
            html=mail.html, sent_at=now, automatic=mail.automatic[:32], bounce=mail.bounce,
            problems="; ".join(mail.problems),
        )  # fmt: skip
        _store_attachments(message, mail.attachments)
        conversation.last_message_at = now
        if not machine and conversation.status != Status.OPEN:
            if conversation.status == Status.RESOLVED:
                conversation.resolved_at = None
                conversation.sla_paused_minutes = 0
                _set_deadlines(conversation, now)
            _set_status(conversation, Status.OPEN, now)
        conversation.save()
        message.activity = contacts.record_activity(
            # An email on the timeline; the time spent is the reply's (a support entry).
            conversation.person, ActivityKind.EMAIL, channel=ActivityChannel.EMAIL,
            direction=Direction.INBOUND, subject=mail.subject[:255] or "(no subject)",
            body=mail.text[:4000], ref=f"conversation:{conversation.pk}", occurred_at=now,
            data={"message": message.pk, "automatic": mail.automatic, "bounce": mail.bounce},
            automated=machine,
        )  # fmt: skip
        message.save(update_fields=["activity"])
        _set_raw(raw, RawStatus.PARSED)
    return message


def _store_attachments(message: Message, items: list[parsing.ParsedAttachment]) -> None:
    limit = hours.current_settings().max_attachment_bytes
    for item in items:
        size = len(item.content)
        skipped = ""
        if size > limit:
            skipped = f"Not kept: {size:,} bytes is over the {limit:,}-byte limit."
        Attachment.objects.create(
            message=message, filename=item.filename, content_type=item.content_type,
            size=size, content=None if skipped else item.content, skipped=skipped,
        )  # fmt: skip


def refile(raw: RawMessage, *, actor: Any, as_person: bool = False) -> Message | None:
    """Try a kept message again (after a fix to the parser, say), or file an automatic
    one as a person's (``as_person``)."""
    check_actor(actor)
    if raw.status == RawStatus.PARSED:
        raise ValidationError("This message is already filed.")
    return file_raw(raw, as_person=as_person)


# ---------------------------------------------------------------- answers


def business_domain() -> str:
    address = getaddresses([business.from_header()])[0][1]
    return address.rpartition("@")[2] or "localhost"


def mark_drafting(conversation: Conversation, *, actor: Any) -> str:
    """Note that ``actor`` opened the reply box now (the others see it); returns a warning
    when a colleague opened it in the last minutes, else ""."""
    check_actor(actor)
    with transaction.atomic():
        locked = (
            # Lock the conversation only: PostgreSQL refuses to lock the outer join's side.
            Conversation.objects.select_for_update(of=("self",)).select_related("drafting_by")
            .get(pk=conversation.pk)
        )  # fmt: skip
        warning = ""
        if others_drafting(locked, actor) and locked.drafting_by and locked.drafting_at:
            who = locked.drafting_by.get_full_name() or locked.drafting_by.username
            when = timezone.localtime(locked.drafting_at)
            warning = f"{who} opened the reply box at {when:%H:%M}: check before you answer too."
        locked.drafting_by, locked.drafting_at = actor, timezone.now()
        locked.save(update_fields=["drafting_by", "drafting_at"])
    return warning


def others_drafting(conversation: Conversation, user: Any) -> bool:
    return bool(
        conversation.drafting_by_id and conversation.drafting_by_id != user.pk
        and conversation.drafting_at
        and timezone.now() - conversation.drafting_at < DRAFTING_FRESH
    )  # fmt: skip


def _check_collision(conversation: Conversation, actor: Any, seen: int | None) -> None:
    if seen is None:
        return
    newer = (
        conversation.messages.filter(pk__gt=seen)
        .exclude(kind=MessageKind.NOTE).exclude(author=actor)
        # The automatic first answer is nobody's reply to collide with.
        .exclude(kind=MessageKind.OUTBOUND, author__isnull=True, automatic__gt="")
        .select_related("author")
    )  # fmt: skip
    latest = newer.order_by("-id").first()
    if latest is None:
        return
    who = (
        (latest.author.get_full_name() or latest.author.username)
        if latest.author else "The customer"
    )  # fmt: skip
    what = "replied" if latest.kind == MessageKind.OUTBOUND else "wrote again"
    raise Collision(
        f"{who} {what} at {timezone.localtime(latest.sent_at, business.zone()):%H:%M} "
        "since you opened this conversation. Read it, then send again to confirm.",
        code="collision",
    )


def _threading(conversation: Conversation) -> tuple[Message | None, list[str], str]:
    """The message a reply answers, its References chain and the reply's subject."""
    thread = list(conversation.messages.exclude(message_id="").exclude(kind=MessageKind.NOTE))
    parent = next((m for m in reversed(thread) if m.kind == MessageKind.INBOUND), None)
    parent = parent or (thread[-1] if thread else None)
    references: list[str] = []
    if parent is not None:
        references = [*parsing.message_ids(parent.references), parent.message_id]
    references = list(dict.fromkeys(r for r in references if r))[-20:]
    subject = conversation.subject or "Your message"
    if not re.match(r"(?i)^\s*re\s*:", subject):
        subject = f"Re: {subject}"
    return parent, references, subject


def _check_reply(conversation: Conversation, text: str, status: str, minutes: int | None) -> str:
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write a reply before sending."})
    if status not in Status.values:
        raise ValidationError({"status": "Choose open, waiting on customer or resolved."})
    if minutes is not None and not 0 <= minutes <= 24 * 60:
        raise ValidationError({"minutes": "Minutes spent must be between 0 and 1440."})
    if not conversation.person.email:
        raise ValidationError(f"{conversation.person} has no email address to answer.")
    return text


def reply(
    conversation: Conversation, *, actor: Any, text: str, seen_message: int | None = None,
    confirm: bool = False, status: str = Status.WAITING, minutes: int | None = None,
) -> Message:  # fmt: skip
    """Send ``text`` to the customer as the business, threaded, and record it.

    ``seen_message`` is the newest message the associate saw; if someone wrote since, a
    :class:`Collision` asks them to confirm unless ``confirm``. The email is sent first:
    if the mail server refuses it, nothing is recorded and the associate is told."""
    check_actor(actor)
    text = _check_reply(conversation, text, status, minutes)
    if not confirm:
        _check_collision(conversation, actor, seen_message)
    parent, references, subject = _threading(conversation)
    message_id = make_msgid(domain=business_domain())
    email = build_message(
        to=conversation.person.email or "", subject=subject, text=text, automatic=False
    )
    email.extra_headers["Message-ID"] = message_id
    if parent is not None:
        email.extra_headers["In-Reply-To"] = parent.message_id
        email.extra_headers["References"] = " ".join(references)
    try:
        email.send()
    except Exception as exc:  # noqa: BLE001 - any mail failure, told to the associate
        raise ValidationError(f"The reply could not be sent: {exc}. Nothing was recorded.") from exc
    message = _record_outbound(
        conversation, actor=actor, text=text, message_id=message_id, parent=parent,
        references=references, subject=subject, status=status, minutes=minutes,
        at=timezone.now(),
    )  # fmt: skip
    _ask_satisfaction(conversation)
    return message


def _ask_satisfaction(conversation: Conversation) -> None:
    """The CSAT question once resolved; a failure to ask never undoes the reply."""
    if conversation.status != Status.RESOLVED:
        return
    try:
        csat.ask_after_resolution(conversation)
    except Exception:  # noqa: BLE001 - logged; the conversation stays resolved
        log.exception("Could not ask for satisfaction on conversation %s", conversation.pk)


def log_past_reply(
    conversation: Conversation, *, actor: Any, text: str, at: dt.datetime,
    status: str = Status.WAITING, minutes: int | None = None,
) -> Message:  # fmt: skip
    """Record a reply already sent at ``at`` (history brought in, the demo); sends nothing."""
    check_actor(actor)
    text = _check_reply(conversation, text, status, minutes)
    parent, references, subject = _threading(conversation)
    return _record_outbound(
        conversation, actor=actor, text=text, message_id=make_msgid(domain=business_domain()),
        parent=parent, references=references, subject=subject, status=status,
        minutes=minutes, at=at,
    )  # fmt: skip


def _record_outbound(
    conversation: Conversation, *, actor: Any, text: str, message_id: str,
    parent: Message | None, references: list[str], subject: str, status: str,
    minutes: int | None, at: dt.datetime,
) -> Message:  # fmt: skip
    person = conversation.person
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        message = Message.objects.create(
            conversation=locked, kind=MessageKind.OUTBOUND, message_id=message_id,
            in_reply_to=parent.message_id if parent else "", references=" ".join(references),
            from_address=business.sender_address(), to_addresses=person.email or "",
            subject=subject, text=text, sent_at=at, author=actor,
        )  # fmt: skip
        if locked.first_response_at is None:
            locked.first_response_at = at
        locked.last_message_at = at
        _set_status(locked, status, at)
        if locked.assignee_id is None and actor is not None:
            locked.assignee = actor
        if locked.drafting_by_id == getattr(actor, "pk", None):
            locked.drafting_by, locked.drafting_at = None, None
        locked.save()
        message.activity = contacts.record_activity(
            person, ActivityKind.SUPPORT, channel=ActivityChannel.EMAIL, occurred_at=at,
            direction=Direction.OUTBOUND, associate=actor, duration_minutes=minutes,
            subject=subject[:255], body=text[:4000], ref=f"conversation:{locked.pk}",
            data={"message": message.pk},
        )  # fmt: skip
        message.save(update_fields=["activity"])
    conversation.refresh_from_db()
    return message


def add_note(conversation: Conversation, *, actor: Any, text: str) -> Message:
    """An internal note: seen by associates only, never emailed."""
    check_actor(actor)
    text = text.strip()
    if not text:
        raise ValidationError({"note": "Write the note first."})
    return Message.objects.create(
        conversation=conversation, kind=MessageKind.NOTE, text=text, author=actor
    )


def _set_status(conversation: Conversation, status: str, now: dt.datetime) -> None:
    if status == Status.RESOLVED and conversation.status != Status.RESOLVED:
        conversation.resolved_at = now
    elif status != Status.RESOLVED:
        conversation.resolved_at = None
    if status == Status.WAITING and conversation.status != Status.WAITING:
        conversation.waiting_since = now
    elif status != Status.WAITING and conversation.status == Status.WAITING:
        _resume_resolution_clock(conversation, now)
    conversation.status = status


def _resume_resolution_clock(conversation: Conversation, now: dt.datetime) -> None:
    """The wait on the customer ends: the resolution deadline moves on by the business
    minutes the wait lasted before the deadline (a deadline already missed stays missed)."""
    since, due = conversation.waiting_since, conversation.resolution_due_at
    conversation.waiting_since = None
    if since is None or due is None or since >= due:
        return
    settings = hours.current_settings()
    paused = hours.business_minutes_between(since, now, settings)
    if paused:
        conversation.sla_paused_minutes += paused
        conversation.resolution_due_at = hours.add_business_minutes(due, paused, settings)


def update_conversation(
    conversation: Conversation, *, actor: Any, status: str, priority: str,
    assignee: Any, tags: str,
) -> Conversation:  # fmt: skip
    """Triage: status, priority (which moves the SLA deadlines), assignee, tags."""
    check_actor(actor)
    errors: dict[str, str] = {}
    if status not in Status.values:
        errors["status"] = "Choose open, waiting on customer or resolved."
    if priority not in Priority.values:
        errors["priority"] = "Choose low, normal, high or urgent."
    clean_tags = ", ".join(dict.fromkeys(t.strip().lower() for t in tags.split(",") if t.strip()))
    if len(clean_tags) > 255:
        errors["tags"] = "Keep the tags under 255 characters in all."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        _set_status(locked, status, timezone.now())
        if priority != locked.priority:
            locked.priority = priority
            _set_deadlines(locked, locked.created_at)
        locked.assignee = assignee
        locked.tags = clean_tags
        locked.save()
    _ask_satisfaction(locked)
    return locked


# ---------------------------------------------------------------- canned replies


def _check_merge_fields(body: str) -> None:
    unknown = sorted(set(MERGE_FIELD.findall(body)) - set(MERGE_FIELDS))
    if unknown:
        raise ValidationError({"body": (
            f"Unknown merge field {{{unknown[0]}}}: use "
            + ", ".join(f"{{{f}}}" for f in MERGE_FIELDS) + "."
        )})  # fmt: skip


def _check_owner(actor: Any) -> None:
    # The system (demo, worker) acts as None; a person must be an owner.
    if actor is not None:
        require_manage(actor)


def save_canned_reply(*, actor: Any, title: str, body: str) -> CannedReply:
    _check_owner(actor)
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise ValidationError({"title": "A canned reply needs a title and a text."})
    _check_merge_fields(body)
    if CannedReply.objects.filter(title__iexact=title).exists():
        raise ValidationError({"title": f"A canned reply called {title!r} already exists."})
    return CannedReply.objects.create(title=title[:120], body=body)


def delete_canned_reply(reply_obj: CannedReply, *, actor: Any) -> None:
    _check_owner(actor)
    reply_obj.delete()


def render_canned(reply_obj: CannedReply, conversation: Conversation, agent: Any) -> str:
    """The canned text with this conversation's values (plain text, no template code)."""
    person = conversation.person
    values = {
        "first_name": person.first_name or "there", "last_name": person.last_name,
        "name": str(person), "email": person.email, "business": business.name(),
        "agent": (agent.get_full_name() or agent.username) if agent else business.name(),
        "subject": conversation.subject,
    }  # fmt: skip
    return MERGE_FIELD.sub(lambda m: str(values.get(m.group(1), m.group(0)) or ""), reply_obj.body)


# ---------------------------------------------------------------- SLA


def check_sla(now: dt.datetime | None = None) -> list[int]:
    """Make one task for each SLA deadline about to pass; returns the tasks' ids.

    A deadline is "about to pass" within the owner's warning time (business minutes);
    the task is claimed on the conversation row, so two workers make one task."""
    now = now or timezone.now()
    settings = hours.current_settings()
    made: list[int] = []
    open_ones = Conversation.objects.exclude(status=Status.RESOLVED).select_related("person")
    for conversation in open_ones:
        if (
            conversation.first_response_at is None and conversation.first_response_due_at
            and conversation.first_response_task_id is None
            and conversation.status == Status.OPEN
            and hours.business_minutes_between(now, conversation.first_response_due_at, settings)
            <= settings.warn_minutes
        ):  # fmt: skip
            made += _breach_task(conversation.pk, "first_response", now)
        if (
            conversation.resolution_due_at and conversation.resolution_task_id is None
            and conversation.status == Status.OPEN
            and hours.business_minutes_between(now, conversation.resolution_due_at, settings)
            <= settings.warn_minutes
        ):  # fmt: skip
            made += _breach_task(conversation.pk, "resolution", now)
    return made


def _breach_task(pk: int, which: str, now: dt.datetime) -> list[int]:
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().select_related("person").get(pk=pk)
        if getattr(locked, f"{which}_task_id") is not None:
            return []
        due = getattr(locked, f"{which}_due_at")
        late = "is past" if due <= now else "is about to pass"
        what = "first response" if which == "first_response" else "resolution"
        when = timezone.localtime(due, business.zone())
        task = create_task(
            actor=None, person=locked.person, assignee=locked.assignee, due_at=due,
            kind=TaskKind.EMAIL if which == "first_response" else TaskKind.FOLLOW_UP,
            title=f"SLA: {what} for “{str(locked)[:80]}” due {when:%a %d %b %H:%M}",
            reason=f"The {what} target of this {locked.get_priority_display().lower()}-priority "
            f"conversation {late} (/inbox/{locked.pk}/).",
        )  # fmt: skip
        setattr(locked, f"{which}_task", task)
        locked.save(update_fields=[f"{which}_task"])
    return [task.pk]


# ---------------------------------------------------------------- settings (owner)


def save_hours(
    *, actor: Any, workdays: list[str], opens: dt.time, closes: dt.time, warn_minutes: int
) -> None:
    """Business hours for SLA clocks, in the business's zone."""
    _check_owner(actor)
    if closes <= opens:
        raise ValidationError({"closes": "Closing time must be after opening time."})
    current = ServiceSettings.objects.order_by("pk").first() or ServiceSettings()
    current.workdays = ",".join(sorted({d for d in workdays if d in "0123456"}))
    current.opens, current.closes, current.warn_minutes = opens, closes, warn_minutes
    current.full_clean()
    current.save()


def save_auto_answer(*, actor: Any, on: bool) -> None:
    """The owner's switch for the automatic first answer (:mod:`.auto_answer`)."""
    _check_owner(actor)
    current = ServiceSettings.objects.order_by("pk").first() or ServiceSettings()
    current.auto_answer = on
    current.save()


def save_sla(*, actor: Any, targets: dict[str, tuple[int, int]]) -> None:
    """Targets per priority in business minutes; open conversations keep their deadlines
    until their priority changes (a new rule does not rewrite a promise already made)."""
    _check_owner(actor)
    with transaction.atomic():
        for priority, (first, resolution) in targets.items():
            if priority not in Priority.values:
                raise ValidationError({"priority": f"{priority!r} is not a priority."})
            if first <= 0 or resolution < first:
                raise ValidationError({
                    f"{priority}_resolution": "Resolution must not come before first response."
                })  # fmt: skip
            SlaPolicy.objects.update_or_create(
                priority=priority,
                defaults={"first_response_minutes": first, "resolution_minutes": resolution},
            )


def connect_mailbox(
    *, actor: Any, host: str, port: int, use_ssl: bool, username: str, password: str,
    folder: str = "INBOX", check: bool = True,
) -> Mailbox:  # fmt: skip
    """Keep an IMAP mailbox to poll (the password sealed); ``check`` signs in first so a
    wrong server or password is told now, not found in a log later. Polling starts with
    the messages that arrive from now on: what is already there is left alone."""
    _check_owner(actor)
    box = Mailbox(host=host.strip(), port=port, use_ssl=use_ssl, username=username.strip(),
                  folder=folder.strip() or "INBOX",
                  password_sealed=imap.seal_password(password))  # fmt: skip
    box.full_clean()
    if check:
        try:
            box.uid_validity, box.last_uid = imap.current_position(box)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise ValidationError(
                {"host": f"Could not open {box.folder} on {box.host}:{box.port}: {exc}"}
            ) from exc
    box.save()
    return box


def disconnect_mailbox(box: Mailbox, *, actor: Any) -> None:
    _check_owner(actor)
    box.delete()
