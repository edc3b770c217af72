"""Reading an associate's own calendar for busy times: an iCal feed (an .ics link) or a
CalDAV calendar. Plain functions, no database: the worker calls them and stores what they
return (``calendar_services``); booking pages never wait on a remote server.

Recurring events are expanded with ``recurring-ical-events`` (RRULE, RDATE, EXDATE and
moved occurrences); all-day events block the whole local day of the associate; floating
times (no zone) are read in the associate's zone; events marked free (TRANSP:TRANSPARENT)
or cancelled block nothing. Every failure is a ``FetchError`` whose message says what
went wrong in words the associate can act on.
"""

from __future__ import annotations

import datetime as dt
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar

UTC = dt.UTC
TIMEOUT_SECONDS = 10
MAX_BYTES = 5 * 1024 * 1024
MAX_INTERVALS = 5000
USER_AGENT = "Thrive calendar reader (busy times for strategy sessions)"


class FetchError(Exception):
    """The calendar could not be read; ``str(exc)`` is the reason to show."""


@dataclass(frozen=True)
class Interval:
    start: dt.datetime
    end: dt.datetime


def normalise_url(url: str) -> str:
    """``webcal://`` (what calendar apps publish) is HTTPS; only http(s) is fetched.

    A path (``/static/…``) is a feed Thrive serves itself: it is stored as the path and
    fetched from the business's public address of the moment
    (:func:`thrive.bookings.calendar_services.resolve_url`), so it
    keeps working when Thrive moves to another host or port.
    """
    url = url.strip()
    if url.startswith("/") and not url.startswith("//"):
        return url
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise FetchError("Enter a web address that starts with https:// (or http://).")
    return url


# Parsing -------------------------------------------------------------------------------


def _instant(value: Any, zone: ZoneInfo) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(UTC)
    # A DATE: the start of that day where the associate lives.
    return dt.datetime.combine(value, dt.time(0), tzinfo=zone).astimezone(UTC)


def _interval(event: Any, zone: ZoneInfo) -> Interval | None:
    if str(event.get("TRANSP", "")).upper() == "TRANSPARENT":
        return None
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    try:
        start_value = event.start
    except Exception:  # noqa: BLE001 - icalendar raises several kinds for a missing DTSTART
        return None
    try:
        end_value = event.end
    except Exception:  # noqa: BLE001
        end_value = None
    start = _instant(start_value, zone)
    if end_value is None:
        all_day = not isinstance(start_value, dt.datetime)
        end_value = start_value + dt.timedelta(days=1) if all_day else start_value
    end = _instant(end_value, zone)
    if end <= start:
        return None
    return Interval(start, end)


def parse_busy(
    data: bytes, *, start: dt.datetime, end: dt.datetime, zone: ZoneInfo
) -> list[Interval]:
    """The busy intervals of the iCalendar ``data`` that overlap [start, end), merged and
    in order. Raises FetchError if ``data`` is not iCalendar or has too many events."""
    text = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text[:15].upper().startswith(b"BEGIN:VCALENDAR"):
        raise FetchError(
            "The address answered, but not with an iCal calendar (it does not begin with "
            "BEGIN:VCALENDAR). Use the calendar's .ics or CalDAV address."
        )
    try:
        calendar = Calendar.from_ical(text)
        occurrences = recurring_ical_events.of(calendar, components=["VEVENT"]).between(start, end)
        found: list[Interval] = []
        for event in occurrences:
            interval = _interval(event, zone)
            if interval is not None and interval.start < end and interval.end > start:
                found.append(interval)
            if len(found) > MAX_INTERVALS:
                raise FetchError(
                    f"The calendar has more than {MAX_INTERVALS} busy times in the booking "
                    "window; connect a calendar with fewer events."
                )
    except FetchError:
        raise
    except Exception as exc:  # noqa: BLE001 - a malformed feed fails in many ways
        raise FetchError(f"The calendar could not be read: {exc}"[:300]) from exc
    return merge(found)


def merge(intervals: list[Interval]) -> list[Interval]:
    """Overlapping or touching intervals as one."""
    merged: list[Interval] = []
    for item in sorted(intervals, key=lambda i: i.start):
        if merged and item.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Interval(last.start, max(last.end, item.end))
        else:
            merged.append(item)
    return merged


# iCal feeds ----------------------------------------------------------------------------


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    # urllib would also follow a redirect to ftp://; a feed stays on the web.
    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> Any:  # fmt: skip
        if urlsplit(newurl).scheme not in {"http", "https"}:
            raise FetchError(f"The feed redirected to {newurl[:100]}, which is not a web address.")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


