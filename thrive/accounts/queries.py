"""Reads about the business and its associates used across apps."""

from __future__ import annotations

from typing import Any

from thrive.core import business

from .models import Associate, Business, SettingChange
from .team import has_joined

# The Business fields thrive.core.business reads (its keys), as the row keeps them.
STORED_FIELDS = (
    "name", "time_zone", "currency", "public_url", "sender_name", "sender_email",
    "reply_to", "max_automated_per_week", "smtp_host", "smtp_port", "smtp_security",
    "smtp_username", "smtp_password_sealed", "send_real_email",
)  # fmt: skip


def the_business() -> Business | None:
    """The one business row (None before the owner or the demo has saved one)."""
    return Business.objects.order_by("pk").first()


def stored_settings() -> dict[str, Any] | None:
    """What the owner keeps on the settings page, for thrive.core.business (registered
    in AccountsConfig.ready); one query, cached there."""
    row = the_business()
    if row is None:
        return None
    values: dict[str, Any] = {name: getattr(row, name) for name in STORED_FIELDS}
    values["quiet_hours"] = row.quiet_hours
    values["logo"] = row.logo.name if row.logo else ""
    values["brand_colour"] = row.brand_colour
    return values


def business_name() -> str:
    """The business's name: THRIVE_BUSINESS_NAME when the server sets it, else as the
    owner keeps it on the settings page, else "Thrive"."""
    return business.name()


def recent_setting_changes(limit: int = 20) -> list[SettingChange]:
    return list(SettingChange.objects.select_related("actor")[:limit])


def team() -> list[dict[str, Any]]:
    """Every associate with where they stand: active, invited (not joined yet) or
    deactivated. Owners first, then by name."""
    order = {"owner": 0, "member": 1, "read_only": 2}
    rows = []
    for person in Associate.objects.all():
        if not person.is_active:
            status = "Deactivated"
        elif not has_joined(person):
            status = "Invited"
        else:
            status = "Active"
        rows.append({"associate": person, "status": status})
    def rank(row: dict[str, Any]) -> tuple[int, str]:
        associate = row["associate"]
        return order.get(getattr(associate, "role", ""), 9), str(associate).lower()

    rows.sort(key=rank)
    return rows


def team_changes(limit: int = 20) -> list[SettingChange]:
    """The recent changes to associates: invitations, roles, (de)activations."""
    return list(
        SettingChange.objects.filter(subject__startswith="associate ")
        .exclude(field="time zone")
        .select_related("actor")[:limit]
    )
