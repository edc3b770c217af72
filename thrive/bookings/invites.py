"""The calendar invite (iCalendar, RFC 5545 and iTIP RFC 5546) attached to booking emails.

One event per session chain: the UID stays the same when a session is moved and the
SEQUENCE goes up, so calendar apps update the event instead of adding a second one; a
cancellation is the same UID with METHOD:CANCEL and STATUS:CANCELLED.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from icalendar import Calendar, Event, vCalAddress, vText

from thrive.outreach.conf import public_url

PRODID = "-//Thrive//Strategy sessions//EN"


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def build_invite(
    *,
    uid: str,
    sequence: int,
    start: dt.datetime,
    end: dt.datetime,
    summary: str,
    description: str,
    organizer_email: str,
    organizer_name: str,
    attendee_email: str,
    attendee_name: str,
    method: str = "REQUEST",
    stamp: dt.datetime | None = None,
    video_link: str = "",
) -> bytes:
    """The .ics bytes for one session; ``method`` is REQUEST (new or moved) or CANCEL."""
    if method not in {"REQUEST", "CANCEL"}:
        raise ValueError(f"{method!r} is not an iTIP method this app sends.")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", stamp or dt.datetime.now(dt.UTC))
    event.add("dtstart", start.astimezone(dt.UTC))
    event.add("dtend", end.astimezone(dt.UTC))
    event.add("summary", summary)
    event.add("description", description)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if video_link:
        # LOCATION is what most calendar apps show and make clickable; URL is RFC 5545's.
        event.add("location", video_link)
        event.add("url", video_link)
    event.add("organizer", _address(organizer_email, organizer_name))
    attendee: dict[str, Any] = {"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION"}
    event.add("attendee", _address(attendee_email, attendee_name, **attendee))
    calendar.add_component(event)
    return calendar.to_ical()


def event_uid(token: str) -> str:
    """A globally unique UID: a random token plus the host people reach Thrive at."""
    host = urlsplit(public_url()).hostname or "localhost"
    return f"{token}@{host}"
