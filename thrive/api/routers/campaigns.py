"""Campaigns, read-only, with their numbers (sends, opens, clicks… counted in SQL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from thrive.outreach.models import Campaign, Delivery
from thrive.outreach.reports import numbers

from ..pagination import PageQuery, page_of, paginate
from ..types import ERRORS, Id

router = Router(tags=["campaigns"])


class CampaignOut(Schema):
    id: int
    name: str
    segment_id: int
    purpose: str
    status: str
    holdout_percent: int
    scheduled_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    stopped_reason: str
    created_at: dt.datetime


class CampaignNumbers(Schema):
    recipients: int
    held_out: int
    skipped: int
    pending: int
    failed: int
    sent: int
    delivered: int
    opened: int
    clicked: int
    unsubscribed: int
    bounced: int
    complained: int
    opened_rate: float | None
    clicked_rate: float | None
    unsubscribed_rate: float | None
    bounced_rate: float | None
    complained_rate: float | None


class CampaignDetail(CampaignOut):
    numbers: CampaignNumbers


@router.get("/campaigns", response={200: page_of(CampaignOut), **ERRORS})
def list_campaigns(request: HttpRequest, page: Query[PageQuery]) -> Any:
    return paginate(request, Campaign.objects.all(), page)


@router.get("/campaigns/{campaign_id}", response={200: CampaignDetail, **ERRORS})
def get_campaign(request: HttpRequest, campaign_id: Id) -> Any:
    """A campaign with its numbers; rates are shares of the emails sent (null if none)."""
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    counts = numbers.totals(Delivery.objects.filter(campaign=campaign))
    numbers_now = {
        key: counts.get(key) if key.endswith("_rate") else counts.get(key) or 0
        for key in CampaignNumbers.model_fields
    }
    campaign.numbers = numbers_now  # type: ignore[attr-defined]
    return campaign
