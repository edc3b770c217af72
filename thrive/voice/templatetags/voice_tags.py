"""Template filters for the voice pages."""

from __future__ import annotations

from django import template

from thrive.insights.nps import NPSResult

from ..queries import fmt_interval

register = template.Library()


@register.filter
def nps_interval(result: NPSResult) -> str:
    return fmt_interval(result)
