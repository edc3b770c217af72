"""Segment rules on email engagement: opened, clicked or unsubscribed within N days.

Registered with the segment registry at start-up (``OutreachConfig.ready``). Each rule is
one ``EXISTS`` (or ``NOT EXISTS``) over the person's deliveries, found through the
(person, status, sent_at) index: a person has few deliveries, so the moment columns are
read on those rows only.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from thrive.segments.registry import Field, Operator, ValueKind, register_field
from thrive.segments.sql import Clock

from .models import Delivery

# Operator -> (the delivery's moment column, whether it happened).
_OPS: dict[str, tuple[str, bool]] = {
    "opened_within": ("opened_at", True),
    "not_opened_within": ("opened_at", False),
    "clicked_within": ("clicked_at", True),
    "not_clicked_within": ("clicked_at", False),
    "unsubscribed_within": ("unsubscribed_at", True),
}
ENGAGEMENT_OPS = (
    Operator("opened_within", "opened (any) in the last", ValueKind.DAYS),
    Operator("not_opened_within", "opened (none) in the last", ValueKind.DAYS),
    Operator("clicked_within", "clicked (any) in the last", ValueKind.DAYS),
    Operator("not_clicked_within", "clicked (none) in the last", ValueKind.DAYS),
    Operator("unsubscribed_within", "unsubscribed from in the last", ValueKind.DAYS),
)


def _engagement_q(op: str, days: int, clock: Clock) -> Q:
    column, happened = _OPS[op]
    moments = Delivery.objects.filter(
        person=OuterRef("pk"), **{f"{column}__gte": clock.days_ago(days)}
    )
    condition = Q(Exists(moments))
    return condition if happened else ~condition


def register() -> None:
    register_field(
        Field("email_engagement", "Emails", "Email engagement", ENGAGEMENT_OPS),
        lambda op, value, clock: _engagement_q(op, value, clock),
    )
