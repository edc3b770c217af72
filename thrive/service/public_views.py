"""The one public page of the inbox: the satisfaction answer from the email's link.

The link carries a signed, expiring token with the score. A GET only shows the page,
which submits itself with a few lines of our own script (a button without it): mail
scanners fetch every link in a message and must not answer on the customer's behalf.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from thrive.core.public_forms import Refused, guard, refusal
from thrive.core.ratelimit import Limit
from thrive.core.ratelimit import client_ip as key_ip
from thrive.core.tokens import TokenError

from . import csat

ANSWERS_PER_IP = Limit(60, dt.timedelta(hours=1), "csat_answers_per_ip")


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        found, score = csat.read_answer_token(token)
    except TokenError as exc:
        context = {"title": "This link does not work", "message": str(exc)}
        return render(request, "service/public/message.html", context, status=400)
    if request.method == "GET":
        return render(request, "service/public/answer.html", {
            "question": csat.QUESTION, "score": score, "label": csat.SCALE[score],
            "subject": found.conversation.subject,
        })  # fmt: skip
    try:
        guard(request, (f"ip:{key_ip(request)}:csat", ANSWERS_PER_IP))
    except Refused as exc:
        return refusal(request, exc)
    csat.record_answer(found, score)
    return render(request, "service/public/message.html", {
        "title": "Thank you", "message": "Your answer helps us do better.",
    })  # fmt: skip
