"""Number formatting shared by the charts and the HTML: money, counts, shares, axis ticks."""

from __future__ import annotations

import math

__all__ = [
    "compact",
    "count",
    "money",
    "money_compact",
    "money_headline",
    "nice_ticks",
    "percent",
]

# Symbols are only used where they are unambiguous enough for a reader of one report.
_PREFIX = {"USD": "$", "$": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


def count(value: float) -> str:
    """``12345`` -> ``"12,345"``."""
    return f"{value:,.0f}"


def percent(share: float, digits: int = 1) -> str:
    """``0.1234`` -> ``"12.3%"``; NaN -> ``"–"``."""
    if share is None or not math.isfinite(share):
        return "–"
    return f"{share * 100:.{digits}f}%"


def money(value: float, currency: str | None, digits: int = 2) -> str:
    """``1234.5, "USD"`` -> ``"$1,234.50"``; unknown codes go after: ``"1,234.50 CHF"``."""
    if not math.isfinite(value):
        return "–"
    sign = "-" if value < 0 else ""
    body = f"{abs(value):,.{digits}f}"
    return _with_currency(sign, body, currency)


def _with_currency(sign: str, body: str, currency: str | None) -> str:
    if currency is None:
        return f"{sign}{body}"
    prefix = _PREFIX.get(currency.upper())
    if prefix:
        return f"{sign}{prefix}{body}"
    return f"{sign}{body} {currency}"


def compact(value: float) -> str:
    """Short axis label: ``1234`` -> ``"1.2k"``, ``2500000`` -> ``"2.5M"``, ``0.25`` stays."""
    if not math.isfinite(value):
        return "–"
    a = abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= limit:
            text = f"{value / limit:.1f}".rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    if a >= 100 or value == int(value):
        return f"{value:.0f}"
    if a >= 10:
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{value:.2f}".rstrip("0").rstrip(".")


def money_headline(value: float, currency: str | None) -> str:
    """A money figure short enough for a KPI card: ``2500315.6`` -> ``"2.50M"``."""
    if math.isfinite(value) and abs(value) >= 1e6:
        sign = "-" if value < 0 else ""
        return _with_currency(sign, f"{abs(value) / 1e6:,.2f}M", currency)
    return money(value, currency, 0)


def money_compact(value: float, currency: str | None) -> str:
    """Axis label for money: ``12500, "USD"`` -> ``"$12.5k"``."""
    sign = "-" if value < 0 else ""
    return _with_currency(sign, compact(abs(value)), currency)


def nice_ticks(low: float, high: float, target: int = 5) -> list[float]:
    """About ``target`` round tick values covering ``[low, high]`` (1, 2, 2.5 or 5 × 10^k)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0, 1.0]
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(target, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks: list[float] = []
    value = start
    while value < high + step * 0.5:
        ticks.append(round(value, 12))
        value += step
        if len(ticks) > 50:  # guard against pathological float input
            break
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 12))
    return ticks
