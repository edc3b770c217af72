"""Campaigns: creating them, sending or scheduling, the audience, A/B and holdout,
finishing, and the automatic stop on bounces and complaints."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from thrive.core.roles import check_actor
from thrive.segments.models import Segment

from ..conf import lease_seconds
from ..models import (
    PENDING_STATUSES,
    Campaign,
    CampaignStatus,
    CampaignVariant,
    Delivery,
    DeliveryStatus,
    EmailTemplate,
    MessagePurpose,
    OnCap,
)
from .scheduling import request_pump

# Campaign mail deferred (quiet hours, the weekly budget) longer than this is skipped:
# news a week late is no longer news.
CAMPAIGN_EXPIRY = dt.timedelta(days=7)
HOLDOUT = "holdout"


def assign_variant(
    campaign_id: int, person_id: int, variants: list[CampaignVariant], holdout_percent: int
) -> CampaignVariant | None:
    """The variant ``person_id`` gets, or None for the holdout. Deterministic: the same
    campaign and person always land in the same place, whichever worker asks."""
    digest = hashlib.sha256(f"thrive.ab:{campaign_id}:{person_id}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    share = holdout_percent / 100
    if u < share or not variants:
        return None
    u = (u - share) / (1 - share)
    total = sum(v.weight for v in variants)
    upto = 0.0
    for variant in variants:
        upto += variant.weight / total
        if u < upto:
            return variant
    return variants[-1]


def create_campaign(
    *,
    actor: Any,
    name: str,
    segment: Segment,
    template: EmailTemplate,
    purpose: str = MessagePurpose.EMAIL_MARKETING,
    subject: str = "",
    variant_b_template: EmailTemplate | None = None,
    variant_b_subject: str = "",
    holdout_percent: int = 0,
) -> Campaign:
    """A draft campaign with variant A and, when a second template or subject is given,
    variant B (an even split)."""
    check_actor(actor)
    if purpose not in {MessagePurpose.EMAIL_MARKETING, MessagePurpose.SURVEYS}:
        raise ValidationError({"purpose": "Campaigns are marketing or survey mail."})
    with transaction.atomic():
        campaign = Campaign(
            name=name.strip(),
            segment=segment,
            purpose=purpose,
            holdout_percent=holdout_percent,
            created_by=actor,
        )
        campaign.full_clean()
        campaign.save()
        CampaignVariant.objects.create(
            campaign=campaign, label="A", template=template, subject=subject.strip()
        )
        if variant_b_template is not None or variant_b_subject.strip():
            CampaignVariant.objects.create(
                campaign=campaign,
                label="B",
                template=variant_b_template or template,
                subject=variant_b_subject.strip(),
            )
    return campaign


def send_campaign(campaign: Campaign, *, actor: Any, at: dt.datetime | None = None) -> Campaign:
    """Send now, or schedule for ``at``. Only a draft can be sent; the audience is taken
    from the segment when sending starts."""
    check_actor(actor)
    now = timezone.now()
    when = at if at is not None and at > now else now
    with transaction.atomic():
        updated = Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.DRAFT).update(
            status=CampaignStatus.SCHEDULED, scheduled_at=when
        )
        if not updated:
            raise ValidationError("Only a draft campaign can be sent or scheduled.")
        if not campaign.variants.exists():
            raise ValidationError("The campaign has no message to send.")
        request_pump(when)
    campaign.refresh_from_db()
    return campaign


NOT_STARTED = (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED)


def update_campaign(
    campaign: Campaign,
    *,
    actor: Any,
    name: str,
    segment: Segment,
    template: EmailTemplate,
    purpose: str = MessagePurpose.EMAIL_MARKETING,
    subject: str = "",
    variant_b_template: EmailTemplate | None = None,
    variant_b_subject: str = "",
    holdout_percent: int = 0,
    at: dt.datetime | None = None,
) -> Campaign:
    """Change a campaign that has not started sending: its name, segment, purpose,
    variants (A, and B when a second template or subject is given; B is removed when
    neither is) and holdout; for a scheduled campaign also when it goes out (``at``;
    None keeps the time). Raises ValidationError once sending has started: the audience
    and the messages are fixed from then on.

    The campaign row is locked while it is changed, so a worker starting it meanwhile
    waits and then sends the edited campaign."""
    check_actor(actor)
    if purpose not in {MessagePurpose.EMAIL_MARKETING, MessagePurpose.SURVEYS}:
        raise ValidationError({"purpose": "Campaigns are marketing or survey mail."})
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status not in NOT_STARTED:
            raise ValidationError(
                f"This campaign is {locked.get_status_display().lower()}: only a campaign "
                "that has not started sending can be changed."
            )
        locked.name = name.strip()
        locked.segment = segment
        locked.purpose = purpose
        locked.holdout_percent = holdout_percent
        if at is not None and locked.status == CampaignStatus.SCHEDULED:
            locked.scheduled_at = max(at, timezone.now())
        locked.full_clean()
        locked.save()
        variants = {v.label: v for v in locked.variants.all()}
        a = variants.get("A") or CampaignVariant(campaign=locked, label="A")
        a.template, a.subject = template, subject.strip()
        a.save()
        if variant_b_template is not None or variant_b_subject.strip():
            b = variants.get("B") or CampaignVariant(campaign=locked, label="B")
            b.template, b.subject = variant_b_template or template, variant_b_subject.strip()
            b.save()
        elif "B" in variants:
            variants["B"].delete()
        if locked.status == CampaignStatus.SCHEDULED:
            request_pump(locked.scheduled_at)
    campaign.refresh_from_db()
    return campaign


def cancel_campaign(campaign: Campaign, *, actor: Any) -> bool:
    """Call off a draft or scheduled campaign before anything went out. Returns False
    when it had already started (stop it instead) or was cancelled already."""
    check_actor(actor)
    with transaction.atomic():
        cancelled = Campaign.objects.filter(pk=campaign.pk, status__in=NOT_STARTED).update(
            status=CampaignStatus.STOPPED,
            stopped_reason=f"Cancelled by {actor} before sending."[:255],
            finished_at=timezone.now(),
        )
    campaign.refresh_from_db()
    return bool(cancelled)


def start_due_campaigns(*, now: dt.datetime) -> list[int]:
    """Start scheduled campaigns that are due and finish building unfinished audiences
    (a worker may have died while building one). Returns the campaigns worked on."""
    worked: list[int] = []
    # A builder touches ``updated_at`` after every chunk; one silent for a lease has died.
    stale = now - dt.timedelta(seconds=lease_seconds())
    for campaign in Campaign.objects.filter(
        Q(status=CampaignStatus.SCHEDULED, scheduled_at__lte=now)
        | Q(status=CampaignStatus.SENDING, audience_ready=False, updated_at__lt=stale)
    ).select_related("segment"):
        if campaign.status == CampaignStatus.SCHEDULED:
            claimed = Campaign.objects.filter(
                pk=campaign.pk, status=CampaignStatus.SCHEDULED
            ).update(status=CampaignStatus.SENDING, started_at=now, updated_at=now)
            if not claimed:
                continue
            campaign.started_at = now
        else:
            # Only one worker takes over a dead builder's audience.
            claimed = Campaign.objects.filter(
                pk=campaign.pk, audience_ready=False, updated_at__lt=stale
            ).update(updated_at=now)
            if not claimed:
                continue
        build_audience(campaign, now=now)
        worked.append(campaign.pk)
    return worked


def build_audience(campaign: Campaign, *, now: dt.datetime) -> int:
    """Create a delivery (or a holdout record) for everyone in the segment with an email.

    Idempotent: keys are unique and conflicts are ignored, so a rerun after a crash adds
    only who is missing. Returns how many rows were offered.
    """
    variants = list(campaign.variants.select_related("template").order_by("label"))
    people = (
        campaign.segment.people(now=now)
        .exclude(email__isnull=True)
        .exclude(email="")
        .order_by("pk")
        .only("pk", "email")
    )
    offered = 0
    why = f"In the segment “{campaign.segment.name}” when the campaign “{campaign.name}” started."
    for chunk in _chunks(people, 500):
        rows = []
        for person in chunk:
            variant = assign_variant(campaign.pk, person.pk, variants, campaign.holdout_percent)
            reason = {
                "source": "campaign",
                "campaign": campaign.pk,
                "campaign_name": campaign.name,
                "variant": variant.label if variant else HOLDOUT,
                "why": why,
            }
            row = Delivery(
                idempotency_key=f"campaign:{campaign.pk}:person:{person.pk}",
                person_id=person.pk,
                to_email=person.email or "",
                campaign=campaign,
                purpose=campaign.purpose,
                automated=True,
                on_cap=OnCap.DEFER,
                reason=reason,
                created_at=now,
                next_attempt_at=now,
                expires_at=now + CAMPAIGN_EXPIRY,
            )
            if variant is None:
                row.status, row.skip_reason = DeliveryStatus.SKIPPED, HOLDOUT
                row.decisions = [
                    {
                        "check": "holdout",
                        "passed": False,
                        "at": "queue",
                        "text": f"Picked at random for the {campaign.holdout_percent}% holdout "
                        "that gets nothing, to measure what the campaign changes.",
                    }
                ]
            else:
                row.variant, row.template, row.subject_override = (
                    variant,
                    variant.template,
                    variant.subject,
                )
            rows.append(row)
        Delivery.objects.bulk_create(rows, ignore_conflicts=True)
        offered += len(rows)
        Campaign.objects.filter(pk=campaign.pk).update(updated_at=timezone.now())
    Campaign.objects.filter(pk=campaign.pk).update(audience_ready=True)
    request_pump(now)
    return offered


def _chunks(people: Any, size: int) -> Iterator[list[Any]]:
    """The people ``size`` at a time by id, each read finished before the caller writes:
    on SQLite a read cursor left open across writes pins an old snapshot, and the write
    then fails with "database is locked" as soon as another worker has written."""
    last = 0
    while True:
        chunk = list(people.filter(pk__gt=last)[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def finish_campaigns() -> None:
    """Campaigns whose every delivery is settled are done."""
    for campaign in Campaign.objects.filter(status=CampaignStatus.SENDING, audience_ready=True):
        if not campaign.deliveries.filter(status__in=PENDING_STATUSES).exists():
            Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.SENDING).update(
                status=CampaignStatus.SENT, finished_at=timezone.now()
            )


def stop_campaign(campaign: Campaign, *, actor: Any, reason: str) -> bool:
    """Stop a scheduled or sending campaign; what has not gone out is skipped."""
    if actor is not None:
        check_actor(actor)
    with transaction.atomic():
        stopped = Campaign.objects.filter(
            pk=campaign.pk,
            status__in=[CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.SENDING],
        ).update(
            status=CampaignStatus.STOPPED, stopped_reason=reason[:255], finished_at=timezone.now()
        )
        if stopped:
            # Rows being sent right now are left to the sender, which checks the
            # campaign again under lock before each message.
            Delivery.objects.filter(
                campaign=campaign,
                status__in=[DeliveryStatus.QUEUED, DeliveryStatus.DEFERRED],
                claim_token="",
            ).update(status=DeliveryStatus.SKIPPED, skip_reason="campaign_stopped")
    campaign.refresh_from_db()
    return bool(stopped)


def check_campaign_health(campaign: Campaign) -> bool:
    """Stop the campaign when its bounce or complaint rate passes its threshold, once
    enough messages went out to judge. Returns True if it was stopped now."""
    if campaign.status not in {CampaignStatus.SENDING, CampaignStatus.SCHEDULED}:
        return False
    counts = campaign.deliveries.aggregate(
        sent=Count("id", filter=Q(sent_at__isnull=False)),
        bounced=Count("id", filter=Q(bounced_at__isnull=False)),
        complained=Count("id", filter=Q(complained_at__isnull=False)),
    )
    sent = counts["sent"]
    if sent < max(1, campaign.stop_after_sends):
        return False
    bounce_rate = Decimal(counts["bounced"]) / sent
    complaint_rate = Decimal(counts["complained"]) / sent
    if bounce_rate > campaign.max_bounce_rate:
        reason = (
            f"{bounce_rate:.1%} of {sent} messages bounced, above the "
            f"{campaign.max_bounce_rate:.1%} limit."
        )
    elif complaint_rate > campaign.max_complaint_rate:
        reason = (
            f"{complaint_rate:.2%} of {sent} messages were reported as spam, above the "
            f"{campaign.max_complaint_rate:.2%} limit."
        )
    else:
        return False
    return stop_campaign(campaign, actor=None, reason=f"Stopped automatically: {reason}")
