"""The referral-partner portal: single-use, expiring magic links bound to one partner,
referrals made with the referred person's consent, and thanks when one becomes a client.

A link is signed (``thrive.core.tokens``) and carries a random nonce whose hash is kept
with the partner it was made for; opening it once binds the portal session to that
partner and uses the link up, so a forwarded or leaked link opens nothing for anyone
else. Partners who lost their session ask for a new link by email.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from thrive.accounts.queries import business_name
from thrive.analytics.aggregates import revenue_orders
from thrive.analytics.currencies import other_currency_orders
from thrive.contacts.identity import normalize_email
from thrive.contacts.models import (
    AcquisitionChannel,
    ConsentMethod,
    ConsentPurpose,
    Person,
    Referral,
    RelationshipRole,
    Stage,
)
from thrive.contacts.services import (
    create_person,
    find_person_by_email,
    grant_consent,
    record_referral,
)
from thrive.core import business
from thrive.core.ratelimit import Limit, check_all
from thrive.core.roles import check_actor
from thrive.core.tokens import TokenError, make_token, read_token
from thrive.core.transactional_email import build_message, send_after_commit
from thrive.outreach.conf import public_url

from .models import PortalLink, PortalReferral

PORTAL = "prospects.portal"
LINK_MAX_AGE = dt.timedelta(days=14)
PARTNER_ROLES = (RelationshipRole.REFERRAL_PARTNER, RelationshipRole.PARTNER)
WON = (Stage.CLIENT, Stage.ADVOCATE)
LINKS_PER_IP = Limit(10, dt.timedelta(hours=1), "partner_link_per_ip")
LINKS_PER_EMAIL = Limit(3, dt.timedelta(hours=1), "partner_link_per_email")
REFERRALS_PER_PARTNER = Limit(20, dt.timedelta(hours=1), "referral_per_partner")
REFERRALS_PER_IP = Limit(40, dt.timedelta(hours=1), "referral_per_ip")
REFERRAL_CHANNEL = "referral"


def consent_text(name: str, partner: Person) -> str:
    business = business_name()
    return (f"{partner} confirmed that {name} agreed to be contacted by {business} by email "
            "about this introduction.")  # fmt: skip


def partners() -> QuerySet[Person]:
    """Referral partners, partners and advocates: everyone who can have a portal."""
    return Person.objects.filter(
        Q(roles__role__in=PARTNER_ROLES) | Q(stage=Stage.ADVOCATE)
    ).distinct()


def is_partner(person: Person) -> bool:
    return partners().filter(pk=person.pk).exists()


def _hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def issue_portal_link(partner: Person, *, actor: Any, ip_address: str | None = None) -> str:
    """A fresh single-use portal link for ``partner`` (valid for 14 days)."""
    check_actor(actor)
    if not is_partner(partner):
        raise ValidationError({"partner": f"{partner} is not a partner or advocate."})
    nonce = secrets.token_urlsafe(24)
    now = timezone.now()
    PortalLink.objects.create(
        partner=partner, nonce_hash=_hash(nonce), created_at=now, expires_at=now + LINK_MAX_AGE,
        created_by=actor, ip_address=ip_address,
    )  # fmt: skip
    token = make_token(PORTAL, {"n": nonce, "p": partner.pk})
    return public_url() + reverse("partner_open", args=[token])


def _email_link(partner: Person, url: str) -> None:
    if not partner.email:
        return
    business = business_name()
    text = (
        f"Hello {partner.first_name or partner},\n\nThank you for sending people our way. "
        f"Your referral page at {business}:\n{url}\n\nThe link works once, for 14 days; "
        "ask for a new one on the page whenever you need it.\n"
    )
    send_after_commit(
        build_message(to=partner.email, subject=f"Your referral page at {business}", text=text),
        what="partner portal link",
    )


def send_portal_link(partner: Person, *, actor: Any) -> str:
    """Email ``partner`` a fresh link (after commit); returns the link."""
    if not partner.email:
        raise ValidationError({"email": f"{partner} has no email address."})
    with transaction.atomic():
        url = issue_portal_link(partner, actor=actor)
        _email_link(partner, url)
    return url


def request_portal_link(*, email: str, ip_address: str | None) -> None:
    """A partner asks for a new link: emailed if the address is a partner's. The same
    answer either way, so the form reveals nobody. Raises RateLimited when overused."""
    address = normalize_email(email)
    if not address:
        raise ValidationError({"email": "Enter your email address."})
    check_all([(f"ip:{ip_address}:partnerlink", LINKS_PER_IP),
               (f"email:{address}:partnerlink", LINKS_PER_EMAIL)])  # fmt: skip
    person = find_person_by_email(address)
    if person is not None and is_partner(person):
        send_portal_link(person, actor=None)


def read_portal_link(token: str) -> dict[str, Any]:
    return read_token(PORTAL, token, max_age_seconds=int(LINK_MAX_AGE.total_seconds()))


def redeem_portal_link(token: str) -> Person:
    """Use a link once and return its partner. Raises TokenError for a forged, expired or
    already used link (whoever opened it first has the session)."""
    payload = read_portal_link(token)
    nonce, partner_id = str(payload.get("n", "")), payload.get("p")
    if not nonce or not isinstance(partner_id, int):
        raise TokenError("This link is not valid.")
    now = timezone.now()
    with transaction.atomic():
        used = PortalLink.objects.filter(
            nonce_hash=_hash(nonce), partner_id=partner_id, used_at__isnull=True,
            expires_at__gt=now,
        ).update(used_at=now)  # fmt: skip
        if not used:
            raise TokenError("This link was already used or has expired. Ask for a new one.")
        partner = Person.objects.filter(pk=partner_id).first()
    if partner is None or not is_partner(partner):
        raise TokenError("This link is no longer valid.")
    return partner


def refer_person(
    partner: Person,
    *,
    first_name: str,
    last_name: str = "",
    email: str,
    phone: str = "",
    note: str = "",
    consent: bool,
    ip_address: str | None = None,
) -> Referral:
    """The partner introduces someone: they become a prospect, attributed to the partner,
    with the consent the partner vouched for as evidence. Raises ValidationError naming
    the field (no consent, a bad or already known address) and RateLimited."""
    if not consent:
        raise ValidationError({"consent": "Please confirm they agreed to hear from us."})
    if not first_name.strip():
        raise ValidationError({"first_name": "Enter their first name."})
    if find_person_by_email(email) is not None:
        raise ValidationError({"email": "We already know this person, so we cannot credit "
                                        "this introduction. Thank you all the same."})  # fmt: skip
    check_all([(f"person:{partner.pk}:refer", REFERRALS_PER_PARTNER),
               (f"ip:{ip_address}:refer", REFERRALS_PER_IP)])  # fmt: skip
    channel = AcquisitionChannel.objects.filter(slug=REFERRAL_CHANNEL).first()
    name = f"{first_name} {last_name}".strip()
    with transaction.atomic():
        person = create_person(
            actor=None, stage=Stage.PROSPECT, first_name=first_name.strip(),
            last_name=last_name.strip(), email=email, phone=phone,
            acquisition_channel=channel, acquisition_source=f"Referred by {partner}"[:200],
        )  # fmt: skip
        evidence = grant_consent(
            person, ConsentPurpose.EMAIL_MARKETING, actor=None, method=ConsentMethod.WEB_FORM,
            source_text=consent_text(name, partner), ip_address=ip_address,
            source_url=reverse("partner_portal"),
        )  # fmt: skip
        referral = record_referral(partner, person, actor=None, note=note[:255])
        PortalReferral.objects.create(referral=referral, partner=partner, consent=evidence)
    return referral


def referrals_of(partner: Person) -> list[dict[str, Any]]:
    """Everyone ``partner`` referred, newest first, with their status in plain words."""
    rows = []
    for referral in (
        Referral.objects.filter(referrer=partner)
        .select_related("referred", "portal")
        .order_by("-referred_at", "-id")[:200]
    ):
        person = referral.referred
        won = person.stage in WON
        rows.append({
            "name": person.full_name or "Someone you introduced",
            "referred_at": referral.referred_at,
            "status": "Became a client" if won else dict[str, str]({
                Stage.SUSPECT: "Introduced", Stage.PROSPECT: "In touch with us",
                Stage.LOST: "Did not go ahead",
            }).get(person.stage, "Introduced"),
            "won": won,
            "via_portal": hasattr(referral, "portal"),
        })  # fmt: skip
    return rows


def thank_partners() -> int:
    """Thank each partner, once, by email for every portal referral that became a client.
    Each row is claimed with a conditional update, so two workers never both send."""
    thanked = 0
    pending = PortalReferral.objects.filter(
        thanked_at__isnull=True, referral__referred__stage__in=WON
    ).select_related("partner", "referral__referred")
    business = business_name()
    for row in pending[:500]:
        with transaction.atomic():
            if not PortalReferral.objects.filter(pk=row.pk, thanked_at__isnull=True).update(
                thanked_at=timezone.now()
            ):
                continue
            thanked += 1
            if row.partner.email:
                who = row.referral.referred.first_name or "Someone you introduced"
                text = (
                    f"Hello {row.partner.first_name or row.partner},\n\n{who} just became a "
                    f"client of {business}. Thank you for the introduction!\n"
                )
                send_after_commit(
                    build_message(
                        to=row.partner.email, subject=f"Thank you from {business}", text=text
                    ),
                    what="referral thank-you",
                )
    return thanked


def partner_stats(limit: int = 12) -> list[dict[str, Any]]:
    """Referral conversion and revenue per referrer (partners and advocates), the most
    converting first: the ecosystem map's partner table."""
    counts = {
        r["referrer_id"]: r
        for r in Referral.objects.values("referrer_id").annotate(
            n_referred=Count("id"), n_won=Count("id", filter=Q(referred__stage__in=WON))
        )
    }
    net = ExpressionWrapper(
        F("total") - F("refunded"), output_field=DecimalField(max_digits=16, decimal_places=2)
    )
    # Revenue per referrer in the business's currency, and per other currency, from one
    # pass over the referred people's orders (two passes cost 70-100 ms each at 1,000,000
    # people, bench/WORKSPACE.md): what revenue_orders() and other_currency_orders() count.
    home = business.currency()
    revenue: dict[int, Decimal] = {}
    others: dict[int, list[dict[str, Any]]] = {}
    for row in (
        (revenue_orders() | other_currency_orders())
        .filter(person__referral_received__isnull=False)
        .order_by()
        .values("person__referral_received__referrer_id", "currency")
        .annotate(rev=Sum(net), n=Count("id"))
        .order_by("currency")
    ):
        referrer = row["person__referral_received__referrer_id"]
        if row["currency"] == home:
            revenue[referrer] = row["rev"]
        else:
            others.setdefault(referrer, []).append(
                {"currency": row["currency"], "revenue": float(row["rev"] or 0), "orders": row["n"]}
            )
    # Ranked on the figures alone, then only the people shown are loaded: at 1,000,000
    # people there are tens of thousands of referrers and the map shows twelve.
    ranked = sorted(counts, key=lambda pid: (-counts[pid]["n_won"], -(revenue.get(pid) or 0), pid))
    rows: list[dict[str, Any]] = []
    if limit <= 0:
        return rows
    step = limit
    for start in range(0, len(ranked), step):
        wanted = ranked[start : start + step]
        people = Person.objects.in_bulk(wanted)
        for pid in wanted:
            if pid not in people:  # deleted since the counts were read
                continue
            c = counts[pid]
            rows.append({
                "person": people[pid], "referred": c["n_referred"], "won": c["n_won"],
                "conversion": c["n_won"] / c["n_referred"] if c["n_referred"] else None,
                "revenue": revenue.get(pid) or Decimal("0"), "others": others.get(pid, []),
            })  # fmt: skip
            if len(rows) == limit:
                return rows
    return rows
