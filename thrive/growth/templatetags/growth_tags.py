"""Goals on the dashboard, and value formatting for growth pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import mark_safe

from thrive.analytics.templatetags.thrive_format import signed_points
from thrive.core import business

from ..charts import fmt

register = template.Library()


@register.inclusion_tag("growth/_dashboard_goals.html")
def growth_goals() -> dict[str, Any]:
    """The dashboard's goals card: each open goal's progress and projected status.

    Reads only: the worker's dashboard refresh records the live goals' check-ins."""
    from ..queries import goal_standings

    return {"standings": goal_standings()[:6], "currency": business.currency()}


@register.filter
def goal_value(value: float | None, goal: Any) -> str:
    return fmt(value, goal.unit, business.currency())


@register.filter
def pct(value: float | None) -> str:
    if value is None or value != value:
        return "—"
    return f"{value:.0%}"


@register.filter
def bar(value: float | None) -> int:
    """0–100 for a progress bar."""
    if value is None or value != value:
        return 0
    return max(0, min(100, round(value * 100)))


@register.filter
def report_value(value: float | None, unit: str) -> str:
    return fmt(value, unit, business.currency())


@register.filter
def report_change(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{value * 100:+.1f} pts"
    if unit == "points":
        return signed_points(value)
    sign = "+" if value > 0 else ""
    return sign + fmt(value, unit, business.currency())


@register.filter
def css_string(value: Any) -> str:
    """``value`` as a quoted CSS string, safe inside a ``<style>`` element.

    Only letters, digits, spaces and a few plain punctuation marks pass as they are; every
    other character becomes a CSS escape ended by one space, which CSS consumes (``&`` →
    ``\\26 ``), so quotes, backslashes and ``</style>`` can neither end the string nor the
    element, and HTML entities (which a style element never decodes) are not needed."""
    plain = set(" .,-_:!?()")
    out = "".join(
        c if c.isalnum() and c.isascii() or c in plain else f"\\{ord(c):X} " for c in str(value)
    )
    return mark_safe(f'"{out}"')  # noqa: S308 - every unsafe character is escaped above
