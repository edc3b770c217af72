"""A real SMTP server on loopback (aiosmtpd) for tests that send email.

The ``smtp_sink`` fixture (registered in ``thrive/conftest.py`` and the end-to-end
conftest) starts one per test and points ``MAILERS`` at it.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from thrive.core.config import mailer_settings


@dataclass
class Received:
    recipients: list[str]
    message: email.message.EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class SinkHandler:
    """Stores what the server accepts. ``delay`` makes DATA slow; the message is stored
    only after it, so a client killed meanwhile leaves nothing (as a real server that
    never answered 250). ``reject`` refuses recipients permanently."""

    delay: float = 0.0
    reject: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    greetings: int = 0  # EHLOs: one per SMTP connection
    data_started: int = 0  # DATA commands begun, answered or not

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        with self.lock:
            self.greetings += 1
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.data_started += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append(Received(list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"


class SmtpSink:
    """``credentials`` (user name, password): the server then requires AUTH (over plain
    SMTP, as loopback tests have no certificate) and refuses any other pair."""

    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        self.handler = SinkHandler()
        self.port = _free_port()
        self.controller: Controller | None = None
        self.credentials = credentials

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        given = (
            auth_data.login.decode("utf-8", "replace"),
            auth_data.password.decode("utf-8", "replace"),
        )
        # handled=False: the server itself answers 235 or 535.
        return AuthResult(
            success=isinstance(auth_data, LoginPassword) and given == self.credentials,
            handled=False,
        )

    def start(self) -> None:
        auth: dict[str, Any] = {}
        if self.credentials is not None:
            auth = {
                "authenticator": self._authenticate,
                "auth_required": True,
                "auth_require_tls": False,
            }
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **auth)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?timeout=5"

    @property
    def messages(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.recipients]

    def wait_for_data_in_flight(self, count: int, timeout: float = 60) -> None:
        """Wait until ``count`` messages are stored and another one is being received
        (its DATA begun, not yet answered): the moment a client is mid-send."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.handler.lock:
                if len(self.handler.received) >= count and (
                    self.handler.data_started > len(self.handler.received)
                ):
                    return
            time.sleep(0.005)

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return self.messages
            time.sleep(0.05)
        return self.messages


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_sink(settings):
    sink = SmtpSink()
    sink.start()
    settings.MAILERS = {"default": mailer_settings(sink.url)}
    yield sink
    sink.stop()
