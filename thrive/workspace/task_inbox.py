"""The tasks inbox."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from thrive.contacts.models import Person
from thrive.core import business
from thrive.core.redirects import next_from
from thrive.core.roles import role_required
from thrive.outreach.models import Draft
from thrive.tasks import queries as task_queries
from thrive.tasks import services
from thrive.tasks.models import Task, TaskKind, TaskStatus

VIEWS = {
    "due": "Due",
    "overdue": "Overdue",
    "upcoming": "Later",
    "done": "Done",
    "all": "Everyone's open tasks",
}


class TaskForm(forms.Form):
    title = forms.CharField(max_length=200)
    person = forms.ModelChoiceField(queryset=Person.objects.all(), required=False)
    due_on = forms.DateField(required=False)


def _user_zone(request: HttpRequest) -> ZoneInfo:
    try:
        return ZoneInfo(business.associate_zone_name(request.user))
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def task_inbox(request: HttpRequest) -> HttpResponse:
    view = request.GET.get("view", "due")
    if view not in VIEWS:
        view = "due"
    now = timezone.now()
    end_of_today = dt.datetime.combine(
        now.astimezone(_user_zone(request)).date() + dt.timedelta(days=1),
        dt.time.min,
        tzinfo=_user_zone(request),
    )
    selections = task_queries.inbox_selections(request.user.pk, now=now, end_of_today=end_of_today)
    counts = {key: qs.count() for key, qs in selections.items() if key != "done"}
    page = Paginator(selections[view], 50).get_page(request.GET.get("page"))
    _attach_drafts(page.object_list)
    return render(
        request,
        "automations/task_inbox.html",
        {"page": page, "view": view, "views": VIEWS, "counts": counts, "now": now},
    )


def _attach_drafts(tasks: Any) -> None:
    """Give each review task a link to its draft (one query for the page), so the associate
    reviews and sends it rather than ticking the task off."""
    review = [t for t in tasks if t.kind == TaskKind.REVIEW_DRAFT]
    drafts = {d.task_id: d.pk for d in Draft.objects.filter(task__in=review)}
    for task in review:
        if task.pk in drafts:
            task.draft_url = reverse("outreach_draft", args=[drafts[task.pk]])


@require_POST
@role_required("edit")
def task_create(request: HttpRequest) -> HttpResponse:
    form = TaskForm(request.POST)
    back = next_from(request, reverse("tasks"))
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{field}: {' '.join(str(e) for e in errors)}")
        return redirect(back)
    due_on = form.cleaned_data["due_on"]
    due_at = (
        dt.datetime.combine(due_on, dt.time(17, 0), tzinfo=_user_zone(request)) if due_on else None
    )
    services.create_task(
        actor=request.user,
        title=form.cleaned_data["title"],
        person=form.cleaned_data["person"],
        due_at=due_at,
    )
    messages.success(request, "Task added.")
    return redirect(back)


@require_POST
@role_required("edit")
def task_finish(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task, pk=pk)
    status = request.POST.get("status", TaskStatus.DONE)
    if status == TaskStatus.OPEN:
        services.reopen_task(task, actor=request.user)
    else:
        services.finish_task(task, actor=request.user, status=status)
    return redirect(next_from(request, reverse("tasks")))
