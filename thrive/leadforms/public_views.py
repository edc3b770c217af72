"""The public form at /f/<slug>/, its embedded twin and the email confirmation.

Embedding: every other Thrive page refuses to be framed (X-Frame-Options DENY and CSP
``frame-ancestors 'none'``) against clickjacking. Only the form with ``?embed=1`` (and the
pages its answer shows) let any site frame them: the owner pastes the snippet on their own
site, whose address Thrive cannot know, and the page holds no signed-in session to steal.

CSRF inside a frame: the CSRF cookie is SameSite=Lax, which browsers do not send from a
page framed by another site, so the embedded form posts to ``/f/<slug>/send``, which
checks instead that the request comes from this site's own page (``Sec-Fetch-Site`` or
``Origin``, which browsers set and scripts on other sites cannot forge) and carries a
signed stamp from a form this site served. The hosted page keeps Django's CSRF check.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from thrive.core.public_forms import Refused, client_ip, guard, refusal
from thrive.core.ratelimit import Limit, check_all
from thrive.core.tokens import TokenError, make_token, read_token

from . import services
from .fields import errors_by_field
from .forms import answers_of, input_name, public_form
from .models import LeadForm

HOUR = dt.timedelta(hours=1)
# An answer can send a confirmation email and create a person: per address and per email.
ANSWERS_PER_IP = Limit(20, HOUR, "leadform_per_ip")
ANSWERS_PER_EMAIL = Limit(3, HOUR, "leadform_per_email")
CONFIRMS_PER_IP = Limit(30, HOUR, "leadform_confirm_per_ip")
STAMP = "leadforms.stamp"
STAMP_MAX_AGE = 24 * 3600


def _framable(response: HttpResponse, form: LeadForm | None = None) -> HttpResponse:
    response.xframe_options_exempt = True
    policy = _policy(form)
    policy["frame-ancestors"] = ["*"]
    response._csp_config = policy  # type: ignore[attr-defined]
    return response


def _policy(form: LeadForm | None) -> dict[str, Any]:
    policy: dict[str, Any] = dict(cast(dict[str, Any], settings.SECURE_CSP))
    if form is not None and form.redirect_url:
        # form-action also governs where the answer's redirect may go.
        target = urlsplit(form.redirect_url)
        policy["form-action"] = [*policy["form-action"], f"{target.scheme}://{target.netloc}"]
    return policy


def _page(request: HttpRequest, form: LeadForm, public: Any, *, embed: bool,
          status: int = 200) -> HttpResponse:  # fmt: skip
    response = render(request, "leadforms/public_form.html", {
        "lead_form": form, "form": public, "embed": embed,
        "stamp": make_token(STAMP, {"f": form.pk}) if embed else "",
    }, status=status)  # fmt: skip
    if embed:
        return _framable(response, form)
    response._csp_config = _policy(form)  # type: ignore[attr-defined]
    return response


def _message(request: HttpRequest, title: str, message: str, *, embed: bool,
             status: int = 200) -> HttpResponse:  # fmt: skip
    response = render(request, "leadforms/message.html",
                      {"title": title, "message": message}, status=status)  # fmt: skip
    return _framable(response) if embed else response


def _closed(request: HttpRequest, form: LeadForm, embed: bool) -> HttpResponse:
    text = f"“{form.name}” takes no answers at the moment."
    return _message(request, "This form is closed", text, embed=embed, status=410)


def _take(request: HttpRequest, form: LeadForm, *, embed: bool) -> HttpResponse:
    try:
        guard(request, (f"leadform:ip:{client_ip(request)}", ANSWERS_PER_IP))
    except Refused as exc:
        response = refusal(request, exc)
        return _framable(response) if embed else response
    public = public_form(form, request.POST)
    if not public.is_valid():
        return _page(request, form, public, embed=embed, status=400)
    answers, consents = answers_of(public)
    try:
        check_all([(f"leadform:email:{str(answers.get('email', '')).casefold()}",
                    ANSWERS_PER_EMAIL)])  # fmt: skip
    except Refused as exc:
        response = refusal(request, exc)
        return _framable(response) if embed else response
    try:
        submission = services.submit(
            form,
            answers=answers,
            consents=consents,
            source_url=request.build_absolute_uri(),
            ip_address=request.META.get("REMOTE_ADDR") or None,
        )
    except ValidationError as exc:
        for key, errors in errors_by_field(exc).items():
            name = input_name(key) if key else None
            text = " ".join(errors)
            public.add_error(name if name in public.fields else None, text)
        return _page(request, form, public, embed=embed, status=400)
    if form.redirect_url and not embed:
        return HttpResponseRedirect(form.redirect_url, status=303)
    response = render(request, "leadforms/thanks.html", {
        "lead_form": form, "submission": submission, "embed": embed,
    })  # fmt: skip
    return _framable(response) if embed else response


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, slug: str) -> HttpResponse:
    form = get_object_or_404(LeadForm, slug=slug)
    embed = request.GET.get("embed") == "1"
    if not form.is_active:
        return _closed(request, form, embed)
    if request.method == "POST":
        return _take(request, form, embed=False)
    return _page(request, form, public_form(form), embed=embed)


def _same_site(request: HttpRequest) -> bool:
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("Origin") or ""
    return bool(origin) and origin == request.build_absolute_uri("/").rstrip("/")


@login_not_required
@csrf_exempt  # framed by another site: no SameSite cookie; checked by origin and stamp
@never_cache
@require_POST
def embedded_send(request: HttpRequest, slug: str) -> HttpResponse:
    form = get_object_or_404(LeadForm, slug=slug)
    if not form.is_active:
        return _closed(request, form, True)
    try:
        stamp = read_token(STAMP, request.POST.get("stamp", ""), max_age_seconds=STAMP_MAX_AGE)
    except TokenError:
        stamp = {}
    if not _same_site(request) or stamp.get("f") != form.pk:
        return _message(request, "This form could not be sent",
                        "Please reload the page and send the form again.", embed=True,
                        status=403)  # fmt: skip
    return _take(request, form, embed=True)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners follow links); POST confirms."""
    try:
        submission = services.read_confirmation(token)
    except TokenError as exc:
        return _message(request, "This link does not work", str(exc), embed=False, status=400)
    if request.method == "GET":
        return render(request, "leadforms/confirm.html", {"submission": submission})
    try:
        guard(request, (f"leadform-confirm:ip:{client_ip(request)}", CONFIRMS_PER_IP))
    except Refused as exc:
        return refusal(request, exc)
    services.confirm(token, ip_address=request.META.get("REMOTE_ADDR") or None)
    form = submission.form
    message = "Thank you for confirming."
    if form.sequence_id:
        message += " The first email is on its way."
    return _message(request, "You are confirmed", message, embed=False)
