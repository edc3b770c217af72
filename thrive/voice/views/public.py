"""The public idea board at ``ideas/``: no staff account, identity by a magic link.

Reading is open to all; submitting, voting and commenting need a signed-in portal
session. Every POST is CSRF-protected and rate limited per IP and per person.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thrive.core.public_forms import Refused, guard
from thrive.core.ratelimit import client_ip as key_ip
from thrive.core.tokens import TokenError

from .. import queries
from ..forms import CommentForm, IdeaForm, SignInForm, VoteForm
from ..models import Idea, IdeaStatus, IdeaStatusChange, Importance, Vote
from ..services import (
    comment_on_idea,
    read_sign_in,
    redeem_sign_in,
    request_sign_in,
    submit_idea,
    vote_for_idea,
)
from ..services.ratelimit import (
    COMMENTS_PER_PERSON,
    IDEAS_PER_PERSON,
    SIGN_IN_LINK_USES_PER_IP,
    VOTES_PER_PERSON,
)
from . import portal


def _message(request: HttpRequest, title: str, message: str, status: int = 200) -> HttpResponse:
    return render(
        request, "voice/public/message.html", {"title": title, "message": message}, status=status
    )


def _ask_sign_in(next_path: str) -> HttpResponse:
    return redirect(f"{reverse('voice_sign_in_request')}?{urlencode({'next': next_path})}")


@login_not_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    order = request.GET.get("order", "rank")
    order = order if order in queries.ORDERS else "rank"
    search = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    ideas = queries.board(order=order, search=search, status=status)
    return render(request, "voice/public/board.html", {
        "ideas": ideas[:100], "order": order, "orders": queries.ORDERS, "q": search,
        "status": status, "statuses": IdeaStatus.choices,
        "person": portal.current_person(request), "most_wanted": queries.most_wanted_ids(),
    })  # fmt: skip


@login_not_required
@require_GET
def idea_detail(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_object_or_404(Idea, pk=pk)
    if idea.merged_into_id is not None:
        return redirect("voice_idea", pk=idea.merged_into_id)
    person = portal.current_person(request)
    vote = Vote.objects.filter(idea=idea, person=person).first() if person else None
    standing = queries.standings(Idea.objects.filter(pk=idea.pk)).get(idea.pk)
    return render(request, "voice/public/idea.html", {
        "idea": idea, "person": person, "vote": vote, "standing": standing,
        "most_wanted": idea.pk in queries.most_wanted_ids(),
        "history": IdeaStatusChange.objects.filter(idea=idea).order_by("changed_at", "id"),
        "comments": idea.comments.filter(hidden=False).order_by("created_at", "id"),
        "importances": Importance.choices, "comment_form": CommentForm(),
    })  # fmt: skip


@login_not_required
@require_http_methods(["GET", "POST"])
def new_idea(request: HttpRequest) -> HttpResponse:
    person = portal.current_person(request)
    if person is None:
        return _ask_sign_in(reverse("voice_new_idea"))
    form = IdeaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            portal.limit(request, (f"person:{person.pk}:idea", IDEAS_PER_PERSON))
            idea = submit_idea(person, **form.cleaned_data)
        except Refused as exc:
            return portal.too_many(request, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("voice_idea", pk=idea.pk)
    return render(request, "voice/public/new_idea.html", {"form": form, "person": person})


@login_not_required
@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_object_or_404(Idea, pk=pk)
    person = portal.current_person(request)
    if person is None:
        return _ask_sign_in(reverse("voice_idea", args=[pk]))
    form = VoteForm(request.POST)
    if not form.is_valid():
        return _message(request, "Choose how important it is", "Go back and pick one.", 400)
    try:
        portal.limit(request, (f"person:{person.pk}:vote", VOTES_PER_PERSON))
        vote_for_idea(person, idea, **form.cleaned_data)
    except Refused as exc:
        return portal.too_many(request, exc)
    return redirect("voice_idea", pk=idea.merged_into_id or idea.pk)


@login_not_required
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_object_or_404(Idea, pk=pk)
    person = portal.current_person(request)
    if person is None:
        return _ask_sign_in(reverse("voice_idea", args=[pk]))
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _message(request, "That comment cannot be posted",
                        "A comment needs some text and at most 2,000 characters.", 400)  # fmt: skip
    try:
        portal.limit(request, (f"person:{person.pk}:comment", COMMENTS_PER_PERSON))
        comment_on_idea(idea, body=form.cleaned_data["body"], person=person)
    except Refused as exc:
        return portal.too_many(request, exc)
    return redirect("voice_idea", pk=idea.merged_into_id or idea.pk)


@login_not_required
@require_http_methods(["GET", "POST"])
def sign_in_request(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        try:
            guard(request)  # the honeypot; the service counts the per-IP and per-email limits
            request_sign_in(
                email=form.cleaned_data["email"], ip_address=portal.client_ip(request),
                next_path=form.cleaned_data["next"], wants_news=form.cleaned_data["wants_news"],
            )  # fmt: skip
        except Refused as exc:
            return portal.too_many(request, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _message(request, "Check your email",
                            "We sent a sign-in link to that address. It works once, for 24 "
                            "hours.")  # fmt: skip
    return render(request, "voice/public/sign_in.html", {"form": form})


@login_not_required
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners open links and must not use up the link);
    POST signs in."""
    try:
        payload = read_sign_in(token)
    except TokenError as exc:
        return _message(request, "This link does not work", str(exc), 400)
    if request.method == "GET":
        return render(request, "voice/public/sign_in_confirm.html", {"email": payload.get("e")})
    try:
        guard(request, (f"ideas-link:ip:{key_ip(request)}", SIGN_IN_LINK_USES_PER_IP))
        person, next_path = redeem_sign_in(token, ip_address=portal.client_ip(request))
    except Refused as exc:
        return portal.too_many(request, exc)
    except TokenError as exc:
        return _message(request, "This link does not work", str(exc), 400)
    portal.sign_in(request, person)
    return redirect(next_path)


@login_not_required
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    portal.sign_out(request)
    return redirect("voice_board")
