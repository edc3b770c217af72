"""Unsubscribing, from the visible link or the one-click List-Unsubscribe header."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from thrive.contacts import profiling
from thrive.contacts.models import ConsentMethod, ConsentPurpose
from thrive.contacts.services import withdraw_consent

from ..models import CONSENT_PURPOSES, Delivery, SuppressionReason
from .suppression import suppress


def unsubscribe(delivery: Delivery, *, profiling_too: bool = False) -> bool:
    """Honour an unsubscribe at once: withdraw the consent the message relied on and
    put the address on the suppression list, so nothing further is sent (the sender
    checks both right before each message). With ``profiling_too`` (the box on the page)
    they also decline personalisation and analytics. Returns False if it was already done."""
    person = delivery.person
    purpose = (
        delivery.purpose if delivery.purpose in CONSENT_PURPOSES else ConsentPurpose.EMAIL_MARKETING
    )
    with transaction.atomic():
        marked = Delivery.objects.filter(pk=delivery.pk, unsubscribed_at__isnull=True).update(
            unsubscribed_at=timezone.now()
        )
        withdrew = withdraw_consent(person, purpose, actor=None, method=ConsentMethod.UNSUBSCRIBE)
        address = person.email or delivery.to_email
        suppress(
            address,
            SuppressionReason.UNSUBSCRIBED,
            detail=f"Unsubscribe link, delivery {delivery.pk}",
        )
        declined = profiling_too and profiling.decline(
            person, actor=None, method=ConsentMethod.UNSUBSCRIBE,
            words="Ticked “stop personalising and analysing my data” on the unsubscribe page.",
        )  # fmt: skip
    return bool(marked or withdrew or declined)
