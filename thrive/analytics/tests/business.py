"""A small, realistic business built at random from a seed, for tests of the figures.

People at every stage with stage histories, orders over fifteen months (refunds, voids,
pending, a second currency), spend on some channels, partners and vendors, associates,
touches by hand and by automation, votes and survey-like answers.
"""

from __future__ import annotations

import datetime as dt
import random

from thrive.automations.models import TriggerKind, Workflow, WorkflowStatus
from thrive.commerce.models import Order, OrderStatus
from thrive.commerce.services import LineInput, record_order, record_spend, refund_order, void_order
from thrive.contacts import services as contacts
from thrive.contacts.models import ActivityKind, Direction, RelationshipRole
from thrive.core import business
from thrive.testing.factories import ChannelFactory, PersonFactory


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=business.zone())


def build_business(seed: int, *, as_of: dt.date, actor: object, people: int = 0) -> None:
    rng = random.Random(seed)
    start = as_of - dt.timedelta(days=460)
    paid = [ChannelFactory(slug="paid-search"), ChannelFactory(slug="social-ads")]
    free = [ChannelFactory(slug="referral"), ChannelFactory(slug="word-of-mouth")]
    for channel in paid:
        month = start.replace(day=1)
        while month < as_of:
            record_spend(actor=actor, channel=channel, month=month, amount=rng.randint(50, 400))
            month = (month + dt.timedelta(days=32)).replace(day=1)
    number = 0
    for _ in range(people or rng.randint(25, 40)):
        channel = rng.choice([*paid, *free, None])
        person = PersonFactory(acquisition_channel=channel, first_seen_at=at(start, 0))
        first = start + dt.timedelta(days=rng.randint(0, 440))
        contacts.change_stage(person, "prospect", actor=actor, at=at(first))
        if rng.random() < 0.2:
            continue
        buys = sorted(
            first + dt.timedelta(days=rng.randint(0, 400)) for _ in range(rng.randint(1, 6))
        )
        for day in buys:
            if day >= as_of + dt.timedelta(days=2):
                continue
            number += 1
            order = record_order(
                person, actor=actor, number=f"T{seed}-{number}",
                lines=[LineInput(rng.randint(1, 3), f"{rng.randint(800, 6000) / 100:.2f}")],
                ordered_at=at(day, rng.randint(0, 23)),
                currency="CAD" if rng.random() < 0.1 else "USD",
            )  # fmt: skip
            roll = rng.random()
            if roll < 0.08:
                void_order(order, actor=actor)
            elif roll < 0.16:
                refund_order(order, "1.00", actor=actor)
            elif roll < 0.2:
                Order.objects.filter(pk=order.pk).update(status=OrderStatus.PENDING)
        if rng.random() < 0.3:
            contacts.change_stage(person, "lost", actor=actor)
        for _ in range(rng.randint(0, 4)):
            day = as_of - dt.timedelta(days=rng.randint(1, 200))
            kind = rng.choice([ActivityKind.EMAIL, ActivityKind.CALL, ActivityKind.MEETING,
                               ActivityKind.IDEA_VOTE])  # fmt: skip
            contacts.record_activity(
                person, kind, occurred_at=at(day), direction=Direction.OUTBOUND
                if kind != ActivityKind.IDEA_VOTE else Direction.INBOUND,
                automated=kind == ActivityKind.EMAIL and rng.random() < 0.7,
                duration_minutes=30 if kind in {ActivityKind.CALL, ActivityKind.MEETING} else None,
            )  # fmt: skip
    # Named processes: workflows written down, some switched on (rows only; the test
    # business never runs the engine).
    for i in range(rng.randint(1, 4)):
        Workflow.objects.create(
            name=f"Process {i}", trigger=TriggerKind.MANUAL,
            status=rng.choice([WorkflowStatus.ACTIVE, WorkflowStatus.DRAFT, WorkflowStatus.PAUSED]),
        )  # fmt: skip
    for role in (RelationshipRole.PARTNER, RelationshipRole.VENDOR, RelationshipRole.ASSOCIATE):
        for _ in range(rng.randint(1, 3)):
            person = PersonFactory()
            contacts.add_role(person, role, actor=actor)
            if rng.random() < 0.6:
                contacts.record_activity(
                    person, ActivityKind.MEETING, direction=Direction.OUTBOUND,
                    occurred_at=at(as_of - dt.timedelta(days=rng.randint(1, 120))),
                )  # fmt: skip
