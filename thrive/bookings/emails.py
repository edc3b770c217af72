"""The transactional emails of a booking: confirmation, move, cancellation, reminder.

They concern a session the person asked for, so they are not marketing and need no
marketing consent. Each carries the calendar invite; they go through core's transactional
email, after the booking's transaction commits (a mail-server failure is logged: the booking
stands whatever the mail server says, and the visitor saw the same links on the page).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.core.mail import EmailMultiAlternatives

from thrive.accounts.queries import business_name
from thrive.core import associate_notices, business
from thrive.core.transactional_email import (
    Attachment,
    build_message,
    send_after_commit,
    send_now,
)

from .invites import build_invite
from .links import manage_url
from .models import Booking


def when_text(booking: Booking, zone_name: str | None = None) -> str:
    """E.g. "Tuesday 1 December 2026, 10:00–10:30 (America/Los_Angeles)"."""
    zone = ZoneInfo(zone_name or booking.visitor_time_zone)
    start, end = booking.start_at.astimezone(zone), booking.end_at.astimezone(zone)
    return f"{start:%A} {start.day} {start:%B %Y, %H:%M}–{end:%H:%M} ({zone.key})"


def _invite(booking: Booking, method: str) -> bytes:
    associate = booking.associate
    business = business_name()
    return build_invite(
        uid=booking.uid,
        sequence=booking.sequence,
        start=booking.start_at,
        end=booking.end_at,
        summary=f"{booking.session_type.name} with {associate} ({business})",
        description=(
            _video_line(booking) + f"Move or cancel: {manage_url(booking)}"
            if method == "REQUEST"
            else "Cancelled."
        ),
        video_link=booking.session_type.video_link if method == "REQUEST" else "",
        organizer_email=associate.email or _from_address(),
        organizer_name=str(associate),
        attendee_email=booking.person.email or "",
        attendee_name=booking.person.full_name,
        method=method,
    )


def _video_line(booking: Booking) -> str:
    link = booking.session_type.video_link
    return f"Join the video call: {link}\n" if link else ""


def _video(booking: Booking) -> list[str]:
    line = _video_line(booking).strip()
    return [line] if line else []


def _from_address() -> str:
    return business.sender_address()


def _message(
    booking: Booking, subject: str, lines: list[str], method: str
) -> EmailMultiAlternatives | None:
    person = booking.person
    if not person.email:
        return None
    greeting = f"Hello {person.first_name}," if person.first_name else "Hello,"
    name = "invite.ics" if method == "REQUEST" else "cancel.ics"
    invite = Attachment(name, _invite(booking, method).decode(), f"text/calendar; method={method}")
    return build_message(
        to=person.email,
        subject=subject,
        text="\n\n".join([greeting, *lines]) + "\n",
        attachments=[invite],
    )


def _send(booking: Booking, kind: str, subject: str, lines: list[str], method: str) -> None:
    message = _message(booking, subject, lines, method)
    if message is not None:
        send_after_commit(message, what=f"booking {booking.pk} {kind}")


def send_confirmation(booking: Booking) -> None:
    business = business_name()
    lines = [
        f"Your {booking.session_type.name.lower()} with {booking.associate} is booked for "
        f"{when_text(booking)}.",
        *_video(booking),
        "The calendar invite is attached.",
        f"Need another time, or can't make it? Move or cancel here: {manage_url(booking)}",
        f"See you then, {business}",
    ]
    _send(
        booking, "confirmation",
        f"Booked: {booking.session_type.name} with {booking.associate}", lines, "REQUEST",
    )  # fmt: skip
    _notify_associate(booking, "New session booked")


def send_moved(booking: Booking) -> None:
    lines = [
        f"Your {booking.session_type.name.lower()} with {booking.associate} is now on "
        f"{when_text(booking)}.",
        *_video(booking),
        "The attached invite updates your calendar.",
        f"Move or cancel here: {manage_url(booking)}",
    ]
    _send(
        booking, "moved",
        f"Moved: {booking.session_type.name} with {booking.associate}", lines, "REQUEST",
    )  # fmt: skip
    _notify_associate(booking, "Session moved")


def send_cancelled(booking: Booking) -> None:
    lines = [
        f"Your {booking.session_type.name.lower()} with {booking.associate} on "
        f"{when_text(booking)} is cancelled.",
        "The attached update removes it from your calendar.",
    ]
    _send(
        booking, "cancellation",
        f"Cancelled: {booking.session_type.name} with {booking.associate}", lines, "CANCEL",
    )  # fmt: skip
    _notify_associate(booking, "Session cancelled")


def send_reminder(booking: Booking) -> None:
    lines = [
        f"A reminder: your {booking.session_type.name.lower()} with {booking.associate} is "
        f"on {when_text(booking)}.",
        *_video(booking),
        f"Need another time? Move or cancel here: {manage_url(booking)}",
    ]
    # A job: a mail-server failure raises, so the job reports it.
    message = _message(
        booking, f"Tomorrow: {booking.session_type.name} with {booking.associate}", lines,
        "REQUEST",
    )  # fmt: skip
    if message is not None:
        send_now(message)


def _notify_associate(booking: Booking, subject: str) -> None:
    associate = booking.associate
    # The associate may switch these off on their profile (thrive.core.associate_notices).
    if not associate.email or not associate_notices.wants(associate, "booking"):
        return
    zone = associate.time_zone or "UTC"
    text = (
        f"{subject}: {booking.session_type.name} with {booking.person} "
        f"<{booking.person.email}>\n{when_text(booking, zone)}\n\n"
        f"What they want to talk about:\n{booking.note or '(nothing written)'}\n"
    )
    for answer in booking.answers:
        text += f"\n{answer['question']}\n{answer['answer']}\n"
    if booking.session_type.video_link:
        text += f"\nVideo call: {booking.session_type.video_link}\n"
    text += associate_notices.footer(associate, "booking")
    send_after_commit(
        build_message(to=associate.email, subject=f"{subject}: {booking.person}", text=text),
        what=f"booking {booking.pk} associate notice",
    )
