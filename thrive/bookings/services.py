"""Writes for strategy sessions: weekly hours, session types, booking, moving,
cancelling, the reminder and the follow-up after a session.

Double booking is impossible by two means that work on SQLite and PostgreSQL alike:
the booking transaction locks the associate's row and re-checks the slot against the
live bookings, so concurrent requests for one associate queue up; and a unique
constraint on (associate, start) among live bookings refuses the same slot twice even
if a future code path forgot the lock.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any
from zoneinfo import available_timezones

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from thrive.contacts import lifecycle
from thrive.contacts.identity import normalize_email
from thrive.contacts.models import (
    ActivityChannel,
    ActivityKind,
    ConsentMethod,
    ConsentPurpose,
    Direction,
    Person,
)
from thrive.contacts.services import (
    create_person,
    find_person_by_email,
    grant_consent,
    record_activity,
    update_person,
)
from thrive.core.roles import Role, check_actor
from thrive.tasks.models import TaskKind
from thrive.tasks.services import create_task

from . import emails
from .invites import event_uid
from .models import (
    Availability,
    Booking,
    BookingStatus,
    IntakeQuestion,
    QuestionKind,
    SessionType,
)
from .queries import (
    busy_for,
    calendar_busy_for,
    overrides_for,
    recent_load,
    rules_for,
    team_of,
    windows_for,
    zone_of,
)
from .slots import Window, is_offered

NEWS_CONSENT_TEXT = "Send me news and offers by email. I can unsubscribe at any time."
REMINDER_BEFORE = dt.timedelta(hours=24)
NOTES_DUE_AFTER = dt.timedelta(days=1)


class SlotTaken(Exception):
    """The time was free when the page was shown but someone else has just booked it."""

    message = "Sorry, that time was just taken. Please pick another one."


class SlotUnavailable(Exception):
    """The time is not one the associate offers (outside their hours, too soon, too far)."""

    message = "That time is not available. Please pick one of the times shown."


class SlotBusy(SlotTaken):
    """The associate's own calendar has something else at that time (a kind of taken, so
    every caller that handles SlotTaken handles this too)."""

    message = (
        "That time is no longer free: it is busy in the calendar. Please pick one of the "
        "times shown."
    )


ROUND_ROBIN_LOOKBACK = dt.timedelta(days=30)


# Weekly hours -------------------------------------------------------------------------


def set_weekly_hours(associate: Any, windows: list[Window], *, actor: Any) -> int:
    """Replace ``associate``'s weekly hours with ``windows``; returns how many were kept.
    An associate sets their own hours; the owner may set anyone's. Overlapping windows on
    one day are refused with the day named."""
    check_actor(actor)
    if actor is not None and actor.pk != associate.pk and actor.role != Role.OWNER:
        raise PermissionDenied("Only an owner can change another associate's hours.")
    by_day: dict[int, list[Window]] = {}
    for window in windows:
        if window.end <= window.start:
            raise ValidationError(
                f"{_day_name(window.weekday)}: {window.start:%H:%M}–{window.end:%H:%M} "
                "ends before it starts."
            )
        by_day.setdefault(window.weekday, []).append(window)
    for day, items in by_day.items():
        items.sort(key=lambda w: w.start)
        for earlier, later in zip(items, items[1:], strict=False):
            if later.start < earlier.end:
                raise ValidationError(
                    f"{_day_name(day)}: {earlier.start:%H:%M}–{earlier.end:%H:%M} and "
                    f"{later.start:%H:%M}–{later.end:%H:%M} overlap."
                )
    with transaction.atomic():
        Availability.objects.filter(associate=associate).delete()
        Availability.objects.bulk_create(
            Availability(
                associate=associate, weekday=w.weekday, start_time=w.start, end_time=w.end
            )  # fmt: skip
            for w in windows
        )
    return len(windows)


def _day_name(weekday: int) -> str:
    return ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][weekday]


def save_session_type(
    *, actor: Any, instance: SessionType | None = None, **fields: Any
) -> SessionType:
    """Create or change a session type after full validation."""
    check_actor(actor)
    session_type = instance or SessionType()
    team = fields.pop("associates", None)
    for name, value in fields.items():
        setattr(session_type, name, value)
    if not session_type.slug:
        base = slugify(session_type.name)[:50] or "session"
        slug, n = base, 1
        while SessionType.objects.filter(slug=slug).exclude(pk=session_type.pk).exists():
            n += 1
            slug = f"{base}-{n}"
        session_type.slug = slug
    session_type.full_clean()
    with transaction.atomic():
        session_type.save()
        if team is not None:
            session_type.associates.set(team)
    return session_type


def add_question(
    session_type: SessionType,
    *,
    actor: Any,
    label: str,
    kind: str = QuestionKind.TEXT,
    choices: str = "",
    required: bool = False,
) -> IntakeQuestion:
    """Add an intake question to the end of ``session_type``'s booking form."""
    check_actor(actor)
    question = IntakeQuestion(
        session_type=session_type, label=label.strip(), kind=kind, choices=choices.strip(),
        required=required, position=session_type.questions.count(),
    )  # fmt: skip
    if kind == QuestionKind.CHOICE and len(question.options) < 2:
        raise ValidationError({"choices": "A choice needs at least two options, one per line."})
    question.full_clean()
    question.save()
    return question


