"""Campaign pages: the list, a new campaign, a campaign's numbers, editing before it
starts, send, cancel and stop."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thrive.analytics.money_outcomes import WINDOWS, window_days
from thrive.core import business
from thrive.core.roles import role_required

from .. import queries
from ..forms import CampaignEditForm, CampaignForm, ScheduleForm
from ..models import Campaign, CampaignStatus, Delivery
from ..reports import numbers
from ..reports.explain import skip_words
from ..reports.money import campaign_money
from ..sending.dispatch import (
    NOT_STARTED,
    cancel_campaign,
    create_campaign,
    send_campaign,
    stop_campaign,
    update_campaign,
)


@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = list(Campaign.objects.select_related("segment").order_by("-created_at")[:200])
    counts = numbers.by(Delivery.objects.filter(campaign__in=campaigns), "campaign")
    rows = [(c, counts.get(c.pk)) for c in campaigns]
    return render(request, "outreach/campaign_list.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@role_required("edit")
def campaign_new(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = create_campaign(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Campaign saved as a draft. Check it, then send it.")
            return redirect(campaign)
    return render(request, "outreach/campaign_new.html", {"form": form})


@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.select_related("segment"), pk=pk)
    deliveries = Delivery.objects.filter(campaign=campaign)
    per_variant = numbers.by(deliveries, "variant")
    skipped_url = reverse("campaign_skipped", args=[campaign.pk])
    variants = [
        (v, per_variant.get(v.pk), f"{skipped_url}?variant={v.pk}")
        for v in campaign.variants.select_related("template")
    ]
    # "Send now" schedules for now; until the worker takes it the campaign is starting,
    # not waiting for a time, and no longer something to edit.
    starting = bool(
        campaign.status == CampaignStatus.SCHEDULED
        and campaign.scheduled_at
        and campaign.scheduled_at <= timezone.now()
    )
    money = (
        campaign_money(campaign, days=window_days(request.GET.get("days", "")))
        if campaign.started_at
        else None
    )
    return render(
        request,
        "outreach/campaign_detail.html",
        {
            "campaign": campaign,
            "money": money,
            "money_windows": WINDOWS,
            "currency": business.currency(),
            "variants": variants,
            "skipped_url": skipped_url,
            "starting": starting,
            "totals": numbers.totals(deliveries),
            "holdout": per_variant.get(None),
            "schedule_form": ScheduleForm(),
            "zone": timezone.get_current_timezone_name(),
            "audience": campaign.segment.people().exclude(email__isnull=True).count()
            if campaign.is_editable
            else None,
        },
    )


@require_GET
def campaign_skipped(request: HttpRequest, pk: int) -> HttpResponse:
    """Who the campaign skipped and why: the people behind its "Skipped" figure."""
    campaign = get_object_or_404(Campaign, pk=pk)
    variant = request.GET.get("variant", "")
    chosen = campaign.variants.filter(pk=int(variant)).first() if variant.isdigit() else None
    rows = queries.skipped_deliveries(campaign, variant=chosen.pk if chosen else None)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "outreach/campaign_skipped.html",
        {
            "campaign": campaign,
            "variant": chosen,
            "reasons": queries.skip_reasons(rows),
            "total": page.paginator.count,
            "page": page,
            "rows": [(d, skip_words(d.skip_reason)) for d in page],
            "held_out": numbers.totals(Delivery.objects.filter(campaign=campaign))["held_out"],
        },
    )


@require_POST
@role_required("edit")
def campaign_send(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        # A time that does not exist in the zone (the spring-forward hour) or is
        # ambiguous (the repeated autumn hour) must not turn into "send now".
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(campaign)
    # Django's DateTimeField read the typed time in the active (the reader's) zone.
    when: dt.datetime | None = form.cleaned_data["when"]
    try:
        send_campaign(campaign, actor=request.user, at=when)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if when and when > timezone.now():
            messages.success(request, f"Scheduled for {_shown(when)}.")
        else:
            messages.success(request, "Sending has started; the numbers below fill in.")
    return redirect(campaign)


@require_POST
@role_required("edit")
def campaign_stop(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    if stop_campaign(campaign, actor=request.user, reason=f"Stopped by {request.user}."):
        messages.success(request, "Campaign stopped; nothing more goes out.")
    return redirect(campaign)


def _shown(when: dt.datetime) -> str:
    """A time as the reader reads it, with its zone."""
    local = timezone.localtime(when)
    return f"{local:%d %b %Y %H:%M} ({timezone.get_current_timezone_name()})"


@require_http_methods(["GET", "POST"])
@role_required("edit")
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.select_related("segment"), pk=pk)
    if campaign.status not in NOT_STARTED:
        messages.error(request, "Only a campaign that has not started sending can be changed.")
        return redirect(campaign)
    variants = {v.label: v for v in campaign.variants.all()}
    a, b = variants.get("A"), variants.get("B")
    initial = {
        "name": campaign.name,
        "segment": campaign.segment_id,
        "purpose": campaign.purpose,
        "template": a.template_id if a else None,
        "subject": a.subject if a else "",
        "variant_b_template": b.template_id
        if b and (not a or b.template_id != a.template_id)
        else None,
        "variant_b_subject": b.subject if b else "",
        "holdout_percent": campaign.holdout_percent,
        "when": timezone.localtime(campaign.scheduled_at).strftime("%Y-%m-%dT%H:%M")
        if campaign.scheduled_at and campaign.status == "scheduled"
        else None,
    }
    form = CampaignEditForm(request.POST or None, initial=initial)
    if campaign.status != "scheduled":
        del form.fields["when"]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        at = data.pop("when", None)  # read in the reader's zone by the form
        try:
            update_campaign(campaign, actor=request.user, at=at, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Campaign saved.")
            return redirect(campaign)
    return render(
        request,
        "outreach/campaign_new.html",
        {"form": form, "campaign": campaign, "zone": timezone.get_current_timezone_name()},
    )


@require_POST
@role_required("edit")
def campaign_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    if cancel_campaign(campaign, actor=request.user):
        messages.success(request, "Campaign cancelled; nothing was sent.")
    else:
        messages.error(request, "It had already started; stop it instead.")
    return redirect(campaign)
