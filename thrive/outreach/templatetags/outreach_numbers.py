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


@register.filter
def signed_money(value: Any) -> str:
    """7.5 → "+7.50"; "—" when there is no number (NaN or missing)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "—"
    return "—" if number != number else f"{number:+,.2f}"


@register.filter
def signed_points(value: Any) -> str:
    """A difference of two rates: 0.15 → "+15.0 points"; "—" when there is none."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "—"
    return "—" if number != number else f"{number * 100:+.1f} points"
