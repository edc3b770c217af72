"""A small hand-built business for page-level tests: every acquisition channel (keys with
underscores, names in words), 40 clients with repeat orders in the business's currency,
monthly spend on the paid channels, and a few orders in a second currency."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.utils import timezone

from thrive.commerce.services import LineInput, record_order, record_spend
from thrive.contacts.models import AcquisitionChannel, Person

from .factories import PersonFactory

# (key, name, paid): the demo's channels, so the keys look like real ones.
CHANNELS = [
    ("organic_search", "Organic search", False),
    ("paid_search", "Paid search", True),
    ("social_ads", "Social ads", True),
    ("newsletter", "Newsletter & email", False),
    ("referral", "Referral", False),
    ("partner", "Partner café", False),
    ("events", "Events & markets", True),
    ("direct", "Direct", False),
]


@dataclass
class Business:
    channels: dict[str, AcquisitionChannel]
    clients: list[Person]
    # Net revenue of orders in the second currency in the last 90 days, and their count.
    other_revenue: Decimal = Decimal(0)
    other_orders: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def build_business(actor: Any, *, clients: int = 40, other_currency: str = "CAD") -> Business:
    now = timezone.now()
    channels = {
        slug: AcquisitionChannel.objects.create(slug=slug, name=name, is_paid=paid)
        for slug, name, paid in CHANNELS
    }
    keys = list(channels)
    people: list[Person] = []
    number = 0
    for i in range(clients):
        person = cast(Person, PersonFactory(acquisition_channel=channels[keys[i % len(keys)]]))
        people.append(person)
        first = 330 - i * 7  # first orders spread over the year
        for k in range(2 + i % 3):
            number += 1
            record_order(
                person, actor=actor, number=f"T{number:05d}",
                lines=[LineInput(quantity=1 + k % 2, unit_price=Decimal(20 + i % 9))],
                ordered_at=now - dt.timedelta(days=max(first - k * 45, 2)),
            )  # fmt: skip
    month = now.date().replace(day=1)
    for _ in range(12):
        for slug, _name, paid in CHANNELS:
            if paid:
                record_spend(actor=actor, channel=channels[slug], month=month, amount="150")
        month = (month - dt.timedelta(days=1)).replace(day=1)
    business = Business(channels=channels, clients=people)
    for j in range(3):
        number += 1
        total = Decimal(100 + 10 * j)
        record_order(
            people[j], actor=actor, number=f"C{number:05d}", currency=other_currency,
            lines=[LineInput(quantity=1, unit_price=total)],
            ordered_at=now - dt.timedelta(days=5 + j),
        )  # fmt: skip
        business.other_revenue += total
        business.other_orders += 1
    return business
