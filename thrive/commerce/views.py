"""Order and deal pages. Thin: parse, call a commerce service or query, render."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from thrive.contacts.models import Organization, Person
from thrive.core.forms import add_service_errors
from thrive.core.roles import role_required

from . import queries, services
from .forms import BaseLineFormSet, DealForm, LineFormSet, OrderForm, RefundForm, VoidForm
from .models import Deal, OrderStatus


def _id_param(request: HttpRequest, name: str) -> int | None:
    raw = (request.GET.get(name) or "").strip()
    return int(raw) if raw.isdigit() else None


# The services' names for the fields whose form names differ.
_FORM_NAMES = {"ordered_at": "ordered_on"}


@role_required("edit")
def order_new(request: HttpRequest) -> HttpResponse:
    """Record an order by hand through the same service as imports and the API."""
    person = None
    person_id = _id_param(request, "person")
    if person_id is not None:
        person = Person.objects.filter(pk=person_id).first()
    if request.method == "POST":
        form = OrderForm(request.POST)
        lines = LineFormSet(request.POST, prefix="lines")
        if form.is_valid() and lines.is_valid():
            try:
                order = services.record_order(
                    form.cleaned_data["customer"], actor=request.user,
                    number=form.cleaned_data["number"], ordered_at=form.ordered_at(),
                    currency=form.cleaned_data["currency"], channel=form.cleaned_data["channel"],
                    status=form.cleaned_data["status"], source="manual",
                    lines=[
                        services.LineInput(
                            quantity=line["quantity"], unit_price=line["unit_price"],
                            sku=line["product"].sku if line.get("product") else "",
                            description=(line.get("description") or "").strip(),
                        )
                        for line in cast(BaseLineFormSet, lines).filled()
                    ],
                )  # fmt: skip
            except ValidationError as exc:
                add_service_errors(form, exc, rename=_FORM_NAMES, lines=lines)
            else:
                messages.success(request, f"Order {order.number} recorded.")
                return redirect("order", pk=order.pk)
        if person is None and "customer" in getattr(form, "cleaned_data", {}):
            person = form.cleaned_data["customer"]
        status = 400
    else:
        form = OrderForm(
            initial={
                "customer": str(person.pk) if person else "",
                "number": queries.suggested_order_number(),
            }
        )
        lines = LineFormSet(prefix="lines")
        status = 200
    return render(
        request,
        "commerce/order_new.html",
        {
            "form": form,
            "lines": lines,
            "person": person,
            "unknown_person": person_id and not person,
        },
        status=status,
    )


def _order_page(
    request: HttpRequest, order: Any, *, status: int = 200, **forms_: Any
) -> HttpResponse:
    remaining = order.total - order.refunded
    return render(
        request,
        "commerce/order_detail.html",
        {
            "order": order,
            "remaining": remaining,
            "entries": queries.order_timeline(order),
            "refund_form": forms_.get("refund_form") or RefundForm(initial={"amount": remaining}),
            "void_form": forms_.get("void_form") or VoidForm(),
            "can_refund": order.status in {OrderStatus.COMPLETED, OrderStatus.PARTIALLY_REFUNDED}
            and remaining > 0,
            "can_void": order.status in {OrderStatus.COMPLETED, OrderStatus.PENDING}
            and not order.refunded,
            "can_complete": order.status == OrderStatus.PENDING,
        },
        status=status,
    )


def _order(pk: int) -> Any:
    order = queries.order_with_lines(pk)
    if order is None:
        raise Http404("No such order.")
    return order


def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_page(request, _order(pk))


@require_POST
@role_required("edit")
def order_refund(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(pk)
    form = RefundForm(request.POST)
    if form.is_valid():
        try:
            services.refund_order(
                order, form.cleaned_data["amount"], actor=request.user,
                reason=form.cleaned_data["reason"],
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc, rename=_FORM_NAMES)
        else:
            messages.success(request, f"Refunded {form.cleaned_data['amount']} {order.currency}.")
            return redirect("order", pk=order.pk)
    return _order_page(request, order, status=400, refund_form=form)


@require_POST
@role_required("edit")
def order_void(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(pk)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            services.void_order(order, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc, rename=_FORM_NAMES)
        else:
            messages.success(request, f"Order {order.number} voided.")
            return redirect("order", pk=order.pk)
    return _order_page(request, order, status=400, void_form=form)


@require_POST
@role_required("edit")
def order_complete(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(pk)
    try:
        services.complete_order(order, actor=request.user)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(request, f"Order {order.number} marked as paid.")
    return redirect("order", pk=order.pk)


# -- deals ------------------------------------------------------------------------------


@role_required("edit")
def deal_new(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {"owner": request.user.pk}
    person_id, org_id = _id_param(request, "person"), _id_param(request, "organization")
    if person_id and Person.objects.filter(pk=person_id).exists():
        initial["person"] = str(person_id)
    if org_id and Organization.objects.filter(pk=org_id).exists():
        initial["organization"] = org_id
    return _deal_form(request, None, initial)


@role_required("edit")
def deal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_object_or_404(Deal.objects.select_related("stage", "person", "organization"), pk=pk)
    return _deal_form(request, deal, {})


def _deal_form(request: HttpRequest, deal: Deal | None, initial: dict[str, Any]) -> HttpResponse:
    form = DealForm(request.POST or None, instance=deal, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_deal(deal, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, rename=_FORM_NAMES)
        else:
            messages.success(request, f"Deal “{saved.title}” saved.")
            if saved.person_id:
                return redirect("person", pk=saved.person_id)
            return redirect("organization", pk=saved.organization_id)
    return render(
        request,
        "commerce/deal_form.html",
        {"form": form, "deal": deal, "history": queries.deal_history(deal) if deal else []},
        status=400 if request.method == "POST" else 200,
    )
