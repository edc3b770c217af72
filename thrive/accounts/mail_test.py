"""The settings page's "Send a test email": one message to the owner's own address through
the SMTP server kept on the page (switched on or not, so she can try it before switching
it on), with what went wrong in plain words."""

from __future__ import annotations

import datetime as dt
import smtplib
import socket
import ssl
from typing import Any

from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

from thrive.core import business
from thrive.core.ratelimit import Limit, hit
from thrive.core.roles import check_actor, require_manage
from thrive.core.transactional_email import build_message

TESTS_PER_OWNER = Limit(10, dt.timedelta(hours=1), "smtp_test_per_associate")


class TestEmailFailed(Exception):  # noqa: N818 - a message for the page, in plain words
    """The test email was not sent; ``str()`` says why, for the owner."""


def explain(exc: BaseException, host: str, port: int) -> str:
    """What went wrong, in words an owner can act on."""
    where = f"{host}:{port}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (
            f"Authentication failed: {where} refused the user name and password "
            f"({exc.smtp_code} {_text(exc.smtp_error)}). Check both; some providers need an "
            "app password."
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError) or "STARTTLS" in str(exc):
        return (
            f"TLS problem: {where} does not offer STARTTLS. Try SSL/TLS (usually port 465) "
            "or check the security setting."
        )
    if isinstance(exc, ssl.SSLError):
        return (
            f"TLS problem talking to {where} ({exc.reason or exc}). Check the security "
            "setting and the port: SSL/TLS is usually 465, STARTTLS 587."
        )
    if isinstance(exc, ConnectionRefusedError):
        return f"Connection refused: nothing answers at {where}. Check the server and port."
    if isinstance(exc, socket.gaierror):
        return f"The server name {host} was not found. Check its spelling."
    if isinstance(exc, TimeoutError):
        return f"No answer from {where} in time. Check the server, port and firewall."
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return f"{where} refused the recipient address: {_text(exc.recipients)}."
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return (
            f"{where} refused the sender address {exc.sender} "
            f"({exc.smtp_code} {_text(exc.smtp_error)}). Set a sender address it accepts."
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{where} said: {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"{where} closed the connection. Check the security setting and the port."
    return f"Could not send through {where}: {exc}"


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def send_test_email(*, actor: Any) -> str:
    """Send the test email to ``actor``'s own address; return that address. Raises
    TestEmailFailed with the reason, RateLimited over the limit."""
    check_actor(actor)
    require_manage(actor)
    if business.mail_from_server():
        raise TestEmailFailed(
            "EMAIL_URL on the server decides where email goes; the SMTP server on this page "
            "is not used."
        )
    to = str(getattr(actor, "email", "") or "").strip()
    if not to:
        raise TestEmailFailed("Your account has no email address to send the test to.")
    options = business.stored_smtp_options()
    if options is None:
        raise TestEmailFailed("Save an SMTP server first, then send a test email.")
    hit(f"smtp-test:{actor.pk}", TESTS_PER_OWNER)
    message = build_message(
        to=to,
        subject=f"Test email from {business.name()}",
        text=(
            "This is a test email from Thrive. It came through "
            f"{options['host']}:{options['port']}, the mail server on the settings page."
        ),
    )
    try:
        # An alias: the settings page's server, not MAILERS (no deprecated EMAIL_* read).
        SmtpBackend(alias="settings-page", **options).send_messages([message])
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        raise TestEmailFailed(explain(exc, options["host"], options["port"])) from exc
    return to
