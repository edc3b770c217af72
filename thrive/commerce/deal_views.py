"""The deal pipeline pages: the board, moves (a form per card, or the board's script
asking for JSON), quick-add per column, next steps, won deals into orders, the owner's
stages and lost reasons, the forecast and the deals that need attention. Thin: parse,
call a service or a query, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from thrive.core.roles import can_edit, can_manage, role_required

from . import deal_board, deal_pipeline, services
from .deal_forms import LostReasonForm, MoveForm, NextStepForm, QuickAddForm, StageForm
from .models import Deal, DealStage, LostReason


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _errors(exc: ValidationError) -> list[str]:
    """A service error as sentences naming their field ("Lost because: …")."""
    labels = {"lost_reason": "Lost because", "value": "Value", "next_step": "Next step",
              "next_step_due": "Next step due", "stage": "Stage", "title": "Title",
              "name": "Name", "probability": "Win probability", "label": "Reason",
              "is_lost": "Lost"}  # fmt: skip
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    return [
        f"{labels.get(field, field.replace('_', ' ').capitalize())}: {message}"
        if field != "__all__" else message
        for field, errors in exc.message_dict.items()
        for message in errors
    ]  # fmt: skip


def _form_errors(form: Any) -> list[str]:
    out = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        out += [f"{label}: {e}" if label and name != "stage" else str(e) for e in errors]
    return out


def _board_page(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    columns = deal_board.board()
    reasons = deal_board.lost_reasons()
    context = {
        "columns": columns,
        "stages": [c.stage for c in columns],
        "reasons": reasons,
        "can_edit": can_edit(request.user),
        "can_manage": can_manage(request.user),
        "no_next_step": len(deal_board.without_next_step()),
        "stuck": len(deal_board.stuck()),
        "quick_add": QuickAddForm(),
        **extra,
    }
    return render(request, "commerce/deal_board.html", context, status=status)


def deal_board_view(request: HttpRequest) -> HttpResponse:
    return _board_page(request)


def _refused(request: HttpRequest, deal: Deal | None, errors: list[str]) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"ok": False, "errors": errors}, status=400)
    what = f"“{deal.title}”: " if deal is not None else ""
    return _board_page(request, status=400, board_errors=[what + e for e in errors])


@require_POST
@role_required("edit")
def deal_move(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_object_or_404(Deal.objects.select_related("stage", "person"), pk=pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _refused(request, deal, _form_errors(form))
    stage = form.cleaned_data["stage"]
    try:
        moved = deal_pipeline.move_deal(deal, stage, actor=request.user, lost_reason=form.reason())
    except ValidationError as exc:
        return _refused(request, deal, _errors(exc))
    if _wants_json(request):
        return JsonResponse({"ok": True, "deal": moved.pk, "stage": stage.pk,
                             "message": f"“{moved.title}” moved to {stage.name}."})  # fmt: skip
    messages.success(request, f"“{moved.title}” moved to {stage.name}.")
    return redirect(f"{reverse('deal_board')}#deal-{moved.pk}")


@require_POST
@role_required("edit")
def deal_quick_add(request: HttpRequest) -> HttpResponse:
    form = QuickAddForm(request.POST)
    if not form.is_valid():
        return _refused(request, None, _form_errors(form))
    data = form.cleaned_data
    try:
        deal = services.save_deal(
            None, actor=request.user, title=data["title"], person=data["person"],
            value=data["value"], currency=data["currency"], stage=data["stage"],
            expected_close=data["expected_close"], owner=request.user,
        )  # fmt: skip
    except ValidationError as exc:
        return _refused(request, None, _errors(exc))
    messages.success(request, f"Deal “{deal.title}” added to {deal.stage.name}.")
    return redirect(f"{reverse('deal_board')}#deal-{deal.pk}")


@require_POST
@role_required("edit")
def deal_next_step(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_object_or_404(Deal, pk=pk)
    form = NextStepForm(request.POST)
    if not form.is_valid():
        return _refused(request, deal, _form_errors(form))
    try:
        deal_pipeline.set_next_step(
            deal, actor=request.user, text=form.cleaned_data["next_step"],
            due=form.cleaned_data["next_step_due"],
        )  # fmt: skip
    except ValidationError as exc:
        return _refused(request, deal, _errors(exc))
    messages.success(request, f"Next step of “{deal.title}” saved.")
    return redirect(f"{reverse('deal_board')}#deal-{deal.pk}")


@require_POST
@role_required("edit")
def deal_order(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_object_or_404(Deal, pk=pk)
    try:
        order = deal_pipeline.order_from_deal(deal, actor=request.user)
    except ValidationError as exc:
        for error in _errors(exc):
            messages.error(request, f"“{deal.title}”: {error}")
        return redirect("deal_board")
    messages.success(request, f"Order {order.number} recorded for “{deal.title}” (pending).")
    return redirect("order", pk=order.pk)


def deal_forecast_view(request: HttpRequest) -> HttpResponse:
    rows, rates = deal_board.forecast()
    stages = list(DealStage.objects.order_by("position", "id"))
    return render(
        request,
        "commerce/deal_forecast.html",
        {"rows": rows, "rates": [(s, rates[s.pk]) for s in stages if s.pk in rates]},
    )


def deal_attention(request: HttpRequest) -> HttpResponse:
    usual = deal_board.usual_days()
    stages = list(DealStage.objects.filter(pk__in=list(usual)).order_by("position"))
    return render(
        request,
        "commerce/deal_attention.html",
        {
            "no_next_step": deal_board.without_next_step(),
            "stuck": deal_board.stuck(),
            "usual": [(s, usual[s.pk]) for s in stages],
            "can_edit": can_edit(request.user),
        },
    )


# -- the owner's stages and lost reasons ------------------------------------------------------


def _stages_page(request: HttpRequest, *, status: int = 200, **forms_: Any) -> HttpResponse:
    stages = list(DealStage.objects.order_by("position", "id"))
    rows = [
        (stage, forms_.get(f"stage_{stage.pk}") or StageForm(
            prefix=f"s{stage.pk}",
            initial={"name": stage.name, "probability": f"{stage.probability * 100:g}",
                     "is_won": stage.is_won, "is_lost": stage.is_lost},
        ))
        for stage in stages
    ]  # fmt: skip
    return render(
        request,
        "commerce/deal_stages.html",
        {
            "rows": rows,
            "new_form": forms_.get("new_form") or StageForm(prefix="new"),
            "reasons": LostReason.objects.all(),
            "reason_form": forms_.get("reason_form") or LostReasonForm(),
        },
        status=status,
    )


@role_required("manage")
def deal_stages(request: HttpRequest) -> HttpResponse:
    """Add a stage (POST) or look at them all (GET)."""
    if request.method != "POST":
        return _stages_page(request)
    form = StageForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            stage = deal_pipeline.save_stage(None, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for error in _errors(exc):
                form.add_error(None, error)
        else:
            messages.success(request, f"Stage “{stage.name}” added at the end of the board.")
            return redirect("deal_stages")
    return _stages_page(request, status=400, new_form=form)


@require_POST
@role_required("manage")
def deal_stage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    stage = get_object_or_404(DealStage, pk=pk)
    action = request.POST.get("action", "save")
    try:
        if action in {"up", "down"}:
            deal_pipeline.shift_stage(stage, actor=request.user, step=-1 if action == "up" else 1)
            return redirect("deal_stages")
        if action == "delete":
            deal_pipeline.delete_stage(stage, actor=request.user)
            messages.success(request, f"Stage “{stage.name}” removed.")
            return redirect("deal_stages")
    except ValidationError as exc:
        for error in _errors(exc):
            messages.error(request, error)
        return redirect("deal_stages")
    form = StageForm(request.POST, prefix=f"s{stage.pk}")
    if form.is_valid():
        try:
            deal_pipeline.save_stage(stage, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for error in _errors(exc):
                form.add_error(None, error)
        else:
            messages.success(request, f"Stage “{stage.name}” saved.")
            return redirect("deal_stages")
    stage.refresh_from_db()
    return _stages_page(request, status=400, **{f"stage_{stage.pk}": form})


@require_POST
@role_required("manage")
def deal_reason_add(request: HttpRequest) -> HttpResponse:
    form = LostReasonForm(request.POST)
    if form.is_valid():
        try:
            deal_pipeline.add_lost_reason(actor=request.user, label=form.cleaned_data["label"])
        except ValidationError as exc:
            for error in _errors(exc):
                form.add_error(None, error)
        else:
            messages.success(request, "Lost reason added.")
            return redirect("deal_stages")
    return _stages_page(request, status=400, reason_form=form)


@require_POST
@role_required("manage")
def deal_reason_remove(request: HttpRequest, pk: int) -> HttpResponse:
    reason = get_object_or_404(LostReason, pk=pk)
    deal_pipeline.remove_lost_reason(reason, actor=request.user)
    messages.success(request, f"“{reason.label}” is no longer offered.")
    return redirect("deal_stages")
