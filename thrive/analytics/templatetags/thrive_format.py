"""Formatting KPI values the same way everywhere."""

from __future__ import annotations

from typing import Any

from django import template

from thrive.core import business
from thrive.insights.rfm import rfm_segment_name

register = template.Library()


@register.filter
def kpi_value(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    number = float(value)
    if unit == "%":
        return f"{number:.1%}"
    if unit == "×":
        return f"{number:.1f}×"
    if unit == "points":
        return f"{number:,.0f}"
    if unit in {"months", "hours"}:
        return f"{number:,.1f} {unit}"
    if unit and len(unit) == 3 and unit.isupper():
        return f"{number:,.0f} {unit}" if abs(number) >= 100 else f"{number:,.2f} {unit}"
    return f"{number:,.0f}"


@register.filter
def kpi_change(value: Any, unit: str = "") -> str:
    """A KPI's change: points for a score on a fixed scale (NPS), else relative percent."""
    if value is None:
        return ""
    if unit == "points":
        return signed_points(value)
    return signed_percent(value)


def signed_points(value: Any) -> str:
    """``+1 point``, ``-3 points``, ``±0 points`` (whole points)."""
    points = round(float(value))
    size = abs(points)
    sign = "+" if points > 0 else "-" if points < 0 else "±"
    return f"{sign}{size} point{'' if size == 1 else 's'}"


@register.filter
def money(value: Any, currency: str = "") -> str:
    """A whole amount with its currency code (the business's unless given): ``1,234 USD``."""
    if value is None or value == "":
        return "—"
    return f"{float(value):,.0f} {currency or business.currency()}"


@register.filter
def currency_amounts(others: Any) -> str:
    """Revenue in other currencies, each in its own: ``3,308 CAD (58 orders) · 90 EUR …``."""
    return " · ".join(
        f"{kpi_value(o['revenue'], o['currency'])} ({o['orders']:,} order"
        f"{'' if o['orders'] == 1 else 's'})"
        for o in others or []
    )


@register.filter
def also_currencies(others: Any) -> str:
    """``also 3,308 CAD (58 orders)``, beside a figure in the business's currency."""
    amounts = currency_amounts(others)
    return f"also {amounts}" if amounts else ""


@register.filter
def signed_percent(value: Any) -> str:
    if value is None:
        return ""
    return f"{float(value):+.1%}"


@register.filter
def percent(value: Any) -> str:
    return "—" if value is None else f"{float(value):.0%}"


@register.filter
def days(value: Any) -> str:
    return "—" if value is None else f"{float(value):.0f} days"


@register.filter
def index(sequence: Any, i: int) -> Any:
    try:
        return sequence[i]
    except (IndexError, KeyError, TypeError):
        return None


@register.filter
def rfm_name(value: Any) -> str:
    """An RFM segment key as people read it: ``cant_lose_them`` → ``Can't lose them``."""
    return rfm_segment_name(str(value or "")) if value else ""


@register.filter
def words(value: Any) -> str:
    """A snake_case key as words: ``cant_lose_them`` → ``cant lose them``."""
    return str(value or "").replace("_", " ")
