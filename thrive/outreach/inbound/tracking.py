"""Opens and clicks, recorded on the delivery and the person's timeline."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from thrive.contacts.models import ActivityChannel, ActivityKind, Direction
from thrive.contacts.services import record_activity

from ..models import Delivery


def record_open(delivery_id: int) -> bool:
    """The first open of a message is recorded; later ones (and image prefetches of
    the same message) are not. Returns True when this was the first."""
    with transaction.atomic():
        first = Delivery.objects.filter(
            pk=delivery_id, opened_at__isnull=True, sent_at__isnull=False
        ).update(opened_at=timezone.now())
        if first:
            delivery = Delivery.objects.select_related("person").get(pk=delivery_id)
            record_activity(
                delivery.person,
                ActivityKind.EMAIL,
                channel=ActivityChannel.EMAIL,
                direction=Direction.INBOUND,
                subject=f"Opened “{delivery.subject}”"[:255],
                data={"event": "open", "delivery": delivery_id},
                ref=f"delivery:{delivery_id}",
                automated=delivery.automated,
            )
    return bool(first)


def record_click(delivery_id: int, url: str) -> bool:
    """Every click is recorded with its link; a click also counts as an open."""
    now = timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_related("person").filter(pk=delivery_id).first()
        if delivery is None or delivery.sent_at is None:
            return False
        Delivery.objects.filter(pk=delivery_id, clicked_at__isnull=True).update(clicked_at=now)
        Delivery.objects.filter(pk=delivery_id, opened_at__isnull=True).update(opened_at=now)
        record_activity(
            delivery.person,
            ActivityKind.EMAIL,
            channel=ActivityChannel.EMAIL,
            direction=Direction.INBOUND,
            subject=f"Clicked a link in “{delivery.subject}”"[:255],
            data={"event": "click", "delivery": delivery_id, "url": url[:500]},
            ref=f"delivery:{delivery_id}",
            automated=delivery.automated,
        )
    return True
