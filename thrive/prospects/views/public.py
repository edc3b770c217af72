"""The referral-partner portal at ``partners/``. Identity comes only from a single-use
magic link; the session then holds that partner and every page shows only their own
referrals. Every POST is CSRF-protected and rate limited."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thrive.accounts.queries import business_name
from thrive.contacts.models import Person
from thrive.core.public_forms import Refused, guard, refusal
from thrive.core.ratelimit import Limit
from thrive.core.ratelimit import client_ip as key_ip
from thrive.core.tokens import TokenError

from ..forms import LinkRequestForm, ReferForm
from ..plain import plain_highlights
from ..portal import (
    is_partner,
    read_portal_link,
    redeem_portal_link,
    refer_person,
    referrals_of,
    request_portal_link,
)
from ..profile import latest_profile, shown_payload

SESSION_KEY = "prospects_partner_id"
LINK_USES_PER_IP = Limit(30, dt.timedelta(hours=1), "partner_link_open_per_ip")


def _client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: a client-set X-Forwarded-For would let anyone dodge the limits.
    return request.META.get("REMOTE_ADDR") or None


def _partner(request: HttpRequest) -> Person | None:
    pk = request.session.get(SESSION_KEY)
    if not isinstance(pk, int):
        return None
    person = Person.objects.filter(pk=pk).first()
    return person if person is not None and is_partner(person) else None


def _message(request: HttpRequest, title: str, text: str, status: int = 200) -> HttpResponse:
    return render(request, "prospects/public/message.html",
                  {"title": title, "message": text}, status=status)  # fmt: skip


def _portal(request: HttpRequest, partner: Person, form: ReferForm, status: int = 200,
            referred: str = "") -> HttpResponse:  # fmt: skip
    profile = latest_profile()
    highlights = (shown_payload(profile.payload).get("highlights") or []) if profile else []
    referrals = referrals_of(partner)
    return render(request, "prospects/public/portal.html", {
        "partner": partner, "form": form, "referrals": referrals,
        "won": [r for r in referrals if r["won"]], "highlights": plain_highlights(highlights),
        "business": business_name(), "referred": referred,
    }, status=status)  # fmt: skip


@login_not_required
@require_GET
def portal(request: HttpRequest) -> HttpResponse:
    partner = _partner(request)
    if partner is None:
        return redirect("partner_request_link")
    return _portal(request, partner, ReferForm(), referred=request.GET.get("thanks", "")[:100])


@login_not_required
@require_POST
def refer(request: HttpRequest) -> HttpResponse:
    partner = _partner(request)
    if partner is None:
        return redirect("partner_request_link")
    form = ReferForm(request.POST)
    if form.is_valid():
        try:
            guard(request)  # the honeypot; the service counts per partner and per address
            referral = refer_person(partner, ip_address=_client_ip(request), **form.cleaned_data)
        except Refused as exc:
            return refusal(request, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            name = referral.referred.first_name
            return redirect(f"{reverse('partner_portal')}?{urlencode({'thanks': name})}")
    return _portal(request, partner, form, status=400)


@login_not_required
@require_http_methods(["GET", "POST"])
def request_link(request: HttpRequest) -> HttpResponse:
    form = LinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            guard(request)  # the honeypot; the service counts per address and per email
            request_portal_link(email=form.cleaned_data["email"], ip_address=_client_ip(request))
        except Refused as exc:
            return refusal(request, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _message(request, "Check your email",
                            "If that address belongs to one of our partners, a link to your "
                            "referral page is on its way. It works once, for 14 days.")  # fmt: skip
    return render(request, "prospects/public/request_link.html", {"form": form})


@login_not_required
@require_http_methods(["GET", "POST"])
def open_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners open links and must not use them up); POST
    uses the link and binds this browser's session to its partner."""
    try:
        read_portal_link(token)
    except TokenError as exc:
        return _message(request, "This link does not work", str(exc), 400)
    if request.method == "GET":
        return render(request, "prospects/public/open.html", {})
    try:
        guard(request, (f"partner-open:ip:{key_ip(request)}", LINK_USES_PER_IP))
    except Refused as exc:
        return refusal(request, exc)
    try:
        partner = redeem_portal_link(token)
    except TokenError as exc:
        return _message(request, "This link does not work", str(exc), 400)
    # A new session key, so a session id planted before cannot ride along.
    request.session.cycle_key()
    request.session[SESSION_KEY] = partner.pk
    return redirect("partner_portal")


@login_not_required
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    return _message(request, "Signed out", "Ask for a new link whenever you want to come back.")
