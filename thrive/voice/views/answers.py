"""Survey answers from the email: one click records the score, then an optional comment.

The score link's page submits itself with a few lines of our own JavaScript (a button
without it): mail scanners fetch every link in a message, and a GET that recorded
scores would answer 0 to 10 on the customer's behalf.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from thrive.core.brand import current_brand
from thrive.core.public_forms import Refused, guard, refusal
from thrive.core.ratelimit import client_ip as key_ip
from thrive.core.tokens import TokenError, read_token

from ..forms import AnswerCommentForm
from ..models import SurveyResponse
from ..services import (
    add_answer_comment,
    opt_out_of_surveys,
    read_answer_token,
    record_answer,
)
from ..services.ratelimit import ANSWERS_PER_IP, SURVEY_OPT_OUTS_PER_IP
from ..services.surveys import OPT_OUT, OPT_OUT_MAX_AGE


def _problem(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "voice/public/message.html",
                  {"title": "This link does not work", "message": message}, status=400)  # fmt: skip


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invite, score = read_answer_token(token)
    except TokenError as exc:
        return _problem(request, str(exc))
    if request.method == "GET":
        return render(request, "voice/public/answer.html",
                      {"survey": invite.survey, "score": score})  # fmt: skip
    try:
        guard(request, (f"ip:{key_ip(request)}:answer", ANSWERS_PER_IP))
    except Refused as exc:
        return refusal(request, exc)
    record_answer(invite, score)
    return redirect("voice_answer_comment", token=token)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def answer_comment(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invite, _ = read_answer_token(token)
    except TokenError as exc:
        return _problem(request, str(exc))
    response = SurveyResponse.objects.filter(invite=invite).select_related("survey").first()
    if response is None:
        return redirect("voice_answer", token=token)
    form = AnswerCommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            guard(request, (f"ip:{key_ip(request)}:answer", ANSWERS_PER_IP))
            add_answer_comment(response, form.cleaned_data["comment"])
        except Refused as exc:
            return refusal(request, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return render(request, "voice/public/message.html", {
                "title": "Thank you", "message": "Your answer helps us do better.",
            })  # fmt: skip
    return render(request, "voice/public/answer_comment.html",
                  {"response": response, "form": form})  # fmt: skip


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def survey_opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (scanners again); POST withdraws survey consent."""
    try:
        read_token(OPT_OUT, token, max_age_seconds=OPT_OUT_MAX_AGE)
    except TokenError as exc:
        return _problem(request, str(exc))
    if request.method == "GET":
        return render(request, "voice/public/opt_out.html")
    try:
        guard(request, (f"survey-opt-out:ip:{key_ip(request)}", SURVEY_OPT_OUTS_PER_IP))
    except Refused as exc:
        return refusal(request, exc)
    try:
        opt_out_of_surveys(token)
    except TokenError as exc:
        return _problem(request, str(exc))
    return render(request, "voice/public/message.html", {
        "title": "We will not ask again",
        "message": f"{current_brand().name} will not ask you for feedback again.",
    })  # fmt: skip
