"""Template filters for the voice pages."""

from __future__ import annotations

from django import template

from thrive.insights.nps import NPSResult
from thrive.outreach.reports.explain import SKIP_WORDS

from ..queries import fmt_interval

register = template.Library()


@register.filter
def nps_interval(result: NPSResult) -> str:
    return fmt_interval(result)


@register.filter
def skip_words(reason: str) -> str:
    """Outreach's reason for not sending, in words ("no_consent" → "no consent…")."""
    return SKIP_WORDS.get(reason, reason.replace("_", " "))


@register.filter
def get_item(mapping: dict, key: object) -> object:
    """``mapping[key]`` in a template, or None."""
    return mapping.get(key) if isinstance(mapping, dict) else None
