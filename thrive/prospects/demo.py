"""What the demo business shows of this app: the partner café's portal with referrals in
every state, the ideal-client profile and lead scores computed.

Everything is dated inside the demo's history (which ends at its last order), so a demo
built "as of" a past day has nothing after that day; clients have the order that made
them clients.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from thrive.commerce.models import Order, Product
from thrive.commerce.services import LineInput, record_order
from thrive.contacts.models import (
    AcquisitionChannel,
    Activity,
    ConsentMethod,
    ConsentPurpose,
    Person,
    RelationshipRole,
    Stage,
)
from thrive.contacts.services import change_stage, grant_consent, record_referral

# (first name, last name, final stage, days before the demo's end): what the café's
# introductions became.
REFERRALS = [
    ("Priya", "Raman", Stage.CLIENT, 40),
    ("Jonas", "Weber", Stage.CLIENT, 25),
    ("Chloé", "Martin", Stage.PROSPECT, 12),
    ("Sam", "Okafor", Stage.PROSPECT, 3),
    ("Lena", "Fischer", Stage.LOST, 60),
]


def demo_partner() -> Person | None:
    """The partner café's contact: the first referral partner with a company."""
    return (
        Person.objects.filter(roles__role=RelationshipRole.REFERRAL_PARTNER)
        .exclude(organization__isnull=True)
        .order_by("pk")
        .first()
    )


def _demo_end() -> dt.datetime:
    """The end of the demo's history: its last order (else its last activity)."""
    return (
        Order.objects.aggregate(last=Max("ordered_at"))["last"]
        or Activity.objects.aggregate(last=Max("occurred_at"))["last"]
        or timezone.now()
    )


def _introduce(partner: Person, first: str, last: str, at: dt.datetime, number: int) -> Person:
    """The referred person as the portal would have created them, dated ``at``."""
    from .models import PortalReferral
    from .portal import REFERRAL_CHANNEL, consent_text

    slug = "".join(ch for ch in (partner.last_name or "partner").lower() if ch.isalpha())
    address = f"{first.lower().replace('é', 'e')}.{last.lower()}@{slug}-friends.example"
    person = Person(
        first_name=first, last_name=last, email=address, stage=Stage.PROSPECT,
        stage_changed_at=at, first_seen_at=at,
        acquisition_channel=AcquisitionChannel.objects.filter(slug=REFERRAL_CHANNEL).first(),
        acquisition_source=f"Referred by {partner}"[:200],
    )  # fmt: skip
    person.save()
    evidence = grant_consent(
        person, ConsentPurpose.EMAIL_MARKETING, actor=None, method=ConsentMethod.WEB_FORM,
        source_text=consent_text(f"{first} {last}", partner), at=at,
        ip_address=f"198.51.100.{number}",  # a documentation network: the café's wifi
        source_url=reverse("partner_portal"),
    )  # fmt: skip
    referral = record_referral(
        partner, person, actor=None, at=at, note="Met at the café's cupping evening."
    )
    PortalReferral.objects.create(referral=referral, partner=partner, consent=evidence)
    return person


SENSITIVE_KEY = "decaf_health_reason"
SENSITIVE_CHOICES = ["Pregnancy", "Heart condition", "Other health reason"]


def _sensitive_field() -> None:
    """A health field the roaster's staff fill in for decaf buyers: sensitive because its
    name says health, so the profile, lead scores and portal never use it, and the
    fairness page compares the lead model's chances by it. Every tenth person has each
    reason (by id, so the demo is the same every time)."""
    from thrive.contacts.models import CustomFieldDefinition

    definition, created = CustomFieldDefinition.objects.get_or_create(
        entity="person", key=SENSITIVE_KEY,
        defaults={"label": "Health reason for decaf", "field_type": "choice",
                  "choices": SENSITIVE_CHOICES,
                  "help_text": "Only if they told us; never used to score anyone."},
    )  # fmt: skip
    if not created:
        return
    people = []
    for person in Person.objects.exclude(roles__role=RelationshipRole.ASSOCIATE).only(
        "pk", "custom_fields"
    ):
        slot = person.pk % 10
        if slot < len(SENSITIVE_CHOICES):
            person.custom_fields = {**person.custom_fields, SENSITIVE_KEY: SENSITIVE_CHOICES[slot]}
            people.append(person)
    Person.objects.bulk_update(people, ["custom_fields"], batch_size=500)


def seed_demo(owner_username: str) -> None:
    """Seed the demo's records for this app (idempotent)."""
    from .models import PortalLink, PortalReferral
    from .portal import issue_portal_link
    from .refresh import run_refresh

    partner = demo_partner()
    if partner is not None and not PortalReferral.objects.filter(partner=partner).exists():
        end = _demo_end()
        product = Product.objects.filter(active=True, is_subscription=False).order_by("pk").first()
        with transaction.atomic():
            issue_portal_link(partner, actor=None)
            PortalLink.objects.filter(partner=partner).update(used_at=timezone.now())
            for number, (first, last, stage, days) in enumerate(REFERRALS, start=1):
                at = end - dt.timedelta(days=days)
                person = _introduce(partner, first, last, at, number)
                later = at + dt.timedelta(days=days // 2)
                if stage == Stage.CLIENT and product is not None:
                    # Their first order is what made them clients.
                    record_order(
                        person, actor=None, number=f"REF-{number:03d}", ordered_at=later,
                        currency=product.currency, source="demo",
                        lines=[LineInput(quantity=1, unit_price=product.price, sku=product.sku,
                                         description=product.name)],
                    )  # fmt: skip
                elif stage == Stage.LOST:
                    change_stage(person, stage, actor=None, at=later)
            # The café was thanked for the clients already; new ones get an email.
            PortalReferral.objects.filter(
                partner=partner, referral__referred__stage=Stage.CLIENT
            ).update(thanked_at=timezone.now())
    _sensitive_field()
    run_refresh()
