"""Every page in the reader's time zone: the signed-in associate's own, else the
business's.

The associate's ``time_zone`` left blank (the default) follows the business's
(``thrive.core.business.associate_zone_name``): nobody who never chose a zone should be
shown UTC in a Portland business. Public pages that work in a visitor's zone (booking) set it
themselves with ``{% timezone %}``; anonymous visitors otherwise see the business's zone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from thrive.core import business

API_PREFIX = "/api/v1/"


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def reader_zone(user: Any) -> ZoneInfo:
    """The zone ``user`` reads and types times in."""
    if getattr(user, "is_authenticated", False):
        zone = _zone(business.associate_zone_name(user).strip())
        if zone is not None:
            return zone
    return _zone(business.time_zone_name()) or ZoneInfo("UTC")


class ReaderTimeZoneMiddleware:
    """Activate :func:`reader_zone` for the request: templates show times in it and
    forms read typed date-times in it (Django's ``DateTimeField`` converts to UTC)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            # The API speaks UTC (ISO 8601 with the offset) whoever calls it.
            return self.get_response(request)
        timezone.activate(reader_zone(getattr(request, "user", None)))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
