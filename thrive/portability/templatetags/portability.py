"""The erasure panel on the person page: the notice after an erasure, or the owner's button."""

from __future__ import annotations

from typing import Any

from django import template

from thrive.core.roles import can_manage
from thrive.portability.erasure import erasure_of

register = template.Library()


@register.inclusion_tag("portability/_erase_panel.html", takes_context=True)
def erasure_panel(context: dict[str, Any], person: Any) -> dict[str, Any]:
    request = context.get("request")
    return {
        "person": person,
        "erasure": erasure_of(person.pk),
        "owner": can_manage(getattr(request, "user", None)),
    }
