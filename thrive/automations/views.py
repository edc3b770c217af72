"""Workflow pages: the list, one workflow step by step, the editor, switching on and off,
and enrolling someone by hand. Read-only associates see everything; every POST they
make is refused with 403 by the services' role check."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thrive.analytics.money_outcomes import WINDOWS, window_days
from thrive.core import business
from thrive.core.roles import role_required
from thrive.segments.words import editor_registry

from . import queries, services, step_builder
from .definition import SETTINGS, exits_of
from .forms import AsOfForm, EnrollForm, WorkflowForm
from .models import StepKind, Workflow
from .money import workflow_money
from .words import Names, describe_step, describe_trigger

EXAMPLE_STEPS = [
    {"kind": "wait", "days": 7},
    {"kind": "condition", "rules": {"match": "all", "rules": [
        {"field": "orders_count", "op": "gte", "value": 2}]}, "yes": 3, "no": 4},
    {"kind": "add_tag", "tag": "Regular", "next": "end"},
    {"kind": "create_task", "title": "Call {{ person.first_name|default:'them' }}",
     "task_kind": "call", "due_in_days": 2},
]  # fmt: skip


@require_GET
def workflow_list(request: HttpRequest) -> HttpResponse:
    """The workflows and the automation rate; ``?as_of=YYYY-MM-DD`` (the dashboard's link)
    shows the rate over the 90 days before that day, the window the dashboard counted."""
    workflows = queries.all_workflows()
    period = AsOfForm(request.GET)
    as_of = period.cleaned_data["as_of"] if period.is_valid() else None
    return render(
        request,
        "automations/workflow_list.html",
        {
            "rows": queries.workflow_rows(workflows),
            "rate": queries.automation_rate(as_of=as_of),
            "as_of": as_of,
            "as_of_error": period.errors.get("as_of"),
        },
    )


@require_GET
def workflow_detail(request: HttpRequest, pk: int) -> HttpResponse:
    workflow = get_object_or_404(Workflow, pk=pk)
    return render(
        request,
        "automations/workflow_detail.html",
        {
            "workflow": workflow,
            "trigger": describe_trigger(workflow),
            "steps": queries.step_view(workflow),
            "totals": queries.totals(workflow),
            "logs": queries.recent_logs(workflow),
            "goal": Names().rules(workflow.goal) if workflow.goal else "",
            "enroll_form": EnrollForm(),
            "money": workflow_money(workflow, days=window_days(request.GET.get("days", ""))),
            "money_windows": WINDOWS,
            "currency": business.currency(),
        },
    )


def _preview(data: dict[str, Any]) -> list[str]:
    """The steps as words, for the editor's preview; empty if they are not valid yet."""
    steps = data.get("steps")
    if not isinstance(steps, list):
        return []
    names = Names()
    words = []
    for position, step in enumerate(steps, start=1):
        if not isinstance(step, dict) or step.get("kind") not in StepKind.values:
            return []
        config = {k: v for k, v in step.items() if k != "kind"}
        try:
            words.append(describe_step(position, step["kind"], config, names, len(steps)))
        except (KeyError, TypeError, ValueError, ValidationError):
            words.append(f"Step {position} is not complete yet")
    return words


def _initial(workflow: Workflow | None) -> dict[str, Any]:
    if workflow is None:
        return {"trigger": "stage_changed", "trigger_config": '{"to": ["client"]}',
                "reentry": "never", "steps": json.dumps(EXAMPLE_STEPS, indent=2)}  # fmt: skip
    steps = [{"kind": s.kind, **s.config} for s in workflow.steps.order_by("position")]
    return {
        "name": workflow.name, "description": workflow.description,
        "trigger": workflow.trigger,
        "trigger_config": json.dumps(workflow.trigger_config, indent=2),
        "reentry": workflow.reentry, "reentry_days": workflow.reentry_days,
        "goal": json.dumps(workflow.goal, indent=2) if workflow.goal else "",
        "steps": json.dumps(steps, indent=2, ensure_ascii=False),
    }  # fmt: skip


def _editor(request: HttpRequest, workflow: Workflow | None) -> HttpResponse:
    """The editor: steps as form rows (the step builder), or as JSON with ``?json=1``
    (and whenever JSON steps are posted, as scripts and older forms do)."""
    preview: list[str] = []
    steps: Any = None
    trigger_config: Any = None
    action = ""
    builder = request.GET.get("json") != "1"
    if request.method == "POST":
        post: QueryDict = request.POST
        builder = "step_count" in post
        if builder:
            steps = step_builder.parse(post)
            action = post.get("step_action", "")
            if action:
                steps = step_builder.apply_action(steps, action)
            post = post.copy()
            post["steps"] = json.dumps(steps)
            if "trigger_fields" in post:
                trigger_config = step_builder.parse_trigger(post, post.get("trigger", ""))
                post["trigger_config"] = json.dumps(trigger_config)
        form = WorkflowForm(post)
        if form.is_valid():
            data = form.cleaned_data
            preview = _preview(data)
            if "preview" not in post and not action:
                try:
                    saved = services.save_workflow(
                        actor=request.user, workflow=workflow, name=data["name"],
                        description=data["description"], trigger=data["trigger"],
                        trigger_config=data["trigger_config"], reentry=data["reentry"],
                        reentry_days=data["reentry_days"], goal=data["goal"],
                        steps=data["steps"],
                    )  # fmt: skip
                except ValidationError as exc:
                    _attach(form, exc)
                else:
                    messages.success(request, f"Saved “{saved.name}”.")
                    return redirect("workflow", saved.pk)
    else:
        form = WorkflowForm(initial=_initial(workflow))
        steps = json.loads(form.initial["steps"])
        preview = _preview({"steps": steps})
        trigger_config = json.loads(form.initial["trigger_config"] or "{}")
    reference = [
        {"kind": kind, "label": label, "settings": sorted(SETTINGS[kind]), "exits": exits_of(kind)}
        for kind, label in StepKind.choices
    ]
    return render(
        request,
        "automations/workflow_form.html",
        {
            "form": form, "workflow": workflow, "preview": preview, "reference": reference,
            "builder": builder, "kinds": StepKind.choices,
            # The segment rule builder's fields and options, for the goal and conditions.
            "registry": editor_registry(),
            "rows": step_builder.view_rows(steps) if builder and isinstance(steps, list) else [],
            "trigger_rows": _trigger_rows(form) if builder and trigger_config is not None else None,
        },
    )  # fmt: skip


def _trigger_rows(form: WorkflowForm) -> list[dict[str, Any]]:
    """The trigger's settings as fields; choosing another trigger redraws them."""
    form.fields["trigger"].widget.attrs["data-redraw"] = ""
    trigger = form["trigger"].value() or ""
    raw = form["trigger_config"].value() or "{}"
    try:
        config = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        config = {}
    return step_builder.trigger_rows(str(trigger), config)


def _attach(form: WorkflowForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_http_methods(["GET", "POST"])
@role_required("edit")
def workflow_new(request: HttpRequest) -> HttpResponse:
    return _editor(request, None)


@require_http_methods(["GET", "POST"])
@role_required("edit")
def workflow_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _editor(request, get_object_or_404(Workflow, pk=pk))


@require_POST
@role_required("edit")
def workflow_status(request: HttpRequest, pk: int) -> HttpResponse:
    workflow = get_object_or_404(Workflow, pk=pk)
    try:
        if request.POST.get("action") == "pause":
            services.pause_workflow(workflow, actor=request.user)
            messages.success(request, "Paused. Everyone keeps their place until you resume.")
        else:
            services.activate_workflow(workflow, actor=request.user)
            messages.success(request, "Running.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("workflow", workflow.pk)


@require_POST
@role_required("edit")
def workflow_enroll(request: HttpRequest, pk: int) -> HttpResponse:
    workflow = get_object_or_404(Workflow, pk=pk)
    form = EnrollForm(request.POST)
    person = None
    if form.is_valid():
        person = queries.person_by_id_or_email(form.cleaned_data["person"].strip())
    if person is None:
        messages.error(request, "No person with that email or id.")
        return redirect("workflow", workflow.pk)
    try:
        services.enroll_person(workflow, person, actor=request.user)
        messages.success(request, f"{person} is in “{workflow.name}” at step 1.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("workflow", workflow.pk)
