"""The suppression list: adding and lifting entries."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from thrive.contacts.identity import normalize_email

from ..models import Suppression, SuppressionReason

# A stronger reason replaces a weaker one: an unsubscribed address that later bounces
# is kept as a bounce, which also stops service mail.
_STRENGTH = {
    SuppressionReason.UNSUBSCRIBED: 0,
    SuppressionReason.HARD_BOUNCE: 1,
    SuppressionReason.COMPLAINT: 2,
}


def suppress(email: str, reason: str, *, detail: str = "") -> Suppression | None:
    """Put ``email`` on the list (or raise its reason); None for a blank address."""
    address = normalize_email(email)
    if not address:
        return None
    try:
        with transaction.atomic():
            entry, created = Suppression.objects.select_for_update().get_or_create(
                email=address, defaults={"reason": reason, "detail": detail[:255]}
            )
    except IntegrityError:
        entry, created = Suppression.objects.get(email=address), False
    if (
        not created
        and _STRENGTH[SuppressionReason(reason)] > _STRENGTH[SuppressionReason(entry.reason)]
    ):
        entry.reason, entry.detail = reason, detail[:255]
        entry.save(update_fields=["reason", "detail"])
    return entry


def lift_unsubscribe(email: str) -> bool:
    """Someone who opted in again is no longer unsubscribed (bounces and complaints
    stay). Returns True if an entry was removed."""
    address = normalize_email(email)
    deleted, _ = Suppression.objects.filter(
        email=address, reason=SuppressionReason.UNSUBSCRIBED
    ).delete()
    return bool(deleted)
