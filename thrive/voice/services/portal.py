"""Who is using the public portal: sign-in by a single-use, expiring link sent by email.

No Person is created when a link is requested (anyone can type any address); only
opening the link proves the address, and then the person is found or created.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from thrive.accounts.queries import business_name
from thrive.contacts.identity import normalize_email
from thrive.contacts.models import ConsentMethod, ConsentPurpose, Person
from thrive.contacts.services import create_person, find_person_by_email, grant_consent
from thrive.core.tokens import TokenError, make_token, read_token
from thrive.core.transactional_email import build_message, send_after_commit
from thrive.outreach.conf import public_url

from ..models import MagicLink
from .ratelimit import MAGIC_LINK_PER_EMAIL, MAGIC_LINK_PER_IP, check_all

SIGN_IN = "voice.signin"
SIGN_IN_MAX_AGE = 24 * 3600
NEWS_CONSENT_TEXT = "Send me news and offers by email. I can unsubscribe at any time."


def _hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def request_sign_in(
    *, email: str, ip_address: str | None, next_path: str = "", wants_news: bool = False
) -> None:
    """Email a sign-in link to ``email``. Raises ValidationError for a bad address and
    ``RateLimited`` past the per-IP or per-address limits. The same answer is given
    whether or not the address is known, so the form reveals nobody's membership."""
    address = normalize_email(email)
    if not address:
        raise ValidationError({"email": "Enter your email address."})
    check_all([
        (f"ip:{ip_address}:signin", MAGIC_LINK_PER_IP),
        (f"email:{address}:signin", MAGIC_LINK_PER_EMAIL),
    ])  # fmt: skip
    nonce = secrets.token_urlsafe(24)
    MagicLink.objects.create(email=address, nonce_hash=_hash(nonce), ip_address=ip_address)
    payload: dict[str, Any] = {"n": nonce, "e": address, "x": next_path[:200], "o": wants_news}
    url = public_url() + reverse("voice_sign_in", args=[make_token(SIGN_IN, payload)])
    business = business_name()
    text = (
        f"Hello,\n\nOpen this link to sign in to the idea board of {business}:\n{url}\n\n"
        "It works once and expires in 24 hours. If you did not ask for it, ignore this email.\n"
    )
    # After commit: a rolled-back request must not leave a link in someone's inbox.
    send_after_commit(
        build_message(to=address, subject=f"Your sign-in link for {business}", text=text),
        what="idea board sign-in",
    )


def read_sign_in(token: str) -> dict[str, Any]:
    """The token's payload without using it (the confirm page shows the address)."""
    return read_token(SIGN_IN, token, max_age_seconds=SIGN_IN_MAX_AGE)


def redeem_sign_in(token: str, *, ip_address: str | None = None) -> tuple[Person, str]:
    """Use a sign-in link once: returns the person (found or created by the verified
    address) and the page to go on to. Raises TokenError for a forged, expired or
    already used link."""
    payload = read_sign_in(token)
    nonce, address = str(payload.get("n", "")), normalize_email(str(payload.get("e", "")))
    if not nonce or not address:
        raise TokenError("This link is not valid.")
    with transaction.atomic():
        used = MagicLink.objects.filter(
            nonce_hash=_hash(nonce), email=address, used_at__isnull=True
        ).update(used_at=timezone.now())
        if not used:
            raise TokenError("This link was already used. Ask for a new one.")
        person = find_person_by_email(address)
        if person is None:
            person = create_person(actor=None, email=address, acquisition_source="Idea board")
        if payload.get("o"):
            grant_consent(
                person,
                ConsentPurpose.EMAIL_MARKETING,
                actor=None,
                method=ConsentMethod.DOUBLE_OPT_IN,
                source_text=NEWS_CONSENT_TEXT,
                ip_address=ip_address,
                source_url=reverse("voice_board"),
            )
    next_path = str(payload.get("x") or "")
    if not next_path.startswith("/ideas/") or "//" in next_path:
        next_path = reverse("voice_board")
    return person, next_path
