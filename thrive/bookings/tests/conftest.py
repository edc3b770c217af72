"""Shared setup for the strategy-session tests: Maya in Portland with weekly hours."""

from __future__ import annotations

import datetime as dt
import http.server
import socket
import subprocess
import sys
import threading
import time
from typing import Any

import pytest
from django.utils import timezone

from thrive.bookings import queries, services
from thrive.bookings.models import SessionType
from thrive.bookings.slots import Window
from thrive.core.roles import Role
from thrive.testing.factories import AssociateFactory

CONSENT = "I agree that Kettle & Crow keeps my name, email and note to arrange this session."


@pytest.fixture(autouse=True)
def booking_settings(settings):
    settings.THRIVE_PUBLIC_URL = "http://testserver"
    return settings


@pytest.fixture
def maya(db):
    return AssociateFactory(
        username="maya", first_name="Maya", last_name="Okafor", role=Role.OWNER,
        email="maya@example.com", time_zone="America/Los_Angeles",
    )  # fmt: skip


@pytest.fixture
def kind(db):
    return SessionType.objects.create(
        name="Strategy session", slug="strategy-session", minutes=30,
        buffer_before_minutes=0, buffer_after_minutes=10, min_notice_hours=0,
        max_days_ahead=60,
    )  # fmt: skip


@pytest.fixture
def open_all_week(maya):
    """Maya takes sessions 08:00–20:00 every day, so there are always slots ahead."""
    services.set_weekly_hours(
        maya, [Window(day, dt.time(8), dt.time(20)) for day in range(7)], actor=None
    )
    return maya


def next_slot(associate: Any, kind: SessionType, *, skip: int = 0) -> dt.datetime:
    """A free slot at least a day and a half ahead (beyond the reminder's 24 hours)."""
    start = timezone.now() + dt.timedelta(days=2)
    slots = queries.open_slots(associate, kind, start, start + dt.timedelta(days=3))
    return slots[skip]


def book(associate: Any, kind: SessionType, start: dt.datetime, **overrides: Any):
    fields: dict[str, Any] = {
        "associate": associate, "session_type": kind, "start": start,
        "email": "lena@example.com", "first_name": "Lena", "last_name": "Park",
        "note": "Opening a café", "visitor_time_zone": "Europe/Berlin",
        "consent_text": CONSENT, "ip_address": "203.0.113.9",
    }  # fmt: skip
    fields.update(overrides)
    return services.book_session(**fields)


# Real servers on loopback for the calendar tests ----------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RadicaleServer:
    """A real Radicale CalDAV server on a free loopback port, storage in a temp folder,
    users from an htpasswd file (plain text, test-only)."""

    def __init__(self, url: str, users: dict[str, str]) -> None:
        self.url = url
        self.users = users

    def client(self, user: str = "tom") -> Any:
        import caldav

        return caldav.DAVClient(url=self.url, username=user, password=self.users[user])

    def new_calendar(self, user: str = "tom", name: str = "Work") -> Any:
        return self.client(user).principal().make_calendar(name=name)


@pytest.fixture
def radicale(tmp_path):
    users = {"tom": "roast-2026"}
    htpasswd = tmp_path / "users"
    htpasswd.write_text("".join(f"{u}:{p}\n" for u, p in users.items()))
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, "-m", "radicale", "--server-hosts", f"127.0.0.1:{port}",
         "--storage-filesystem-folder", str(tmp_path / "collections"),
         "--auth-type", "htpasswd", "--auth-htpasswd-filename", str(htpasswd),
         "--auth-htpasswd-encryption", "plain", "--logging-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "Radicale did not start: " + process.stderr.read().decode()[-500:]
                    ) from None
                time.sleep(0.1)
        yield RadicaleServer(f"http://127.0.0.1:{port}/", users)
    finally:
        process.terminate()
        process.wait(timeout=10)


class FeedServer:
    """A tiny HTTP server on loopback: ``routes[path] = (status, body, content type)``."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, bytes, str]] = {}
        self.requests = 0
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the standard library's name
                owner.requests += 1
                status, body, kind = owner.routes.get(self.path, (404, b"not here", "text/plain"))
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def serve(self, path: str, body: bytes, *, status: int = 200,
              kind: str = "text/calendar") -> str:  # fmt: skip
        self.routes[path] = (status, body, kind)
        return self.url(path)


@pytest.fixture
def feed_server():
    server = FeedServer()
    yield server
    server.server.shutdown()
    server.server.server_close()
