from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def percent(rate: Any) -> str:
    """0.123 → "12%"; blank when there is nothing to divide by (None or missing)."""
    try:
        value = float(rate)
    except (TypeError, ValueError):
        return ""
    return f"{value:.0%}" if value >= 0.01 or value == 0 else f"{value:.1%}"
