"""Staff pages at ``voice/``: ideas with their standing, status changes, merges, ideas
logged from a call, and surveys with NPS over time."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thrive.contacts.services import create_person, find_person_by_email
from thrive.core.roles import can_edit, require_edit

from .. import queries
from ..forms import CommentForm, LogIdeaForm, MergeForm, StatusForm, SurveyForm
from ..models import (
    Idea,
    IdeaStatus,
    IdeaStatusChange,
    Survey,
    SurveyInvite,
    SurveyResponse,
    Vote,
)
from ..services import (
    change_idea_status,
    comment_on_idea,
    create_survey,
    merge_ideas,
    send_survey,
    submit_idea,
)


@require_GET
def idea_list(request: HttpRequest) -> HttpResponse:
    order = request.GET.get("order", "rank")
    order = order if order in queries.ORDERS else "rank"
    status = request.GET.get("status", "")
    search = request.GET.get("q", "").strip()[:100]
    return render(request, "voice/idea_list.html", {
        "ideas": queries.board(order=order, search=search, status=status)[:200],
        "order": order, "orders": queries.ORDERS, "status": status, "q": search,
        "statuses": IdeaStatus.choices, "ttm": queries.idea_time_to_market(),
        "can_edit": can_edit(request.user),
    })  # fmt: skip


@require_GET
def idea_detail(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_object_or_404(Idea.objects.select_related("author", "merged_into"), pk=pk)
    return render(request, "voice/idea_detail.html", {
        "idea": idea,
        "standing": queries.standings(Idea.objects.filter(pk=idea.pk)).get(idea.pk),
        "voters": Vote.objects.filter(idea=idea).select_related("person")[:200],
        "history": IdeaStatusChange.objects.filter(idea=idea).select_related("actor"),
        "comments": idea.comments.select_related("person", "associate"),
        "status_form": StatusForm(initial={"status": idea.status}),
        "merge_form": MergeForm(), "reply_form": CommentForm(),
        "currency": settings.THRIVE_CURRENCY,
        "can_edit": can_edit(request.user),
    })  # fmt: skip


@require_POST
def idea_status(request: HttpRequest, pk: int) -> HttpResponse:
    require_edit(request.user)
    idea = get_object_or_404(Idea, pk=pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            change = change_idea_status(idea, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if change is not None:
                messages.success(
                    request, f"Status changed; {change.voters_notified} voters will hear."
                )
    return redirect("voice_staff_idea", pk=pk)


@require_POST
def idea_merge(request: HttpRequest, pk: int) -> HttpResponse:
    require_edit(request.user)
    duplicate = get_object_or_404(Idea, pk=pk)
    form = MergeForm(request.POST)
    if form.is_valid():
        into = Idea.objects.filter(pk=form.cleaned_data["into"]).first()
        if into is None:
            messages.error(request, "There is no idea with that number.")
            return redirect("voice_staff_idea", pk=pk)
        try:
            merge = merge_ideas(duplicate, into, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Merged: {merge.votes_moved} votes moved, "
                             f"{merge.votes_combined} voters of both kept once.")  # fmt: skip
            return redirect("voice_staff_idea", pk=into.pk)
    return redirect("voice_staff_idea", pk=pk)


@require_POST
def idea_reply(request: HttpRequest, pk: int) -> HttpResponse:
    require_edit(request.user)
    idea = get_object_or_404(Idea, pk=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        comment_on_idea(idea, body=form.cleaned_data["body"], actor=request.user)
    return redirect("voice_staff_idea", pk=pk)


@require_http_methods(["GET", "POST"])
def idea_log(request: HttpRequest) -> HttpResponse:
    """Log an idea a customer gave on a call; finds or creates them by email."""
    require_edit(request.user)
    form = LogIdeaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = find_person_by_email(data["email"]) or create_person(
                actor=request.user, email=data["email"]
            )
            idea = submit_idea(person, title=data["title"], body=data["body"],
                               importance=data["importance"], actor=request.user)  # fmt: skip
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Idea logged on the customer's behalf.")
            return redirect("voice_staff_idea", pk=idea.pk)
    return render(request, "voice/idea_log.html", {"form": form})


def _nps_context(responses: QuerySet[SurveyResponse]) -> dict[str, object]:
    return {
        "by_month": queries.nps_by_month(responses),
        "by_segment": queries.nps_by_segment(responses),
        "by_channel": queries.nps_by_channel(responses),
    }


@require_http_methods(["GET", "POST"])
def survey_list(request: HttpRequest) -> HttpResponse:
    form = SurveyForm(request.POST or None)
    if request.method == "POST":
        require_edit(request.user)
        if form.is_valid():
            try:
                survey = create_survey(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Survey saved. Send it when you are ready.")
                return redirect("voice_survey", pk=survey.pk)
    return render(request, "voice/survey_list.html", {
        "surveys": Survey.objects.select_related("segment", "owner")[:100],
        "form": form, "can_edit": can_edit(request.user),
        **_nps_context(queries.responses()),
    })  # fmt: skip


@require_GET
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey.objects.select_related("segment", "owner"), pk=pk)
    responses = queries.responses(survey.pk)
    return render(request, "voice/survey_detail.html", {
        "survey": survey, "can_edit": can_edit(request.user),
        "invited": SurveyInvite.objects.filter(survey=survey).count(),
        "comments": responses.exclude(comment="").select_related("person")[:100],
        **_nps_context(responses),
    })  # fmt: skip


@require_POST
def survey_send(request: HttpRequest, pk: int) -> HttpResponse:
    require_edit(request.user)
    survey = get_object_or_404(Survey, pk=pk)
    try:
        report = send_survey(survey, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{report.queued} asked; {report.cooling_down} asked "
                         f"recently (cool-down); {report.skipped} not sent (no consent, "
                         "unsubscribed or no address).")  # fmt: skip
    return redirect("voice_survey", pk=pk)
