"""Staff pages at ``voice/``: ideas with their standing, status changes, merges, ideas
logged from a call, and surveys with NPS over time."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thrive.contacts.services import create_person, find_person_by_email
from thrive.core import business
from thrive.core.jobs import status_response
from thrive.core.roles import can_edit, role_required

from .. import charts, queries
from ..forms import CommentForm, LogIdeaForm, MergeForm, StatusForm, SurveyForm
from ..models import (
    Idea,
    IdeaStatus,
    IdeaStatusChange,
    SendJob,
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
    retry_job,
    start_survey_send,
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
        "job": SendJob.objects.filter(status_change__idea=idea).first(),
        # The themes page links a likely duplicate here with the idea to merge into.
        "merge_form": MergeForm(initial={"into": "".join(
            c for c in request.GET.get("merge", "")[:12] if c.isdigit())}),
        "reply_form": CommentForm(),
        "currency": business.currency(),
        "can_edit": can_edit(request.user),
    })  # fmt: skip


@require_POST
@role_required("edit")
def idea_status(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_object_or_404(Idea, pk=pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            change = change_idea_status(idea, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if change is not None:
                messages.success(request, "Status changed. The voters are being told in the "
                                 "background; the progress is below.")  # fmt: skip
    return redirect("voice_staff_idea", pk=pk)


@require_POST
@role_required("edit")
def idea_merge(request: HttpRequest, pk: int) -> HttpResponse:
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
@role_required("edit")
def idea_reply(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_object_or_404(Idea, pk=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        comment_on_idea(idea, body=form.cleaned_data["body"], actor=request.user)
    return redirect("voice_staff_idea", pk=pk)


@require_http_methods(["GET", "POST"])
@role_required("edit")
def idea_log(request: HttpRequest) -> HttpResponse:
    """Log an idea a customer gave on a call; finds or creates them by email."""
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
    by_month = queries.nps_by_month(responses)
    by_segment = queries.nps_by_segment(responses)
    by_channel = queries.nps_by_channel(responses)
    return {
        "by_month": by_month, "by_segment": by_segment, "by_channel": by_channel,
        "month_chart": charts.nps_over_time(by_month),
        "segment_chart": charts.nps_intervals("nps-by-segment", "NPS by segment", by_segment),
        "channel_chart": charts.nps_intervals(
            "nps-by-channel", "NPS by acquisition channel", by_channel
        ),
    }  # fmt: skip


@require_http_methods(["GET", "POST"])
@role_required("edit", writes_only=True)
def survey_list(request: HttpRequest) -> HttpResponse:
    form = SurveyForm(request.POST or None)
    if request.method == "POST":
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
        "workflow_surveys": queries.survey_workflows(),
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
        "job": survey.jobs.first(),
        "comments": responses.exclude(comment="").select_related("person")[:100],
        **_nps_context(responses),
    })  # fmt: skip


@require_POST
@role_required("edit")
def survey_send(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    try:
        start_survey_send(survey, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Sending in the background; the progress is below.")
    return redirect("voice_survey", pk=pk)


def _job_page(job: SendJob) -> str:
    if job.survey_id:
        return reverse("voice_survey", args=[job.survey_id])
    return reverse("voice_staff_idea", args=[job.status_change.idea_id])  # type: ignore[union-attr]


@require_GET
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    """The progress bar's data (the job kit's status shape). A job whose worker stopped is
    resumed by the workers' sweep, not by this page: a GET writes nothing."""
    return status_response(get_object_or_404(SendJob, pk=pk))


@require_POST
@role_required("edit")
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(SendJob.objects.select_related("status_change"), pk=pk)
    retry_job(job, actor=request.user)
    messages.success(request, "Sending again from where it stopped.")
    return redirect(_job_page(job))
