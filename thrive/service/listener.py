"""The built-in mail listener: LMTP (or SMTP) on a port a mail server forwards to.

Each message is handed to :func:`services.receive`, which stores the raw bytes before it
parses anything; the listener answers 250 only after that store, so a crash mid-way
means the sending server keeps the message and tries again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from asgiref.sync import sync_to_async
from django.db import close_old_connections, connection

from . import services

log = logging.getLogger(__name__)
MAX_MESSAGE_BYTES = 50 * 1024 * 1024


def _store(content: bytes, envelope_from: str, recipients: list[str], source: str) -> int:
    close_old_connections()
    try:
        return services.receive(
            content, source=source, envelope_from=envelope_from, recipients=recipients
        ).pk
    finally:
        # A pool thread: do not leave its database connection open between messages.
        connection.close()


class InboxHandler:
    def __init__(self, source: str) -> None:
        self.source = source

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        try:
            await sync_to_async(_store, thread_sensitive=False)(
                content, envelope.mail_from or "", list(envelope.rcpt_tos), self.source
            )
        except Exception:  # noqa: BLE001 - the sender keeps it and retries
            log.exception("Could not store an incoming message")
            reply = "451 4.3.0 Could not store the message; try again later"
        else:
            reply = "250 2.0.0 Stored"
        if isinstance(server, LMTP):
            # LMTP answers once per recipient; aiosmtpd pushes what we return as is.
            return "\r\n".join([reply] * max(1, len(envelope.rcpt_tos)))
        return reply


class LMTPController(Controller):
    def factory(self) -> LMTP:
        return LMTP(self.handler, data_size_limit=MAX_MESSAGE_BYTES, **self.SMTP_kwargs)


def controller(host: str, port: int, *, protocol: str = "lmtp") -> Controller:
    handler = InboxHandler(protocol)
    if protocol == "lmtp":
        return LMTPController(handler, hostname=host, port=port)
    return Controller(handler, hostname=host, port=port, data_size_limit=MAX_MESSAGE_BYTES)


def serve_forever(host: str, port: int, *, protocol: str = "lmtp") -> None:
    running = controller(host, port, protocol=protocol)
    running.start()
    try:
        asyncio.run(_wait_forever())
    finally:
        running.stop()


async def _wait_forever() -> None:
    while True:
        await asyncio.sleep(3600)
