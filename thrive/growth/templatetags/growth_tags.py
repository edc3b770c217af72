"""Goals on the dashboard, and value formatting for growth pages."""

from __future__ import annotations

from typing import Any

from django import template

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
    sign = "+" if value > 0 else ""
    return sign + fmt(value, unit, business.currency())