def remove_question(question: IntakeQuestion, *, actor: Any) -> None:
    """Past bookings keep the question's words with their answers."""
    check_actor(actor)
    question.delete()


def clean_answers(session_type: SessionType, raw: dict[str, str]) -> list[dict[str, str]]:
    """The answers to ``session_type``'s questions from ``raw`` (keyed ``q<id>``), each
    with the question's words as asked. Raises ValidationError naming each bad field."""
    answers: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    for question in session_type.questions.all():
        key = f"q{question.pk}"
        value = (raw.get(key) or "").strip()[:1000]
        if question.kind == QuestionKind.CHOICE and value and value not in question.options:
            errors[key] = f"{question.label}: choose one of the options."
        elif question.required and not value:
            errors[key] = f"{question.label}: please answer this question."
        elif value:
            answers.append({"question": question.label, "answer": value})
    if errors:
        raise ValidationError(errors)
    return answers


# Booking ------------------------------------------------------------------------------


def _check_slot(
    associate: Any,
    session_type: SessionType,
    start: dt.datetime,
    now: dt.datetime,
    *,
    exclude: int | None = None,
) -> None:
    windows, zone, rules = windows_for(associate), zone_of(associate), rules_for(session_type)
    local_day = start.astimezone(zone).date()
    overrides = overrides_for(associate, local_day, local_day)
    if not session_type.active or not is_offered(
        start, windows, zone, rules, [], now=now, overrides=overrides
    ):
        raise SlotUnavailable
    busy = busy_for(associate, start, start + rules.length, exclude=exclude)
    if not is_offered(start, windows, zone, rules, busy, now=now, overrides=overrides):
        raise SlotTaken
    # The last good fetch of their own calendars: never a remote call while booking.
    calendar = calendar_busy_for(associate, start, start + rules.length)
    if not is_offered(start, windows, zone, rules, calendar, now=now, overrides=overrides):
        raise SlotBusy


def _lock_associate(associate: Any) -> Any:
    # The lock every booking write for this associate takes first: concurrent bookings
    # (and moves) queue here, so the re-check below sees the winner's row. NO KEY UPDATE
    # (PostgreSQL) still lets other apps insert rows pointing at the associate meanwhile;
    # SQLite's IMMEDIATE transactions serialize writers anyway.
    no_key = connection.features.has_select_for_no_key_update
    return get_user_model().objects.select_for_update(no_key=no_key).get(pk=associate.pk)


def _clean_visitor(
    *, email: str, first_name: str, last_name: str, visitor_time_zone: str, consent_text: str
) -> str:
    errors: dict[str, str] = {}
    try:
        address = normalize_email(email)
    except ValidationError:
        address = None
        errors["email"] = "Enter a valid email address."
    if not address:
        errors.setdefault("email", "Enter your email address.")
    if not first_name.strip():
        errors["first_name"] = "Enter your first name."
    if len(first_name) > 100 or len(last_name) > 100:
        errors["first_name"] = "A name has at most 100 characters."
    if any(ord(ch) < 32 for ch in first_name + last_name):
        # Names go into email headers and the calendar invite: one line each.
        errors["first_name"] = "A name cannot contain line breaks or control characters."
    if visitor_time_zone not in available_timezones():
        errors["visitor_time_zone"] = f"{visitor_time_zone!r} is not a time zone."
    if not consent_text.strip():
        errors["consent"] = "Please agree to how we use your details for this session."
    if errors or not address:
        raise ValidationError(errors)
    return address


