"""``{% referral_partners %}``: referral conversion and revenue per partner, for the
ecosystem map (the analytics page includes it without knowing how it is computed)."""

from __future__ import annotations

from typing import Any

from django import template

from ..portal import partner_stats

register = template.Library()


@register.inclusion_tag("prospects/_partner_table.html")
def referral_partners(limit: int = 8) -> dict[str, Any]:
    return {"rows": partner_stats(limit=limit)}


@register.filter
def chance(probability: float | None) -> str:
    """A probability as a whole percent that never claims certainty: "< 1%" and "> 99%"
    at the ends, as a model learned from a few hundred leads cannot know more."""
    if probability is None:
        return "—"
    if probability < 0.005:
        return "< 1%"
    if probability > 0.99:
        return "> 99%"
    return f"{probability * 100:.0f}%"
