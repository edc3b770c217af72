"""Times shown with their zone: ``{{ when|local_time }}`` renders "6 Dec 2026, 08:29 PST"
in the active zone (the reader's, see ``thrive.workspace.middleware``); a format may be
given as with ``date``: ``{{ when|local_time:"j M, H:i" }}``. ``{% current_zone %}`` names
the zone for labels ("Send at (America/Los_Angeles)").

A built-in (see ``TEMPLATES`` in settings), so templates need no ``{% load %}``.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format

register = template.Library()

DEFAULT_FORMAT = "j M Y, H:i"


def zone_abbreviation(value: dt.datetime) -> str:
    """ "PST", "CEST", "UTC"; zones without letters give an offset such as "+0530"."""
    name = value.tzname() or ""
    if name and name[0] not in "+-":
        return name
    return value.strftime("%z") or "UTC"


@register.filter(expects_localtime=False)
def local_time(value: dt.datetime | None, fmt: str = DEFAULT_FORMAT) -> str:
    if not isinstance(value, dt.datetime):
        return "" if value is None else str(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    local = timezone.localtime(value)
    return f"{date_format(local, fmt)} {zone_abbreviation(local)}"


@register.simple_tag
def current_zone() -> str:
    return timezone.get_current_timezone_name()