def _person_for(
    address: str, first_name: str, last_name: str, visitor_time_zone: str, now: dt.datetime
) -> Person:
    """The person with this email, created as a prospect if new. An existing person's
    profile is only filled in where blank: a public form must not rename anyone."""
    person = find_person_by_email(address)
    if person is None:
        try:
            with transaction.atomic():
                return create_person(
                    actor=None, **lifecycle.BOOKED_NEWCOMER, email=address,
                    first_name=first_name.strip(), last_name=last_name.strip(),
                    time_zone=visitor_time_zone, acquisition_source="Strategy session booking",
                )  # fmt: skip
        except ValidationError:
            person = find_person_by_email(address)  # created concurrently
            if person is None:
                raise
    blanks = {
        name: value
        for name, value in (
            ("first_name", first_name.strip()),
            ("last_name", last_name.strip()),
            ("time_zone", visitor_time_zone),
        )
        if value and not getattr(person, name)
    }
    if blanks:
        update_person(person, actor=None, **blanks)
    lifecycle.session_booked(person, at=now)
    return person


def book_session(
    *,
    associate: Any,
    session_type: SessionType,
    start: dt.datetime,
    email: str,
    first_name: str,
    last_name: str = "",
    note: str = "",
    visitor_time_zone: str = "UTC",
    consent_text: str,
    wants_news: bool = False,
    ip_address: str | None = None,
    source_url: str = "",
    now: dt.datetime | None = None,
    notify: bool = True,
    answers: list[dict[str, str]] | None = None,
) -> Booking:
    """Book ``start`` (UTC) with ``associate`` for a visitor (no account needed).

    Finds or creates the person (a new one as a prospect), records the booking on their
    timeline, records marketing consent only if they ticked it, and after commit sends the
    confirmation with the invite and queues the reminder and the follow-up. Raises
    ValidationError for bad details, SlotUnavailable for a time never offered, and
    SlotTaken when someone else got there first. ``notify=False`` (the demo's history)
    sends no email and queues no job.
    """
    now = now or timezone.now()
    address = _clean_visitor(
        email=email, first_name=first_name, last_name=last_name,
        visitor_time_zone=visitor_time_zone, consent_text=consent_text,
    )  # fmt: skip
    start = start.astimezone(dt.UTC)
    with transaction.atomic():
        locked = _lock_associate(associate)
        _check_slot(locked, session_type, start, now)
        person = _person_for(address, first_name, last_name, visitor_time_zone, now)
        booking = Booking(
            uid=event_uid(secrets.token_hex(12)), associate=locked, person=person,
            session_type=session_type, start_at=start, end_at=start + session_type.length,
            buffer_before_minutes=session_type.buffer_before_minutes,
            buffer_after_minutes=session_type.buffer_after_minutes,
            visitor_time_zone=visitor_time_zone, note=note.strip()[:1000],
            consent_text=consent_text.strip(), ip_address=ip_address, answers=answers or [],
        )  # fmt: skip
        booking.full_clean(
            exclude=["associate", "person", "session_type"], validate_constraints=False
        )
        try:
            with transaction.atomic():
                booking.save()
        except IntegrityError as exc:  # the unique constraint: the last line of defence
            raise SlotTaken from exc
        _timeline(booking, "Booked", Direction.INBOUND, at=now)
        if wants_news:
            grant_consent(
                person, ConsentPurpose.EMAIL_MARKETING, actor=None,
                method=ConsentMethod.WEB_FORM, source_text=NEWS_CONSENT_TEXT,
                ip_address=ip_address, source_url=source_url[:500],
            )  # fmt: skip
        if notify:
            transaction.on_commit(lambda: emails.send_confirmation(booking))
            schedule_jobs(booking, now)
    return booking


