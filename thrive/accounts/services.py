"""Changes to the business's settings and to an associate's own: each one audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from thrive.core import business
from thrive.core.roles import check_actor, require_manage

from .models import Associate, Business, SettingChange

# The fields of the settings page, in the order the audit lists them.
BUSINESS_FIELDS = (
    "name", "logo", "brand_colour", "public_url", "time_zone", "currency", "other_currencies",
    "sender_name", "sender_email", "reply_to", "quiet_hours_off", "quiet_hours_start",
    "quiet_hours_end", "max_automated_per_week", "smtp_host", "smtp_port", "smtp_security",
    "smtp_username", "send_real_email",
)  # fmt: skip


def _owner(actor: Any) -> None:
    check_actor(actor)
    if actor is not None:
        require_manage(actor)


def _shown(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if hasattr(value, "name") and not isinstance(value, str):  # a file
        return str(value.name or "")
    return str(value)


def _label(field: str) -> str:
    return str(getattr(Business._meta.get_field(field), "verbose_name", field))


@transaction.atomic
def update_business_settings(
    *,
    actor: Associate | None,
    values: dict[str, Any],
    logo: UploadedFile | None = None,
    remove_logo: bool = False,
    smtp_password: str | None = None,
) -> list[SettingChange]:
    """Save the owner's settings; record one audit entry per field that changed. Only an
    owner (or the system) may. ``values`` holds only the fields the page let her change.
    ``smtp_password`` (None keeps the saved one) is stored sealed; the audit says only
    that it changed."""
    _owner(actor)
    row = Business.objects.select_for_update().order_by("pk").first() or Business()
    before = {field: _shown(getattr(row, field)) for field in BUSINESS_FIELDS}
    for field, value in values.items():
        if field not in BUSINESS_FIELDS or field == "logo":
            raise ValueError(f"{field} is not a business setting")
        setattr(row, field, value)
    old_logo = row.logo.name if row.logo else ""
    if remove_logo:
        row.logo = None
    if logo is not None:
        row.logo.save(logo.name or "logo", logo, save=False)
    password_changed = smtp_password is not None
    if password_changed:
        row.smtp_password_sealed = business.seal_smtp_password(smtp_password or "")
    row.full_clean()
    row.save()
    if old_logo and old_logo != (row.logo.name if row.logo else ""):
        # Deleted only once the new row is committed: a rollback keeps the old file.
        storage = row.logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    changes = [
        SettingChange(
            actor=actor,
            subject="business",
            field=_label(field),
            old_value=before[field],
            new_value=_shown(getattr(row, field)),
        )  # fmt: skip
        for field in BUSINESS_FIELDS
        if before[field] != _shown(getattr(row, field))
    ]
    if password_changed:
        # Never the value, sealed or not: only that it changed.
        changes.append(
            SettingChange(
                actor=actor,
                subject="business",
                field="SMTP password",
                old_value="",
                new_value="password changed",
            )  # fmt: skip
        )
    return SettingChange.objects.bulk_create(changes)


@transaction.atomic
def update_own_profile(*, actor: Associate, time_zone: str) -> list[SettingChange]:
    """An associate changes their own zone (blank: follow the business's)."""
    if actor is None or not actor.is_authenticated:
        raise ValueError("A profile is changed by the associate it belongs to")
    me = Associate.objects.select_for_update().get(pk=actor.pk)
    old = me.time_zone
    me.time_zone = time_zone
    me.full_clean(validate_unique=False, exclude=["password"])
    if old == me.time_zone:
        return []
    me.save(update_fields=["time_zone"])
    actor.time_zone = me.time_zone
    return [
        SettingChange.objects.create(
            actor=actor,
            subject=f"associate {me.username}",
            field="time zone",
            old_value=old or "(the business's zone)",
            new_value=me.time_zone or "(the business's zone)",
        )  # fmt: skip
    ]


def dismiss_onboarding(*, actor: Associate | None) -> None:
    """Hide the dashboard's getting-started checklist for good."""
    _owner(actor)
    row = Business.objects.order_by("pk").first()
    if row is None:
        row = Business.objects.create(name="")
    Business.objects.filter(pk=row.pk).update(onboarding_dismissed_at=timezone.now())
