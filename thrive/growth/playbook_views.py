"""Pages of the roadmap (``growth/roadmap/``) and playbooks (``growth/playbooks/``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from thrive.core.roles import can_edit, role_required
from thrive.voice.models import Idea

from . import playbook_services as services
from . import roadmap_queries
from .assessment_forms import errors_in_words
from .models import Playbook, PlaybookAssignment, PlaybookStep
from .playbook_forms import AssignForm, LinkForm, ProcedureForm, StepForm, TickForm
from .roadmap_services import idea_to_experiment


def _base(request: HttpRequest, section: str, **extra: Any) -> dict[str, Any]:
    return {"here": "growth", "section": section, "can_edit": can_edit(request.user), **extra}


@require_GET
def roadmap(request: HttpRequest) -> HttpResponse:
    items = roadmap_queries.timeline()
    return render(
        request,
        "growth/roadmap.html",
        _base(
            request,
            "roadmap",
            items=items,
            phases=roadmap_queries.by_phase(items),
            goals=[i for i in items if i.kind == "goal"],
            ideas=roadmap_queries.candidate_ideas(),
        ),
    )


@require_POST
@role_required("edit")
def idea_experiment(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_object_or_404(Idea, pk=pk)
    try:
        exp = idea_to_experiment(idea, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("growth_roadmap")
    messages.success(request, "The idea is on the backlog; its voters were told it is planned.")
    return redirect("growth_experiment", pk=exp.pk)


@require_GET
def playbooks(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "growth/playbooks.html",
        _base(
            request,
            "playbooks",
            trained=roadmap_queries.trained_on(),
            form=ProcedureForm(),
        ),
    )


@require_POST
@role_required("edit")
def procedure_new(request: HttpRequest) -> HttpResponse:
    form = ProcedureForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not saved: " + errors_in_words(form))
        return redirect("growth_playbooks")
    procedure = services.create_procedure(actor=request.user, **form.cleaned_data)
    messages.success(request, "Standard procedure added: now list its manual steps.")
    return redirect("growth_playbook", pk=procedure.pk)


@require_GET
def playbook(request: HttpRequest, pk: int) -> HttpResponse:
    book = get_object_or_404(
        Playbook.objects.select_related("experiment", "workflow", "segment"), pk=pk
    )
    steps = list(book.steps.select_related("owner"))
    assignments = []
    for a in book.assignments.select_related("associate").prefetch_related("ticks"):
        ticked = {t.step_id for t in a.ticks.all()}
        assignments.append(
            {
                "a": a,
                "steps": [(s, s.pk in ticked) for s in steps],
                "done": len(ticked & {s.pk for s in steps}),
                "mine": a.associate_id == request.user.pk,
            }
        )
    return render(
        request,
        "growth/playbook_detail.html",
        _base(
            request,
            "playbooks",
            book=book,
            steps=steps,
            assignments=assignments,
            step_form=StepForm(),
            assign_form=AssignForm(),
            link_form=LinkForm(
                initial={
                    "workflow": book.workflow_id,
                    "segment": book.segment_id,
                    "templates": list(book.templates.values_list("pk", flat=True)),
                }
            ),
            templates=book.templates.all(),
        ),
    )


def _done(request: HttpRequest, pk: int, ok: str, act: Any) -> HttpResponse:
    try:
        act()
    except ValidationError as exc:
        messages.error(request, "Not saved: " + " ".join(exc.messages))
    else:
        messages.success(request, ok)
    return redirect("growth_playbook", pk=pk)


@require_POST
@role_required("edit")
def step_add(request: HttpRequest, pk: int) -> HttpResponse:
    book = get_object_or_404(Playbook, pk=pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not saved: " + errors_in_words(form))
        return redirect("growth_playbook", pk=pk)
    return _done(
        request, pk, "Step added.",
        lambda: services.add_step(book, actor=request.user, **form.cleaned_data),
    )  # fmt: skip


@require_POST
@role_required("edit")
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    book = get_object_or_404(Playbook, pk=pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not saved: " + errors_in_words(form))
        return redirect("growth_playbook", pk=pk)
    who = form.cleaned_data["associate"]
    return _done(
        request, pk, f"{who} is assigned to this playbook.",
        lambda: services.assign(book, actor=request.user, associate=who),
    )  # fmt: skip


@require_POST
def tick(request: HttpRequest, pk: int) -> HttpResponse:
    """The assigned colleague ticks their own steps (any role); editors may tick for others."""
    book = get_object_or_404(Playbook, pk=pk)
    form = TickForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not saved: " + errors_in_words(form))
        return redirect("growth_playbook", pk=pk)
    who = form.cleaned_data["associate"] or request.user.pk
    assignment = get_object_or_404(PlaybookAssignment, playbook=book, associate_id=who)
    step = get_object_or_404(PlaybookStep, pk=form.cleaned_data["step"], playbook=book)
    services.tick(assignment, step, actor=request.user, done=form.cleaned_data["done"])
    return redirect("growth_playbook", pk=pk)


@require_POST
@role_required("edit")
def link(request: HttpRequest, pk: int) -> HttpResponse:
    book = get_object_or_404(Playbook, pk=pk)
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not saved: " + errors_in_words(form))
        return redirect("growth_playbook", pk=pk)
    return _done(
        request, pk, "Automation links saved.",
        lambda: services.link_automation(book, actor=request.user, **form.cleaned_data),
    )  # fmt: skip
