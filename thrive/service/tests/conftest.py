"""Shared setup for the shared-inbox tests: the business's sender, a live LMTP listener
on loopback, and a way to write customers' emails."""

from __future__ import annotations

import socket
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from django.utils import timezone

from thrive.core.testing.tasks import run_queued
from thrive.service import listener

BUSINESS = "Kettle & Crow <hello@kettlecrow.example>"


@pytest.fixture(autouse=True)
def business_sender(settings):
    settings.DEFAULT_FROM_EMAIL = BUSINESS
    settings.THRIVE_BUSINESS_NAME = "Kettle & Crow"
    return settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_queued_answers() -> int:
    """Run the automatic first answers waiting in the task queue, as ``thrive worker``
    would; returns how many ran."""
    return run_queued("answer_first_message")


@pytest.fixture
def lmtp_listener(transactional_db):
    """``thrive mail-in``'s listener on a free loopback port; yields the port."""
    port = free_port()
    running = listener.controller("127.0.0.1", port, protocol="lmtp")
    running.start()
    yield port
    running.stop()


def customer_email(
    *, sender: str = "Lena Park <lena@example.com>", subject: str = "Order 1042 arrived cold",
    text: str = "Hello, my order arrived cold. Can you help?", in_reply_to: str = "",
    references: str = "", headers: dict[str, str] | None = None, message_id: str = "",
) -> EmailMessage:  # fmt: skip
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "hello@kettlecrow.example"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = message_id or make_msgid(domain="mail.example.com")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(text)
    return msg
