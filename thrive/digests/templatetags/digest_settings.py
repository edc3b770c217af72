"""The associate's email notifications, for the profile page (kept here, with the
digests that use them)."""

from __future__ import annotations

from typing import Any

from django import template

from ..forms import NotificationSettingsForm
from ..services import settings_for

register = template.Library()


@register.inclusion_tag("digests/_my_notifications.html", takes_context=True)
def my_notifications(context: template.Context) -> dict[str, Any]:
    me = context["request"].user
    return {
        "notify_form": NotificationSettingsForm.for_settings(settings_for(me)),
        "csrf_token": context.get("csrf_token"),
    }
