"""The demo's cross-sell: a segment "Bought beans, never a grinder", a campaign to it with
a holdout, sent in the demo's past like the A/B campaign (``proof.send_in_the_past``), and
the basket rules the worker would have found, so every customer page shows its likely next
products.

Some readers who opened it bought a hand grinder within days (a seeded draw, recorded as
the shop records orders, before the demo's "now"): the campaign's results page judges it
on money against its holdout. The segment is judged on the orders known when it was sent:
its rules are evaluated as of the send time.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction

from thrive.accounts.models import Associate
from thrive.analytics.basket_rules import refresh_basket_rules
from thrive.commerce.models import Order, Product
from thrive.commerce.services import LineInput, record_order
from thrive.outreach.email_templates.saving import save_template
from thrive.outreach.models import (
    Campaign,
    CampaignStatus,
    Delivery,
    DeliveryStatus,
    EmailTemplate,
    MessagePurpose,
)
from thrive.outreach.sending.dispatch import create_campaign
from thrive.segments.models import Segment
from thrive.segments.services import create_segment

from .journey import TemplateText
from .proof import _at, send_in_the_past

SEGMENT = "Bought beans, never a grinder"
CAMPAIGN = "Fresh beans deserve a burr grinder"
DAYS_AGO = 45
HOLDOUT = 20
BEANS = ["Single origin", "Blend", "Espresso", "Decaf"]
GRINDERS = ["KC-GR-HND", "KC-GR-ELC"]
GRINDER = "KC-GR-HND"
# Of the readers who opened it, this share bought the hand grinder in the next days.
BUY_SHARE = 0.2
TEMPLATE = TemplateText(
    name="Burr grinder for bean buyers",
    subject="Grind it fresh: our hand burr grinder",
    paragraphs=(
        "Whole beans keep their aroma until the moment you grind them. A burr grinder "
        "gives you an even grind for pour-over, French press or espresso.",
        "Our hand burr grinder is back in stock, online and at the café.",
    ),
    signature="Maya and everyone at Kettle & Crow",
)


def _segment(owner: Associate) -> Segment:
    segment = Segment.objects.filter(name=SEGMENT).first()
    if segment is None:
        segment = create_segment(
            actor=owner, name=SEGMENT,
            description="Customers who buy whole beans and have never bought a grinder.",
            rules={"match": "all", "rules": [
                {"field": "category_bought", "op": "bought_ever", "value": BEANS},
                {"field": "product_bought", "op": "not_bought_ever", "value": GRINDERS},
            ]},
        )  # fmt: skip
    return segment


def _buy_after_opens(campaign: Campaign, owner: Associate, clock: dt.datetime) -> int:
    grinder = Product.objects.filter(sku=GRINDER).first()
    if grinder is None:
        return 0
    rng = random.Random(20)  # noqa: S311 - demo data, not security
    opened = (
        Delivery.objects.filter(
            campaign=campaign, status=DeliveryStatus.SENT, opened_at__isnull=False
        )
        .select_related("person")
        .order_by("pk")
    )
    bought = 0
    for delivery in opened:
        if rng.random() >= BUY_SHARE or delivery.opened_at is None:
            continue
        when = delivery.opened_at + dt.timedelta(hours=rng.randint(1, 24 * 10))
        if when >= clock:
            continue
        number = f"CS-{delivery.pk}"
        if Order.objects.filter(number=number).exists():
            continue
        record_order(
            delivery.person, actor=owner, number=number, ordered_at=when, source="demo",
            lines=[LineInput(1, grinder.price, sku=grinder.sku, description=grinder.name)],
        )  # fmt: skip
        bought += 1
    return bought


def seed_cross_sell(owner: Associate, clock: dt.datetime, zone: Any) -> Campaign | None:
    """The segment, the sent campaign and its grinder orders (idempotent), then the basket
    rules as the worker computes them after a refresh."""
    campaign = Campaign.objects.filter(name=CAMPAIGN).first()
    if campaign is None:
        with transaction.atomic():
            template = EmailTemplate.objects.filter(name__iexact=TEMPLATE.name).first()
            if template is None:
                template = save_template(
                    None, actor=owner, name=TEMPLATE.name, subject=TEMPLATE.subject,
                    html_body=TEMPLATE.html(), text_body=TEMPLATE.text(),
                )  # fmt: skip
            campaign = create_campaign(
                actor=owner, name=CAMPAIGN, segment=_segment(owner), template=template,
                purpose=MessagePurpose.EMAIL_MARKETING, holdout_percent=HOLDOUT,
            )  # fmt: skip
            start = _at(clock - dt.timedelta(days=DAYS_AGO), 10, zone)
            Campaign.objects.filter(pk=campaign.pk).update(
                created_at=start - dt.timedelta(days=1), status=CampaignStatus.SENDING,
                scheduled_at=start, started_at=start, updated_at=start,
            )  # fmt: skip
            send_in_the_past(campaign, start, clock)
            _buy_after_opens(campaign, owner, clock)
        campaign.refresh_from_db()
    refresh_basket_rules(now=clock)
    return campaign
