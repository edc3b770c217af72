"""One guard for every public form and email-sending endpoint: the rate limits and a
honeypot field, checked before anything is written or sent, and the friendly answer
when either refuses.

Use in a view, before the service call::

    try:
        guard(request, (f"join:ip:{client_ip(request)}", JOIN_PER_IP))
    except Refused as exc:
        return refusal(request, exc)

and put ``{% include "core/_honeypot.html" %}`` inside the form. The honeypot is a text
field hidden by the ``hp-field`` class in thrive.css (not an inline style, so a strict
Content-Security-Policy still hides it); people never see it, form-filling bots fill it.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .ratelimit import Limit, RateLimited, Refused, check_all, client_ip

__all__ = ["HONEYPOT_FIELD", "Refused", "Trapped", "client_ip", "guard", "refusal"]

HONEYPOT_FIELD = "website_url"


class Trapped(Refused):
    """The honeypot field was filled in: a bot, not a person."""


def guard(request: HttpRequest, *limits: tuple[str, Limit]) -> None:
    """Count this request against ``limits`` (raise RateLimited when one is used up),
    then raise Trapped if the honeypot field is filled. Call it before any write."""
    check_all(list(limits))
    if request.POST.get(HONEYPOT_FIELD, "").strip():
        raise Trapped


def refusal(request: HttpRequest, exc: Refused) -> HttpResponse:
    """The page for a refused request: 429 with Retry-After over a limit, 400 for a
    filled honeypot. Never an error page."""
    if isinstance(exc, RateLimited):
        minutes = exc.minutes
        response = render(request, "core/refused.html", {
            "title": "Please slow down",
            "message": f"Too many attempts; try again in {minutes} "
                       f"minute{'s' if minutes != 1 else ''}.",
        }, status=429)  # fmt: skip
        response["Retry-After"] = str(exc.retry_after)
        return response
    return render(request, "core/refused.html", {
        "title": "This form could not be sent",
        "message": "Please go back, leave the field marked “leave this field empty” "
                   "blank, and send the form again.",
    }, status=400)  # fmt: skip
