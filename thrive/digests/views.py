"""The associate's notification choices, a preview of their digest, and the signed
unsubscribe link in every digest and urgent email (a public page)."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from thrive.accounts.models import Associate
from thrive.core.public_forms import Refused, client_ip, guard, refusal
from thrive.core.ratelimit import Limit
from thrive.core.tokens import TokenError

from .contents import build_digest
from .emails import DIGEST, digest_html, digest_subject, read_unsubscribe
from .forms import NotificationSettingsForm
from .models import DigestRun, UrgentKind
from .services import save_settings, settings_for, unsubscribe

UNSUBSCRIBES_PER_IP = Limit(60, dt.timedelta(hours=1), "digest_unsubscribe_per_ip")


@require_POST
def save(request: HttpRequest) -> HttpResponse:
    """Every associate, whatever their role, chooses what reaches their own inbox."""
    form = NotificationSettingsForm(request.POST)
    if form.is_valid():
        try:
            save_settings(request.user, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Saved your email notifications.")
            return redirect("/settings/profile/#notifications")
    for field, problems in form.errors.items():
        label = form.fields[field].label if field in form.fields else "Notifications"
        messages.error(request, f"{label}: {' '.join(str(p) for p in problems)}")
    return redirect("/settings/profile/#notifications")


@require_http_methods(["GET"])
def preview(request: HttpRequest) -> HttpResponse:
    """Today's digest as it would go out now (nothing is sent or recorded)."""
    digest = build_digest(request.user, now=timezone.now())
    row = settings_for(request.user)
    return render(
        request,
        "digests/preview.html",
        {
            "digest": digest,
            "subject": digest_subject(digest),
            # Rendered from an autoescaping template: every value in it is escaped.
            "body": mark_safe(digest_html(digest)),  # noqa: S308
            "row": row,
            "recent": DigestRun.objects.filter(associate=cast(Associate, request.user))[:7],
            "here": "profile",
        },
    )


@login_not_required
@csrf_exempt  # RFC 8058: mail clients POST without cookies; the signed token is the proof
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (link scanners fetch links); POST, from the button or a mail
    client's one-click request, switches that email off at once."""
    try:
        payload = read_unsubscribe(token)
    except TokenError as exc:
        return _problem(request, str(exc))
    what = payload.get("w")
    associate_id = payload.get("a")
    if not isinstance(associate_id, int) or what not in {DIGEST, *UrgentKind.values}:
        return _problem(request, "This link is not valid.")
    words = (
        "the daily digest"
        if what == DIGEST
        else f"urgent emails for “{UrgentKind(what).label.lower()}”"
    )
    if request.method == "GET":
        return render(request, "digests/unsubscribe.html", {"words": words})
    try:
        guard(request, (f"digest-unsubscribe:ip:{client_ip(request)}", UNSUBSCRIBES_PER_IP))
    except Refused as exc:
        return refusal(request, exc)
    try:
        _associate, words = unsubscribe(associate_id, what)
    except ValidationError as exc:
        return _problem(request, " ".join(exc.messages))
    return render(
        request,
        "outreach/public_message.html",
        {
            "title": "Switched off",
            "message": f"You will get no more of {words}. Switch it back on from your profile.",
        },
    )


def _problem(request: HttpRequest, message: str) -> HttpResponse:
    return render(
        request,
        "outreach/public_message.html",
        {"title": "This link does not work", "message": message},
        status=400,
    )
