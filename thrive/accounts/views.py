"""The owner's settings page, each associate's profile, and the business's logo."""

from __future__ import annotations

import mimetypes
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thrive.core import business
from thrive.core.ratelimit import RateLimited
from thrive.core.roles import role_required

from . import services
from .forms import BusinessSettingsForm, ProfileForm
from .mail_test import TestEmailFailed, send_test_email
from .models import Associate
from .queries import recent_setting_changes, the_business


def _in_use() -> list[dict[str, str]]:
    """Each value in force and where it came from, for the page's summary."""
    rows = [
        ("Business name", business.name_setting()),
        ("Time zone", business.time_zone_setting()),
        ("Currency", business.currency_setting()),
        ("Public address", business.public_url_setting()),
        ("Sender name", business.sender_name_setting()),
        ("Sender address", business.sender_address_setting()),
        ("Quiet hours", business.quiet_hours_setting()),
        ("Automated emails per week", business.max_automated_setting()),
    ]
    out = []
    for label, found in rows:
        source = found.source
        if found.source == business.SERVER:
            source = f"set by {found.env} on the server"
        elif found.source == business.SERVED:
            source = "the address thrive serve is serving"
        out.append({"label": label, "value": str(found.value), "source": source})
    mailer, source = business.mail_delivery()
    connected = business.mail_is_connected()
    options = mailer.get("OPTIONS") or {}
    if source == business.SERVER:
        where = "set by EMAIL_URL on the server"
    elif source == business.STORED:
        where = "the SMTP server on this page"
    elif connected:
        where = "the built-in default: this machine's own mail server"
    else:
        where = (
            "switch on an SMTP server under Email delivery below; until then email is only printed"
        )
    out.append(
        {
            "label": "Email delivery",
            "value": f"a mail server (SMTP) at {options.get('host')}:{options.get('port')}"
            if connected and source != business.SERVER
            else ("a mail server (SMTP)" if connected else "not connected"),
            "source": where,
        }
    )
    return out


def _page(request: HttpRequest, form: BusinessSettingsForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "accounts/settings.html",
        {
            "form": form,
            "in_use": _in_use(),
            "changes": recent_setting_changes(),
            "logo_url": reverse("business_logo") if business.logo_name() else "",
            "here": "settings",
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@role_required("manage")
def business_settings(request: HttpRequest) -> HttpResponse:
    row = the_business()
    if request.method != "POST":
        return _page(request, BusinessSettingsForm(instance=row))
    form = BusinessSettingsForm(request.POST, request.FILES, instance=row)
    if form.is_valid():
        try:
            changes = services.update_business_settings(
                actor=cast(Associate, request.user),
                values=form.changed_values(),
                logo=form.cleaned_data.get("logo"),
                remove_logo=bool(form.cleaned_data.get("remove_logo")),
                smtp_password=form.new_smtp_password(),
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            count = len(changes)
            plural = "s" if count != 1 else ""
            messages.success(request, f"Saved {count} change{plural}." if count else "No changes.")
            return redirect("business_settings")
    return _page(request, form, status=400)


@require_POST
@role_required("manage")
def send_test_email_view(request: HttpRequest) -> HttpResponse:
    """Send a test email through the saved SMTP server; the result is shown on the page."""
    try:
        to = send_test_email(actor=cast(Associate, request.user))
    except RateLimited as exc:
        messages.error(request, f"Too many test emails; try again in {exc.minutes} minute(s).")
    except TestEmailFailed as exc:
        messages.error(request, f"The test email was not sent. {exc}")
    else:
        messages.success(request, f"Sent a test email to {to}: check that it arrived.")
    return redirect(reverse("business_settings") + "#email-delivery")


def _attach(form: BusinessSettingsForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@require_http_methods(["GET", "HEAD", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    me = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.update_own_profile(
                    actor=cast(Associate, me), time_zone=form.cleaned_data["time_zone"]
                )
            except ValidationError as exc:
                form.add_error("time_zone", exc.messages)
            else:
                messages.success(request, "Saved your profile.")
                return redirect("profile")
        status = 400
    else:
        form = ProfileForm(initial={"time_zone": getattr(me, "time_zone", "")})
        status = 200
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "zone_in_use": business.associate_zone_name(me), "here": "profile"},
        status=status,
    )


@require_POST
@role_required("manage")
def dismiss_onboarding(request: HttpRequest) -> HttpResponse:
    services.dismiss_onboarding(actor=cast(Associate, request.user))
    return redirect("home")


@login_not_required
@require_GET
def business_logo(request: HttpRequest) -> FileResponse:
    """The business's logo for every page, the public ones too (no sign-in)."""
    name = business.logo_name()
    row = the_business()
    if not name or row is None or not row.logo:
        raise Http404("No logo")
    try:
        handle = row.logo.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("No logo") from None
    kind = mimetypes.guess_type(row.logo.name or "")[0] or "application/octet-stream"
    if kind not in {"image/png", "image/jpeg", "image/webp"}:
        raise PermissionDenied("Not an image this page serves")
    response = FileResponse(handle, content_type=kind)
    response["Cache-Control"] = "public, max-age=300"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