def fetch_feed(url: str, *, timeout: float = TIMEOUT_SECONDS, max_bytes: int = MAX_BYTES) -> bytes:
    """The body of an iCal feed, at most ``max_bytes``; FetchError says why not."""
    url = normalise_url(url)
    opener = urllib.request.build_opener(_HttpOnlyRedirects())
    headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
    # normalise_url allowed only http(s), and redirects are held to it too.
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with opener.open(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(_too_big(max_bytes))
            body = response.read(max_bytes + 1)
    except FetchError:
        raise
    except urllib.error.HTTPError as exc:
        raise FetchError(_http_reason(exc.code)) from exc
    except urllib.error.URLError as exc:
        raise FetchError(_unreachable(url, exc.reason)) from exc
    except TimeoutError as exc:
        raise FetchError(f"{_host(url)} did not answer within {timeout:g} seconds.") from exc
    except (OSError, ValueError) as exc:
        raise FetchError(_unreachable(url, exc)) from exc
    if len(body) > max_bytes:
        raise FetchError(_too_big(max_bytes))
    return body


def _too_big(max_bytes: int) -> str:
    return (
        f"The feed is larger than {max_bytes // (1024 * 1024)} MB; connect a calendar with "
        "fewer events (or a busy-only feed)."
    )


def _http_reason(code: int) -> str:
    if code in {401, 403}:
        return f"The server refused access (HTTP {code}): check the username and password."
    if code == 404:
        return "Nothing at that address (HTTP 404): check the link."
    return f"The server answered with an error (HTTP {code})."


def _unreachable(url: str, reason: Any) -> str:
    if isinstance(reason, TimeoutError):
        return f"{_host(url)} did not answer in time."
    if isinstance(reason, ConnectionRefusedError):
        return f"Could not reach {_host(url)}: the connection was refused."
    if isinstance(reason, socket.gaierror):
        return f"Could not find the server {urlsplit(url).hostname}: check the address."
    return f"Could not reach {_host(url)}: {reason}"[:300]


def busy_from_feed(
    url: str, *, start: dt.datetime, end: dt.datetime, zone: ZoneInfo
) -> list[Interval]:
    return parse_busy(fetch_feed(url), start=start, end=end, zone=zone)


# CalDAV --------------------------------------------------------------------------------


def busy_from_caldav(
    url: str,
    *,
    username: str,
    password: str,
    start: dt.datetime,
    end: dt.datetime,
    zone: ZoneInfo,
    timeout: int = TIMEOUT_SECONDS,
) -> list[Interval]:
    """Busy intervals of the CalDAV calendar at ``url`` (or of every calendar of the
    account, when ``url`` is the server's or the account's address). The server filters
    by time range; recurrences are expanded here like a feed's."""
    # Imported here: only the worker needs the CalDAV client (and its HTTP stack).
    from caldav.davclient import DAVClient
    from caldav.lib import error as dav_error

    url = normalise_url(url)
    client = DAVClient(url=url, username=username or None, password=password or None,
                              timeout=timeout)  # fmt: skip
    try:
        with client:
            calendars = client.principal().calendars()
            wanted = url.rstrip("/")
            chosen = [c for c in calendars if str(c.url).rstrip("/") == wanted] or calendars
            if not chosen:
                raise FetchError("The CalDAV account has no calendars.")
            found: list[Interval] = []
            size = 0
            for calendar in chosen:
                for item in calendar.search(start=start, end=end, event=True, expand=False):
                    data = item.data.encode() if isinstance(item.data, str) else item.data
                    size += len(data)
                    if size > MAX_BYTES:
                        raise FetchError(_too_big(MAX_BYTES))
                    found += parse_busy(data, start=start, end=end, zone=zone)
                    if len(found) > MAX_INTERVALS:
                        raise FetchError(f"The calendar has more than {MAX_INTERVALS} busy "
                                         "times in the booking window.")  # fmt: skip
    except FetchError:
        raise
    except dav_error.AuthorizationError as exc:
        raise FetchError("The CalDAV server refused the username or password (HTTP 401).") from exc
    except dav_error.NotFoundError as exc:
        raise FetchError("No CalDAV calendar at that address (HTTP 404): check the link.") from exc
    except dav_error.DAVError as exc:
        raise FetchError(f"The CalDAV server answered with an error: {exc}"[:300]) from exc
    except TimeoutError as exc:
        raise FetchError(f"{_host(url)} did not answer within {timeout:g} seconds.") from exc
    except OSError as exc:  # niquests' connection errors are OSErrors
        cause: Any = exc
        while cause.__cause__ is not None or cause.__context__ is not None:
            cause = cause.__cause__ or cause.__context__
        if "refused" in str(exc).lower():
            cause = ConnectionRefusedError()
        raise FetchError(_unreachable(url, cause)) from exc
    except Exception as exc:  # noqa: BLE001 - a server that is not CalDAV fails oddly
        raise FetchError(f"That address does not look like a CalDAV server: {exc}"[:300]) from exc
    return merge(found)
