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
