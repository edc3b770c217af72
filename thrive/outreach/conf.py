"""Outreach settings: a Django setting of the same name wins, then the environment (the
business-wide ones, then the settings page: thrive.core.business).

Read at call time (not import time) so tests can change them with the settings fixture
and a worker subprocess can be configured through its environment.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from thrive.core import business


def _value(name: str, default: str) -> Any:
    if hasattr(settings, name):
        return getattr(settings, name)
    return os.environ.get(name, default)


def _int(name: str, default: int) -> int:
    raw = _value(name, str(default))
    try:
        return int(raw)
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from exc


def max_automated_per_week() -> int:
    """THRIVE_MAX_AUTOMATED_PER_WEEK, else the settings page: automated emails one person
    may get in 7 days."""
    return business.max_automated_per_week()


def quiet_hours() -> tuple[dt.time, dt.time] | None:
    """THRIVE_QUIET_HOURS (``"20:00-08:00"``, ``off``), else the settings page, in each
    person's own zone."""
    return business.quiet_hours()


def public_url() -> str:
    """Where people reach this Thrive (links in emails): see thrive.core.business."""
    return business.public_url()


def bounce_webhook_secret() -> str:
    """THRIVE_BOUNCE_WEBHOOK_SECRET: what a mail provider sends to report bounces and
    complaints at /m/bounces; blank turns the endpoint off."""
    return str(_value("THRIVE_BOUNCE_WEBHOOK_SECRET", "") or "").strip()


def lease_seconds() -> int:
    """How long a worker owns a claimed delivery before another may take it over."""
    return max(1, _int("THRIVE_OUTREACH_LEASE_SECONDS", 120))


def retry_base_seconds() -> int:
    """First retry delay after a temporary SMTP failure; doubled on each attempt."""
    return max(1, _int("THRIVE_OUTREACH_RETRY_SECONDS", 60))


def max_attempts() -> int:
    """SMTP attempts before a delivery is given up as failed (about a day of backoff)."""
    return max(1, _int("THRIVE_OUTREACH_MAX_ATTEMPTS", 12))


def batch_size() -> int:
    return max(1, _int("THRIVE_OUTREACH_BATCH", 250))


def time_budget_seconds() -> int:
    """How long one sender job runs before handing over to the next one."""
    return max(1, _int("THRIVE_OUTREACH_JOB_SECONDS", 60))


def business_zone_name() -> str:
    return business.time_zone_name()
