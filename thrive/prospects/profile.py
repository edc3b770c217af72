"""The ideal-client profile: what the top tenth of clients by predicted value have in
common, each attribute value with its lift in plain words (see thrive.insights.lifts)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from django.utils import timezone

from thrive.insights import lift_sentence, profile_lifts, top_share_mask

from .clients import ClientTable, client_table, sensitive_attributes
from .models import IdealProfile

TOP_SHARE = 0.10
MIN_MEMBERS = 5
# Below this many scored clients a "top tenth" is a handful of people: say so instead.
MIN_CLIENTS = 30


def compute_profile(table: ClientTable, *, min_members: int = MIN_MEMBERS) -> dict[str, Any]:
    """The profile's payload: base rate, every lift (with its sentence), the clear ones."""
    if table.size < MIN_CLIENTS:
        return {
            "clients": table.size, "top": 0, "lifts": [], "highlights": [],
            "reason": f"The profile needs at least {MIN_CLIENTS} clients with predicted "
                      f"value; there are {table.size}.",
        }  # fmt: skip
    top = top_share_mask(table.clv, TOP_SHARE)
    lifts = profile_lifts(top, table.attributes, min_members=min_members)
    rows: list[dict[str, Any]] = [
        {
            "attribute": item.attribute, "value": item.value, "members": item.members,
            "top_members": item.top_members, "rate": item.rate, "lift": item.lift,
            "low": item.low, "high": item.high, "share_of_top": item.share_of_top,
            "clear": item.clear, "sentence": lift_sentence(item),
        }
        for item in lifts
    ]  # fmt: skip
    threshold = float(np.min(table.clv[top])) if top.any() else None
    return {
        "clients": table.size,
        "top": int(top.sum()),
        "base_rate": float(top.mean()),
        "threshold": threshold,
        "as_of": table.as_of.isoformat(),
        "lifts": rows,
        "highlights": [r for r in rows if r["clear"] and r["lift"] > 1][:6],
        "reason": "",
    }


def refresh_profile(*, as_of: dt.date | None = None) -> IdealProfile:
    """Recompute and store the profile; older ones are dropped (a short history stays)."""
    payload = compute_profile(client_table(as_of=as_of))
    profile = IdealProfile.objects.create(
        computed_at=timezone.now(),
        clients=payload["clients"],
        top_clients=payload["top"],
        payload=payload,
    )
    stale = IdealProfile.objects.order_by("-computed_at", "-id").values_list("pk", flat=True)[5:]
    IdealProfile.objects.filter(pk__in=list(stale)).delete()
    return profile


def latest_profile() -> IdealProfile | None:
    return IdealProfile.objects.order_by("-computed_at", "-id").first()


def shown_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The stored profile without any attribute that is sensitive now (marked after the
    profile was computed): what the Reach page and the partner portal show."""
    hidden = sensitive_attributes()
    if not hidden:
        return payload
    return {
        **payload,
        "lifts": [r for r in payload.get("lifts") or [] if r.get("attribute") not in hidden],
        "highlights": [
            r for r in payload.get("highlights") or [] if r.get("attribute") not in hidden
        ],
    }
