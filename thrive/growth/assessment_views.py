"""The assessment page at ``growth/assessment/`` and the forms it posts to.

Everyone signed in may read it; every change needs an editing role. Bad input comes back as
a message naming the field and the reason; nothing is half-written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from thrive.accounts.queries import business_name
from thrive.core import business
from thrive.core.roles import can_edit, role_required

from . import assessment_queries as queries
from . import assessment_services as services
from . import charts
from .assessment_forms import (
    CashForm,
    CompetitorForm,
    FactorForm,
    ResourceForm,
    ResourceStatusForm,
    StrategyForm,
    SwotEditForm,
    SwotForm,
    errors_in_words,
)
from .models import CanvasAction, CanvasFactor, Competitor, Resource, ResourceStatus, SwotItem


def assessment_context() -> dict[str, Any]:
    """What the page and the printed health check show of the assessment."""
    data = queries.assessment()
    currency = business.currency()
    return {
        **data,
        "canvas_chart": charts.strategy_canvas_chart(data["canvas"], business_name()),
        "runway_words": data["runway"].words(currency),
        "assessed_on": timezone.localdate(),
    }


@require_GET
def assessment(request: HttpRequest) -> HttpResponse:
    strategy = queries.strategy()
    return render(
        request,
        "growth/assessment.html",
        {
            "here": "growth",
            "section": "assessment",
            "can_edit": can_edit(request.user),
            "currency": business.currency(),
            "swot_form": SwotForm(),
            "competitor_form": CompetitorForm(),
            "factor_form": FactorForm(),
            "cash_form": CashForm(initial={"month": timezone.localdate().replace(day=1)}),
            "resource_form": ResourceForm(),
            "strategy_form": StrategyForm(
                initial={"stance": strategy.stance, "why": strategy.why} if strategy else None
            ),
            "actions": CanvasAction.choices,
            "resource_statuses": ResourceStatus.choices,
            **assessment_context(),
        },
    )


def _submit(
    request: HttpRequest, form: forms.Form, act: Callable[[dict[str, Any]], Any], done: str
) -> HttpResponse:
    if not form.is_valid():
        messages.error(request, "Not saved: " + errors_in_words(form))
    else:
        try:
            act(form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "Not saved: " + " ".join(exc.messages))
        else:
            messages.success(request, done)
    return redirect("growth_assessment")


@require_POST
@role_required("edit")
def swot_add(request: HttpRequest) -> HttpResponse:
    return _submit(
        request,
        SwotForm(request.POST),
        lambda d: services.add_swot_item(actor=request.user, **d),
        "Added to the SWOT.",
    )


@require_POST
@role_required("edit")
def swot_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(SwotItem, pk=pk)
    return _submit(
        request,
        SwotEditForm(request.POST),
        lambda d: services.edit_swot_item(item, actor=request.user, text=d["text"]),
        "SWOT item updated.",
    )


@require_POST
@role_required("edit")
def swot_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.delete_swot_item(get_object_or_404(SwotItem, pk=pk), actor=request.user)
    messages.success(request, "SWOT item removed.")
    return redirect("growth_assessment")


@require_POST
@role_required("edit")
def swot_spawn(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    item = get_object_or_404(SwotItem, pk=pk)
    try:
        if what == "goal":
            goal = services.spawn_goal(item, actor=request.user)
        else:
            exp = services.spawn_experiment(item, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("growth_assessment")
    if what == "goal":
        messages.success(request, "Goal created from the SWOT: set its numbers.")
        return redirect("growth_goal_edit", pk=goal.pk)
    messages.success(request, "Experiment added to the backlog from the SWOT.")
    return redirect("growth_experiment", pk=exp.pk)


@require_POST
@role_required("edit")
def competitor_add(request: HttpRequest) -> HttpResponse:
    return _submit(
        request,
        CompetitorForm(request.POST),
        lambda d: services.add_competitor(actor=request.user, **d),
        "Competitor added.",
    )


@require_POST
@role_required("edit")
def competitor_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.delete_competitor(get_object_or_404(Competitor, pk=pk), actor=request.user)
    messages.success(request, "Competitor removed.")
    return redirect("growth_assessment")


@require_POST
@role_required("edit")
def factor_add(request: HttpRequest) -> HttpResponse:
    return _submit(
        request,
        FactorForm(request.POST),
        lambda d: services.add_factor(actor=request.user, **d),
        "Factor added to the canvas.",
    )


@require_POST
@role_required("edit")
def factor_score(request: HttpRequest, pk: int) -> HttpResponse:
    factor = get_object_or_404(CanvasFactor, pk=pk)
    competitors = {
        int(key.removeprefix("c")): str(value).strip()
        for key, value in request.POST.items()
        if key.startswith("c") and key[1:].isdigit()
    }
    try:
        services.score_factor(
            factor,
            actor=request.user,
            our_score=request.POST.get("our_score"),
            action=request.POST.get("action", ""),
            competitors=competitors,
        )
    except ValidationError as exc:
        messages.error(request, f"{factor.name} not saved: " + " ".join(exc.messages))
    else:
        messages.success(request, f"Scores for {factor.name} saved.")
    return redirect("growth_assessment")


@require_POST
@role_required("edit")
def factor_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.delete_factor(get_object_or_404(CanvasFactor, pk=pk), actor=request.user)
    messages.success(request, "Factor removed.")
    return redirect("growth_assessment")


@require_POST
@role_required("edit")
def cash_save(request: HttpRequest) -> HttpResponse:
    form = CashForm(request.POST)
    done = "Cash figures saved."
    if form.is_valid():
        done = f"Cash figures for {form.cleaned_data['month']:%B %Y} saved."
    return _submit(request, form, lambda d: services.save_cash_month(actor=request.user, **d), done)


@require_POST
@role_required("edit")
def resource_add(request: HttpRequest) -> HttpResponse:
    return _submit(
        request,
        ResourceForm(request.POST),
        lambda d: services.add_resource(actor=request.user, **d),
        "Added to the resource checklist.",
    )


@require_POST
@role_required("edit")
def resource_status(request: HttpRequest, pk: int) -> HttpResponse:
    resource = get_object_or_404(Resource, pk=pk)
    return _submit(
        request,
        ResourceStatusForm(request.POST),
        lambda d: services.set_resource_status(resource, actor=request.user, **d),
        f"{resource.name}: status updated.",
    )


@require_POST
@role_required("edit")
def resource_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.delete_resource(get_object_or_404(Resource, pk=pk), actor=request.user)
    messages.success(request, "Removed from the checklist.")
    return redirect("growth_assessment")


@require_POST
@role_required("edit")
def strategy_save(request: HttpRequest) -> HttpResponse:
    return _submit(
        request,
        StrategyForm(request.POST),
        lambda d: services.choose_strategy(actor=request.user, **d),
        "Generic strategy saved.",
    )
