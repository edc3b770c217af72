"""The webhooks page: subscriptions (secret shown once), pause/resume, the delivery
log with each try's outcome, and replay."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from thrive.core.roles import can_edit, role_required

from . import queries, services
from .forms import SubscriptionForm
from .models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from .signing import HEADER

LOG_ROWS = 100


@role_required("edit", writes_only=True)
def webhook_list(request: HttpRequest) -> HttpResponse:
    form = SubscriptionForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            made = services.create_subscription(
                actor=request.user, url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
                description=form.cleaned_data["description"],
            )  # fmt: skip
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            secret = made.secret
            form = SubscriptionForm()
    status = request.GET.get("status", "")
    deliveries = queries.delivery_log(status, LOG_ROWS)
    subscriptions = queries.subscriptions_with_counts()
    return render(
        request,
        "webhooks/list.html",
        {
            "here": "api", "form": form, "secret": secret, "subscriptions": subscriptions,
            "deliveries": deliveries, "status": status,
            "statuses": DeliveryStatus.choices, "can_edit": can_edit(request.user),
            "header": HEADER, "max_attempts": services.max_attempts(),
            "retry_base": int(services.retry_base_seconds()),
        },
    )  # fmt: skip


@require_POST
@role_required("edit")
def webhook_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    services.set_active(subscription, not subscription.active, actor=request.user)
    state = "resumed" if subscription.active else "paused"
    messages.success(request, f"Webhook to {subscription.url} {state}.")
    return redirect("webhooks")


@require_POST
@role_required("edit")
def delivery_replay(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    services.replay(delivery, actor=request.user)
    messages.success(request, f"Event {delivery.event_id} queued to send again.")
    return redirect("webhooks")
