"""What the demo business shows of this app: the partner café's portal with referrals in
every state, the ideal-client profile and lead scores computed."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from thrive.contacts.models import Person, RelationshipRole, Stage
from thrive.contacts.services import change_stage

# (first name, last name, final stage, days ago): what the café's introductions became.
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


def seed_demo(owner_username: str) -> None:
    """Seed the demo's records for this app (idempotent)."""
    from .models import PortalLink, PortalReferral
    from .portal import issue_portal_link, refer_person
    from .refresh import run_refresh

    partner = demo_partner()
    if partner is not None and not PortalReferral.objects.filter(partner=partner).exists():
        now = timezone.now()
        with transaction.atomic():
            issue_portal_link(partner, actor=None)
            PortalLink.objects.filter(partner=partner).update(used_at=now)
            slug = "".join(ch for ch in (partner.last_name or "partner").lower() if ch.isalpha())
            for first, last, stage, days in REFERRALS:
                at = now - dt.timedelta(days=days)
                address = f"{first.lower().replace('é', 'e')}.{last.lower()}@{slug}-friends.example"
                referral = refer_person(
                    partner, first_name=first, last_name=last, consent=True, email=address,
                    note="Met at the café's cupping evening.",
                )  # fmt: skip
                referral.referred_at = at
                referral.save(update_fields=["referred_at"])
                Person.objects.filter(pk=referral.referred_id).update(first_seen_at=at)
                if stage != Stage.PROSPECT:
                    change_stage(referral.referred, stage, actor=None,
                                 at=at + dt.timedelta(days=days // 2))  # fmt: skip
            # The café was thanked for the clients already; new ones get an email.
            PortalReferral.objects.filter(
                partner=partner, referral__referred__stage=Stage.CLIENT
            ).update(thanked_at=now)
    run_refresh()