def reschedule_booking(
    booking: Booking, start: dt.datetime, *, actor: Any = None, now: dt.datetime | None = None
) -> Booking:
    """Move a live session to ``start``: the old booking becomes ``rescheduled`` and a new
    one (same calendar UID, next SEQUENCE) takes the new time. ``actor`` None means the
    visitor through their link. Raises SlotTaken / SlotUnavailable like ``book_session``,
    and ValidationError if the session is no longer live."""
    check_actor(actor)
    now = now or timezone.now()
    start = start.astimezone(dt.UTC)
    with transaction.atomic():
        associate = _lock_associate(booking.associate)
        old = (
            Booking.objects.select_for_update()
            .select_related("person", "session_type")
            .get(pk=booking.pk)
        )
        if old.status != BookingStatus.BOOKED:
            raise ValidationError("This session was already moved or cancelled.")
        if start == old.start_at:
            raise ValidationError("That is the time it is already booked for.")
        _check_slot(associate, old.session_type, start, now, exclude=old.pk)
        old.status = BookingStatus.RESCHEDULED
        old.save(update_fields=["status"])
        new = Booking(
            uid=old.uid, sequence=old.sequence + 1, associate=associate, person=old.person,
            session_type=old.session_type, start_at=start,
            end_at=start + old.session_type.length,
            buffer_before_minutes=old.session_type.buffer_before_minutes,
            buffer_after_minutes=old.session_type.buffer_after_minutes,
            visitor_time_zone=old.visitor_time_zone, note=old.note,
            consent_text=old.consent_text, ip_address=old.ip_address, rescheduled_from=old,
            answers=old.answers,
        )  # fmt: skip
        try:
            with transaction.atomic():
                new.save()
        except IntegrityError as exc:
            raise SlotTaken from exc
        _timeline(new, "Moved", Direction.INTERNAL if actor else Direction.INBOUND, actor=actor)
        transaction.on_commit(lambda: emails.send_moved(new))
        schedule_jobs(new, now)
    return new


def cancel_booking(booking: Booking, *, actor: Any = None) -> bool:
    """Cancel a live session and send the calendar cancellation; False if it was not
    live. ``actor`` None means the visitor through their link."""
    check_actor(actor)
    with transaction.atomic():
        locked = (
            Booking.objects.select_for_update()
            .select_related("associate", "person", "session_type")
            .get(pk=booking.pk)
        )
        if locked.status != BookingStatus.BOOKED:
            return False
        locked.status = BookingStatus.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.cancelled_by = actor
        # RFC 5546: a CANCEL carries a sequence at least the event's; bump it so calendars
        # that saw the last REQUEST accept it.
        locked.sequence += 1
        locked.save(update_fields=["status", "cancelled_at", "cancelled_by", "sequence"])
        _timeline(
            locked, "Cancelled", Direction.OUTBOUND if actor else Direction.INBOUND, actor=actor
        )
        transaction.on_commit(lambda: emails.send_cancelled(locked))
    booking.status = locked.status
    return True


def _timeline(
    booking: Booking,
    verb: str,
    direction: str,
    *,
    actor: Any = None,
    at: dt.datetime | None = None,
) -> None:
    when = emails.when_text(booking, booking.associate.time_zone or "UTC")
    record_activity(
        booking.person,
        ActivityKind.FORM_SUBMISSION,
        occurred_at=at,
        channel=ActivityChannel.WEB if actor is None else ActivityChannel.SYSTEM,
        direction=direction,
        associate=booking.associate,
        subject=f"{verb} {booking.session_type.name.lower()} with {booking.associate}: {when}"[
            :255
        ],
        body=_booked_body(booking) if verb == "Booked" else "",
        data={"booking": booking.pk, "uid": booking.uid, "action": verb.lower(),
              "start": booking.start_at.isoformat(), "by": getattr(actor, "pk", None),
              "answers": booking.answers},
        ref=f"booking:{booking.pk}:{verb.lower()}",
    )  # fmt: skip


def _booked_body(booking: Booking) -> str:
    """The note and the intake answers, as the person's timeline shows them."""
    lines = [booking.note] if booking.note else []
    lines += [f"{a['question']}: {a['answer']}" for a in booking.answers]
    return "\n".join(lines)


def book_with_team(
    *, session_type: SessionType, start: dt.datetime, now: dt.datetime | None = None,
    **visitor: Any,
) -> Booking:  # fmt: skip
    """Round robin: book ``start`` with whichever team member of ``session_type`` is free
    then and has had the fewest sessions booked in the last 30 days (ties: name order).
    If that one is taken meanwhile, the next free one gets it. Raises like
    ``book_session`` when nobody is free."""
    now = now or timezone.now()
    team = team_of(session_type)
    if not team:
        raise SlotUnavailable
    load = recent_load(team, since=now - ROUND_ROBIN_LOOKBACK)
    # Stable sort: name order (team_of's) breaks ties.
    ordered = sorted(team, key=lambda a: load.get(a.pk, 0))
    last_error: Exception = SlotUnavailable()
    for associate in ordered:
        try:
            return book_session(associate=associate, session_type=session_type, start=start,
                                now=now, **visitor)  # fmt: skip
        except (SlotTaken, SlotUnavailable, SlotBusy) as exc:
            # Prefer the most telling reason: taken or busy beats "never offered".
            if not isinstance(last_error, (SlotTaken, SlotBusy)):
                last_error = exc
    raise last_error


