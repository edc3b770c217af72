"""The one place that answers "what is the business's time zone, currency, public address,
sender ...".

Each value has three sources, in this order: the server's configuration (a Django setting
set explicitly, or the environment variable of the same name), then what the owner keeps
on the settings page (the ``accounts.Business`` row), then a built-in default. The public
address has one more: the address ``thrive serve`` actually serves (``THRIVE_SERVED_URL``),
below the owner's own.

Core imports no app, so the stored row reaches this module through a provider the accounts
app registers at start-up (:func:`set_stored_settings`). The row is read at most once per
request (the cache is cleared when a request starts and whenever the row is saved) and at
most every few seconds in the worker.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import formataddr, getaddresses
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_NAME = "Thrive"
DEFAULT_SENDER_ADDRESS = "thrive@localhost"
DEFAULT_TIME_ZONE = "UTC"
DEFAULT_CURRENCY = "USD"
DEFAULT_PUBLIC_URL = "http://localhost:8000"
DEFAULT_QUIET_HOURS = "20:00-08:00"
DEFAULT_MAX_AUTOMATED_PER_WEEK = 2

# Where a value came from, in words the settings page shows.
SERVER = "server"
STORED = "settings page"
SERVED = "served address"
DEFAULT = "built-in default"

# The worker has no requests; it sees the owner's changes after at most this long.
CACHE_SECONDS = 5.0

_provider: Callable[[], Mapping[str, Any] | None] | None = None
_cache: tuple[float, Mapping[str, Any]] | None = None
_lock = threading.Lock()


def set_stored_settings(provider: Callable[[], Mapping[str, Any] | None]) -> None:
    """Register where the owner's stored settings come from (a mapping of field → value)."""
    global _provider
    _provider = provider
    clear_cache()


def clear_cache(*_args: Any, **_kwargs: Any) -> None:
    """Forget the stored row (a signal receiver too: on save and when a request starts)."""
    global _cache
    with _lock:
        _cache = None


def stored() -> Mapping[str, Any]:
    """The owner's stored settings (empty before the business has a row)."""
    global _cache
    now = time.monotonic()
    cached = _cache
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    values: Mapping[str, Any] = (_provider() if _provider is not None else None) or {}
    with _lock:
        _cache = (now, values)
    return values


@dataclass(frozen=True)
class Resolved:
    """A value and where it came from; ``env`` names the variable that would override it."""

    value: Any
    source: str
    env: str

    @property
    def from_server(self) -> bool:
        return self.source == SERVER


def server_value(name: str) -> str | None:
    """The server's own value for ``name``: a Django setting set explicitly (settings.py
    defines these only when the environment sets them; tests override them), else the
    environment variable, read now so a worker started with it sees it. None when unset."""
    if settings.is_overridden(name):  # type: ignore[misc]  # LazySettings passes it on
        value = getattr(settings, name, None)
        if value is not None and str(value).strip() != "":
            return str(value).strip()
    raw = os.environ.get(name, "").strip()
    return raw or None


def _resolve(env: str, field: str, default: Any) -> Resolved:
    from_server = server_value(env)
    if from_server is not None:
        return Resolved(from_server, SERVER, env)
    value = stored().get(field)
    if value not in (None, ""):
        return Resolved(value, STORED, env)
    return Resolved(default, DEFAULT, env)


def name_setting() -> Resolved:
    return _resolve("THRIVE_BUSINESS_NAME", "name", DEFAULT_NAME)


def name() -> str:
    """The business's name: on pages, in reports and as the default sender name."""
    return str(name_setting().value)


def time_zone_setting() -> Resolved:
    found = _resolve("THRIVE_TIME_ZONE", "time_zone", DEFAULT_TIME_ZONE)
    try:
        ZoneInfo(str(found.value))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ImproperlyConfigured(
            f"{found.env}={found.value!r} is not a time zone name (for example Europe/London)"
        ) from exc
    return found


def time_zone_name() -> str:
    """The business's own zone: reports, "this month", times without an offset."""
    return str(time_zone_setting().value)


