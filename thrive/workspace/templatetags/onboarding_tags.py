from __future__ import annotations

from typing import Any

from django import template

from ..onboarding import checklist_for

register = template.Library()


@register.inclusion_tag("accounts/_onboarding.html", takes_context=True)
def onboarding_checklist(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    return {"checklist": checklist_for(getattr(request, "user", None)), "request": request}