def schedule_jobs(booking: Booking, now: dt.datetime) -> None:
    """Queue the reminder (a day before) and the follow-up (at the end), after commit."""
    from .tasks import follow_up_session, remind_session

    remind_at = booking.start_at - REMINDER_BEFORE
    booking_id, end_at = booking.pk, booking.end_at

    def enqueue() -> None:
        # A session booked less than a day ahead gets no reminder: the confirmation is
        # fresh in their inbox.
        if remind_at > now:
            remind_session.using(run_after=remind_at).enqueue(booking_id)
        follow_up_session.using(run_after=end_at).enqueue(booking_id)

    transaction.on_commit(enqueue)


def reschedule_jobs(*, now: dt.datetime | None = None) -> int:
    """Queue again the reminder and follow-up of every live session (after a restore,
    which does not bring back the task queue); both are safe to run twice. Returns the
    sessions rescheduled."""
    now = now or timezone.now()
    live = Booking.objects.filter(status=BookingStatus.BOOKED).order_by("pk")
    count = 0
    for booking in live.iterator():
        schedule_jobs(booking, now)
        count += 1
    return count


# Jobs ---------------------------------------------------------------------------------


def send_due_reminder(booking_id: int, *, now: dt.datetime | None = None) -> bool:
    """Send the reminder for a live session once; False if it is not due, not live, or
    was already reminded (a job run twice sends nothing the second time)."""
    now = now or timezone.now()
    claimed = Booking.objects.filter(
        pk=booking_id,
        status=BookingStatus.BOOKED,
        reminder_sent_at__isnull=True,
        start_at__gt=now,
        start_at__lte=now + REMINDER_BEFORE + dt.timedelta(minutes=5),
    ).update(reminder_sent_at=now)
    if not claimed:
        return False
    booking = Booking.objects.select_related("associate", "person", "session_type").get(
        pk=booking_id
    )
    emails.send_reminder(booking)
    return True


def follow_up(booking_id: int, *, now: dt.datetime | None = None) -> bool:
    """After a live session ends: mark it done, put the session on the person's timeline
    and give the associate a task to log notes. Runs once per session (claimed with a
    conditional update); False if not over yet, not live, or already followed up."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Booking.objects.filter(
            pk=booking_id, status=BookingStatus.BOOKED, end_at__lte=now
        ).update(status=BookingStatus.DONE, followed_up_at=now)
        if not claimed:
            return False
        booking = Booking.objects.select_related("associate", "person", "session_type").get(
            pk=booking_id
        )
        record_activity(
            booking.person, ActivityKind.STRATEGY_SESSION, occurred_at=booking.start_at,
            channel=ActivityChannel.VIDEO, direction=Direction.OUTBOUND,
            associate=booking.associate, duration_minutes=booking.session_type.minutes,
            subject=booking.session_type.name, data={"booking": booking.pk},
            ref=f"booking:{booking.pk}:held",
        )  # fmt: skip
        task = create_task(
            actor=None, kind=TaskKind.LOG_NOTES, person=booking.person,
            assignee=booking.associate, due_at=booking.end_at + NOTES_DUE_AFTER,
            title=f"Log notes: {booking.session_type.name.lower()} with {booking.person}",
            reason=f"Your session on {emails.when_text(booking, booking.associate.time_zone)} "
            "is over; write down what you agreed while it is fresh.",
        )  # fmt: skip
        booking.notes_task = task
        booking.save(update_fields=["notes_task"])
    return True


def follow_up_due(*, now: dt.datetime | None = None) -> int:
    """Follow up every live session that is over (a catch-up if a job was lost)."""
    now = now or timezone.now()
    due = Booking.objects.filter(status=BookingStatus.BOOKED, end_at__lte=now).values_list(
        "pk", flat=True
    )
    return sum(follow_up(pk, now=now) for pk in list(due))
