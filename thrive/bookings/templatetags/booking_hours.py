"""The associate's own weekly hours, for the profile page (kept here, with the bookings
that use them: the profile shows the one store, not a copy)."""

from __future__ import annotations

from typing import Any

from django import template

from thrive.core import business

from ..forms import WeeklyHoursForm
from ..queries import calendars_of, windows_for

register = template.Library()


@register.inclusion_tag("bookings/_my_hours.html", takes_context=True)
def my_weekly_hours(context: template.Context, back_to: str) -> dict[str, Any]:
    request = context["request"]
    me = request.user
    return {
        "hours_form": WeeklyHoursForm(initial=WeeklyHoursForm.initial_for(windows_for(me))),
        "my_zone": business.associate_zone_name(me),
        "can_edit": context.get("can_edit"),
        "back_to": back_to,
        "my_calendars": list(calendars_of(me)),
        "csrf_token": context.get("csrf_token"),
    }
