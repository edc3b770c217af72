"""Public endpoints reached from emails. No sign-in: the signed token is the key.

Bad, forged or expired tokens get a friendly page with status 400, never an error page;
the open pixel always answers with the pixel.
"""

from __future__ import annotations

import base64
import datetime as dt

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from thrive.core.brand import current_brand
from thrive.core.public_forms import Refused, client_ip, guard, refusal
from thrive.core.ratelimit import Limit
from thrive.core.tokens import TokenError

from ..forms import SignupForm
from ..inbound.optin import SIGNUP_TEXT, confirm_signup, request_signup
from ..inbound.tracking import record_click, record_open
from ..inbound.unsubscribe import unsubscribe as do_unsubscribe
from ..models import Delivery
from ..sending import links

HOUR = dt.timedelta(hours=1)
# Each sign-up sends a confirmation email: per address and per mailbox.
JOINS_PER_IP = Limit(10, HOUR, "join_per_ip")
JOINS_PER_EMAIL = Limit(3, HOUR, "join_per_email")
OPT_IN_CONFIRMS_PER_IP = Limit(30, HOUR, "opt_in_confirm_per_ip")
# Mail providers send one-click unsubscribes (RFC 8058) from a few addresses of their
# own, so this limit is generous: it only stops a flood.
UNSUBSCRIBES_PER_IP = Limit(600, HOUR, "unsubscribe_per_ip")

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _problem(request: HttpRequest, message: str) -> HttpResponse:
    return render(
        request,
        "outreach/public_message.html",
        {"title": "This link does not work", "message": message},
        status=400,
    )


def _delivery(token: str, purpose: str, max_age: int) -> tuple[Delivery | None, str]:
    try:
        payload = links.read(purpose, token, max_age)
    except TokenError as exc:
        return None, str(exc)
    delivery_id = payload.get("d")
    delivery = (
        Delivery.objects.select_related("person").filter(pk=delivery_id).first()
        if isinstance(delivery_id, int)
        else None
    )
    return delivery, "" if delivery else "This message no longer exists."


@login_not_required
@csrf_exempt  # RFC 8058: mail providers POST without cookies; the signed token is the proof
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (link scanners fetch links); POST, from the button or a mail
    provider's one-click request, unsubscribes at once."""
    delivery, error = _delivery(token, links.UNSUBSCRIBE, links.UNSUBSCRIBE_MAX_AGE)
    if delivery is None:
        return _problem(request, error)
    if request.method == "POST":
        try:
            guard(request, (f"unsubscribe:ip:{client_ip(request)}", UNSUBSCRIBES_PER_IP))
        except Refused as exc:
            return refusal(request, exc)
        declined = request.POST.get("profiling") == "1"
        do_unsubscribe(delivery, profiling_too=declined)
        return render(
            request,
            "outreach/public_message.html",
            {
                "title": "You are unsubscribed",
                "message": (
                    f"{delivery.to_email or 'Your address'} will get no more of these emails "
                    f"from {current_brand().name}."
                    + (" Nothing about you will be personalised or predicted from your data "
                       "from now on." if declined else "")
                ),
            },
        )
    return render(request, "outreach/unsubscribe.html", {"delivery": delivery})


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def open_pixel(request: HttpRequest, token: str) -> HttpResponse:
    delivery, _ = _delivery(token, links.OPEN, links.CLICK_MAX_AGE)
    if delivery is not None:
        record_open(delivery.pk)
    return HttpResponse(PIXEL, content_type="image/gif")


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def click(request: HttpRequest, token: str) -> HttpResponse:
    try:
        payload = links.read(links.CLICK, token, links.CLICK_MAX_AGE)
    except TokenError as exc:
        return _problem(request, str(exc))
    target = payload.get("u")
    if not isinstance(target, str) or not target.lower().startswith(("http://", "https://")):
        return _problem(request, "This link is not valid.")
    delivery_id = payload.get("d")
    if isinstance(delivery_id, int):
        record_click(delivery_id, target)
    return HttpResponseRedirect(target)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Double opt-in: GET shows a button (scanners must not subscribe anyone); POST
    records the consent."""
    try:
        payload = links.read(links.OPT_IN, token, links.OPT_IN_MAX_AGE)
    except TokenError as exc:
        return _problem(request, str(exc))
    if request.method == "GET":
        return render(request, "outreach/confirm.html", {"email": payload.get("e", "")})
    try:
        guard(request, (f"opt-in:ip:{client_ip(request)}", OPT_IN_CONFIRMS_PER_IP))
    except Refused as exc:
        return refusal(request, exc)
    try:
        confirm_signup(token)
    except TokenError as exc:
        return _problem(request, str(exc))
    return render(
        request,
        "outreach/public_message.html",
        {"title": "You are subscribed", "message": "Thank you for confirming."},
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    """The public sign-up form; consent waits for the confirmation link."""
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            guard(request, (f"join:ip:{client_ip(request)}", JOINS_PER_IP),
                  (f"join:email:{form.cleaned_data['email'].strip().casefold()}",
                   JOINS_PER_EMAIL))  # fmt: skip
        except Refused as exc:
            return refusal(request, exc)
        try:
            request_signup(
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                source_text=SIGNUP_TEXT,
                source_url=request.build_absolute_uri(),
                ip_address=request.META.get("REMOTE_ADDR") or None,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return render(
                request,
                "outreach/public_message.html",
                {
                    "title": "Check your inbox",
                    "message": "We sent you a link to confirm your subscription.",
                },
            )
    return render(request, "outreach/join.html", {"form": form, "consent_text": SIGNUP_TEXT})
