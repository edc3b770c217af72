"""Bounces and spam complaints: from an SMTP refusal, a DSN or a provider's webhook."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from thrive.contacts.models import (
    ActivityChannel,
    ActivityKind,
    ConsentMethod,
    ConsentPurpose,
    Direction,
)
from thrive.contacts.services import record_activity, withdraw_consent

from ..models import Delivery, DeliveryStatus, SuppressionReason
from .suppression import suppress


def find_by_message_id(message_id: str) -> Delivery | None:
    """The delivery a bounce report or complaint refers to, by its Message-ID header."""
    value = message_id.strip()
    if value and not value.startswith("<"):
        value = f"<{value}>"
    return Delivery.objects.filter(message_id=value).select_related("person").first()


def record_bounce(delivery: Delivery, *, permanent: bool, detail: str = "") -> None:
    """A hard bounce suppresses the address and may stop the campaign; a soft one is
    only noted on the timeline."""
    now = timezone.now()
    with transaction.atomic():
        if permanent:
            Delivery.objects.filter(pk=delivery.pk, bounced_at__isnull=True).update(
                status=DeliveryStatus.BOUNCED, bounced_at=now, last_error=detail[:500]
            )
            suppress(
                delivery.to_email or delivery.person.email or "",
                SuppressionReason.HARD_BOUNCE,
                detail=detail,
            )
        record_activity(
            delivery.person,
            ActivityKind.EMAIL,
            channel=ActivityChannel.EMAIL,
            direction=Direction.INBOUND,
            subject=("Email bounced" if permanent else "Email delayed (soft bounce)"),
            body=detail[:2000],
            data={"event": "bounce", "delivery": delivery.pk, "permanent": permanent},
            ref=f"delivery:{delivery.pk}",
            automated=True,
        )
    _check_campaign(delivery)


def record_complaint(delivery: Delivery, *, detail: str = "") -> None:
    """The person marked the message as spam: suppress, withdraw marketing consent."""
    now = timezone.now()
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk, complained_at__isnull=True).update(
            complained_at=now
        )
        suppress(
            delivery.to_email or delivery.person.email or "",
            SuppressionReason.COMPLAINT,
            detail=detail,
        )
        withdraw_consent(
            delivery.person,
            ConsentPurpose.EMAIL_MARKETING,
            actor=None,
            method=ConsentMethod.UNSUBSCRIBE,
        )
        record_activity(
            delivery.person,
            ActivityKind.EMAIL,
            channel=ActivityChannel.EMAIL,
            direction=Direction.INBOUND,
            subject="Reported an email as spam",
            body=detail[:2000],
            data={"event": "complaint", "delivery": delivery.pk},
            ref=f"delivery:{delivery.pk}",
            automated=True,
        )
    _check_campaign(delivery)


def _check_campaign(delivery: Delivery) -> None:
    if delivery.campaign_id is None:
        return
    from ..models import Campaign
    from ..sending.dispatch import check_campaign_health

    check_campaign_health(Campaign.objects.get(pk=delivery.campaign_id))