def zone() -> ZoneInfo:
    return ZoneInfo(time_zone_name())


def currency_setting() -> Resolved:
    found = _resolve("THRIVE_CURRENCY", "currency", DEFAULT_CURRENCY)
    return Resolved(str(found.value).upper(), found.source, found.env)


def currency() -> str:
    """The business's currency (ISO 4217): revenue in it is what the figures add up."""
    return str(currency_setting().value)


def public_url_setting() -> Resolved:
    """THRIVE_PUBLIC_URL, then the owner's public address, then the address ``thrive
    serve`` serves (THRIVE_SERVED_URL), then http://localhost:8000."""
    found = _resolve("THRIVE_PUBLIC_URL", "public_url", None)
    if found.value is None:
        served = server_value("THRIVE_SERVED_URL")
        found = (
            Resolved(served, SERVED, "THRIVE_PUBLIC_URL")
            if served
            else Resolved(DEFAULT_PUBLIC_URL, DEFAULT, "THRIVE_PUBLIC_URL")
        )
    return Resolved(str(found.value).rstrip("/"), found.source, found.env)


def public_url() -> str:
    """Where people reach this Thrive: links in emails and on public pages."""
    return str(public_url_setting().value)


def _parse_quiet_hours(raw: str, where: str) -> tuple[dt.time, dt.time] | None:
    text = raw.strip().lower()
    if text in {"", "off", "none"}:
        return None
    try:
        start, end = (dt.time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{where}={raw!r}: write it like 20:00-08:00, or off") from exc
    return (start, end) if start != end else None


def quiet_hours_setting() -> Resolved:
    """The window as text ("20:00-08:00" or "off")."""
    return _resolve("THRIVE_QUIET_HOURS", "quiet_hours", DEFAULT_QUIET_HOURS)


def quiet_hours() -> tuple[dt.time, dt.time] | None:
    """No automated email in this window of each person's own zone; None for none."""
    found = quiet_hours_setting()
    return _parse_quiet_hours(str(found.value), found.env)


def max_automated_setting() -> Resolved:
    return _resolve(
        "THRIVE_MAX_AUTOMATED_PER_WEEK", "max_automated_per_week", DEFAULT_MAX_AUTOMATED_PER_WEEK
    )


def max_automated_per_week() -> int:
    """Automated emails one person may get in 7 days."""
    found = max_automated_setting()
    try:
        return int(found.value)
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(f"{found.env}={found.value!r} is not a whole number") from exc


def _server_sender() -> tuple[str, str] | None:
    raw = server_value("DEFAULT_FROM_EMAIL")
    if raw is None:
        return None
    display, address = getaddresses([raw])[0]
    return display, address


def sender_name_setting() -> Resolved:
    """The sender's display name: the owner's sender name, else the business's name (from
    THRIVE_BUSINESS_NAME or the settings page), else DEFAULT_FROM_EMAIL's own display
    name, else "Thrive". DEFAULT_FROM_EMAIL on the server fixes the address, not the name,
    so mail keeps coming from the business as the owner names it."""
    value = stored().get("sender_name")
    if value:
        return Resolved(value, STORED, "")
    found = name_setting()
    if found.source != DEFAULT:
        return Resolved(found.value, found.source, found.env)
    configured = _server_sender()
    if configured and configured[0]:
        return Resolved(configured[0], SERVER, "DEFAULT_FROM_EMAIL")
    return Resolved(DEFAULT_NAME, DEFAULT, "")


def sender_address_setting() -> Resolved:
    configured = _server_sender()
    if configured and configured[1]:
        return Resolved(configured[1], SERVER, "DEFAULT_FROM_EMAIL")
    value = stored().get("sender_email")
    if value:
        return Resolved(value, STORED, "DEFAULT_FROM_EMAIL")
    return Resolved(DEFAULT_SENDER_ADDRESS, DEFAULT, "DEFAULT_FROM_EMAIL")


def sender_address() -> str:
    return str(sender_address_setting().value)


def from_header() -> str:
    """Every email's From: "<sender name> <sender address>"."""
    display = str(sender_name_setting().value)
    address = sender_address()
    return formataddr((display, address), charset="utf-8") if display else address


def reply_to_setting() -> Resolved:
    return _resolve("THRIVE_REPLY_TO", "reply_to", "")


def reply_to() -> list[str]:
    """Where replies go when the owner set an address; empty for the sender itself."""
    value = str(reply_to_setting().value or "").strip()
    return [value] if value else []


def associate_zone_name(associate: Any) -> str:
    """An associate's own zone; blank (the default) follows the business's."""
    return str(getattr(associate, "time_zone", "") or "") or time_zone_name()


def logo_name() -> str:
    """The stored logo's file name in the media storage ("" for none)."""
    return str(stored().get("logo") or "")


def brand_colour() -> str:
    return str(stored().get("brand_colour") or "")


# Email delivery. The settings page may keep an SMTP server; the server's EMAIL_URL wins.
STORED_MAILER_BACKEND = "thrive.core.mail_backend.EmailBackend"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
SMTP_PASSWORD_PURPOSE = b"thrive.accounts.smtp-password"
STARTTLS, SSL_TLS, NO_ENCRYPTION = "starttls", "ssl", "none"
SMTP_DEFAULT_PORTS = {STARTTLS: 587, SSL_TLS: 465, NO_ENCRYPTION: 25}
SMTP_TIMEOUT_SECONDS = 10


def seal_smtp_password(password: str) -> str:
    from thrive.core import sealed

    return sealed.seal(password, purpose=SMTP_PASSWORD_PURPOSE)


def stored_smtp_options(values: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
    """The Django SMTP backend's options from the settings page (switched on or not), or
    None without a server name or with a password this install can no longer read."""
    from thrive.core import sealed

    values = stored() if values is None else values
    host = str(values.get("smtp_host") or "").strip()
    if not host:
        return None
    security = str(values.get("smtp_security") or STARTTLS)
    password = ""
    if values.get("smtp_password_sealed"):
        try:
            password = sealed.unseal(
                str(values["smtp_password_sealed"]), purpose=SMTP_PASSWORD_PURPOSE
            )
        except sealed.Unreadable:
            return None
    return {
        "host": host,
        "port": int(values.get("smtp_port") or SMTP_DEFAULT_PORTS.get(security, 25)),
        "username": str(values.get("smtp_username") or ""),
        "password": password,
        "use_tls": security == STARTTLS,
        "use_ssl": security == SSL_TLS,
        "timeout": SMTP_TIMEOUT_SECONDS,
    }


def mail_delivery() -> tuple[dict[str, Any], str]:
    """The one place that decides where email goes: the mailer (a MAILERS entry) and its
    source. The server's own mailer (EMAIL_URL, or a test's MAILERS) wins; else the
    settings page's SMTP server when it is complete and switched on; else the built-in
    default (printed locally, the machine's own mail server in production)."""
    from thrive.core.config import mailer_settings

    configured = dict((getattr(settings, "MAILERS", {}) or {}).get("default", {}))
    if configured.get("BACKEND") != STORED_MAILER_BACKEND:
        return configured, SERVER
    if stored().get("send_real_email"):
        options = stored_smtp_options()
        if options is not None:
            return {"BACKEND": SMTP_BACKEND, "OPTIONS": options}, STORED
    fallback = str((configured.get("OPTIONS") or {}).get("fallback") or "console:")
    return mailer_settings(fallback), DEFAULT


def mail_from_server() -> bool:
    """Whether the server's EMAIL_URL decides (the settings page's SMTP part is shown off)."""
    return mail_delivery()[1] == SERVER


def mail_is_connected() -> bool:
    """Whether email goes to a real mail server (SMTP), not printed to the console or kept
    in memory or files: the server's EMAIL_URL, or the settings page's SMTP server."""
    mailer, _source = mail_delivery()
    return str(mailer.get("BACKEND", "")).endswith("smtp.EmailBackend")
