"""Double opt-in: a sign-up asks for a confirmation; consent exists only once confirmed."""

from __future__ import annotations

import html
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from thrive.accounts.queries import business_name
from thrive.contacts.identity import normalize_email
from thrive.contacts.models import Consent, ConsentMethod, ConsentPurpose, Person
from thrive.contacts.services import create_person, find_person_by_email, grant_consent
from thrive.core.brand import email_layout
from thrive.core.tokens import TokenError

from ..email_templates.sandbox import Rendered
from ..models import TRANSACTIONAL, Delivery
from ..sending import links
from .suppression import lift_unsubscribe

SIGNUP_TEXT = "Send me news and offers by email. I can unsubscribe at any time."


def request_signup(
    *,
    email: str,
    first_name: str = "",
    purpose: str = ConsentPurpose.EMAIL_MARKETING,
    source_text: str = SIGNUP_TEXT,
    source_url: str = "",
    ip_address: str | None = None,
) -> Delivery | None:
    """Record the sign-up and send the confirmation email (a service message).

    No consent is recorded yet. Returns None when the person already consents. At most
    one confirmation per address, purpose and hour, so the form cannot be used to flood
    someone's inbox.
    """
    address = normalize_email(email)
    if not address:
        raise ValidationError({"email": "Enter your email address."})
    person = find_person_by_email(address)
    if person is None:
        person = create_person(
            actor=None,
            email=address,
            first_name=first_name.strip()[:100],
            acquisition_source="Sign-up form",
        )
    if Consent.objects.filter(person=person, purpose=purpose, withdrawn_at__isnull=True).exists():
        return None
    payload: dict[str, Any] = {
        "p": person.pk,
        "e": address,
        "pu": purpose,
        "t": source_text,
        "u": source_url[:500],
        "ip": ip_address,
    }
    url = links.opt_in_url(payload)
    business = business_name()
    name = person.first_name or "there"
    text = (
        f"Hi {name},\n\nPlease confirm that you want email from {business}:\n{url}\n\n"
        "If you did not ask for this, ignore this email and nothing will happen.\n"
    )
    body = (
        f"<p>Hi {html.escape(name)},</p><p>Please confirm that you want email from "
        f'{html.escape(business)}:</p><p><a href="{html.escape(url)}">Yes, subscribe me</a></p>'
        "<p>If you did not ask for this, ignore this email and nothing will happen.</p>"
    )
    from ..services import queue_delivery

    hour = timezone.now().strftime("%Y%m%d%H")
    return queue_delivery(
        person,
        template=None,
        idempotency_key=f"optin:{person.pk}:{purpose}:{hour}",
        reason={"source": "signup", "why": "Asked to subscribe; this email confirms it."},
        automated=True,
        purpose=TRANSACTIONAL,
        prerendered=Rendered(
            subject=f"Please confirm your subscription to {business}",
            html=email_layout(body),
            text=text,
        ),
    )


def confirm_signup(token: str) -> Consent:
    """Grant consent from a confirmation link; raises TokenError for a bad or old link."""
    payload = links.read(links.OPT_IN, token, links.OPT_IN_MAX_AGE)
    try:
        purpose = ConsentPurpose(str(payload.get("pu")))
    except ValueError:
        raise TokenError("This link is not valid.") from None
    person_id = payload.get("p")
    person = Person.objects.filter(pk=person_id).first() if isinstance(person_id, int) else None
    if person is None or normalize_email(person.email) != payload.get("e"):
        raise TokenError("This link no longer matches a subscription.")
    with transaction.atomic():
        consent = grant_consent(
            person,
            purpose,
            actor=None,
            method=ConsentMethod.DOUBLE_OPT_IN,
            source_text=str(payload.get("t") or SIGNUP_TEXT),
            source_url=str(payload.get("u") or ""),
            ip_address=payload.get("ip") or None,
        )
        lift_unsubscribe(person.email or "")
    return consent
