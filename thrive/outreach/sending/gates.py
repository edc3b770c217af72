"""Whether a delivery may go out now: the checks, and a sentence for each.

Run when a message is queued and again, under a lock on the person, right before it is
sent. Every check appends a decision (``check``, ``passed``, ``text``) so the person page
can say in words why a message went out, waited or was skipped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Min, Q

from thrive.contacts.models import Consent

from ..conf import max_automated_per_week, quiet_hours
from ..models import (
    CONSENT_PURPOSES,
    PERSONAL,
    TRANSACTIONAL,
    CampaignStatus,
    Delivery,
    DeliveryStatus,
    MessagePurpose,
    OnCap,
    Suppression,
    SuppressionReason,
)
from .quiet_hours import quiet_until, zone_for

WEEK = dt.timedelta(days=7)
# Pressure deferrals with only in-flight messages to wait for look again after this.
RECHECK = dt.timedelta(hours=1)


@dataclass
class Verdict:
    action: str  # "send", "defer" or "skip"
    until: dt.datetime | None = None
    skip_reason: str = ""
    decisions: list[dict[str, Any]] = field(default_factory=list)

    def note(self, check: str, passed: bool, text: str, **extra: Any) -> None:
        self.decisions.append({"check": check, "passed": passed, "text": text, **extra})


def _purpose_label(purpose: str) -> str:
    try:
        return MessagePurpose(purpose).label.split(" (")[0].lower()
    except ValueError:
        return purpose


def _skip(verdict: Verdict, reason: str) -> Verdict:
    verdict.action, verdict.skip_reason = "skip", reason
    return verdict


def _defer(verdict: Verdict, until: dt.datetime) -> Verdict:
    verdict.action, verdict.until = "defer", until
    return verdict


@dataclass
class Facts:
    """What the checks read from the database, for a whole batch of deliveries at once:
    suppression entries by address, the newest live consent by (person, purpose), and
    each person's automated mail of the last 7 days (count, oldest sent) without the
    batch's own rows. :func:`evaluate_batch` keeps the counts up to date as it lets
    messages through, so the batch's own messages count against the weekly budget."""

    suppressions: dict[str, Suppression]
    consents: dict[tuple[int, str], Consent]
    recent: dict[int, list[Any]]


def gather_facts(deliveries: list[Delivery], *, now: dt.datetime) -> Facts:
    """Three set-based queries for every check of ``deliveries`` (their people loaded)."""
    emails = {d.person.email for d in deliveries if d.person.email}
    person_ids = {d.person_id for d in deliveries}
    purposes = {d.purpose for d in deliveries if d.purpose in CONSENT_PURPOSES}
    suppressions = (
        {s.email: s for s in Suppression.objects.filter(email__in=emails)} if emails else {}
    )
    consents: dict[tuple[int, str], Consent] = {}
    if purposes:
        for consent in Consent.objects.filter(
            person_id__in=person_ids, purpose__in=purposes, withdrawn_at__isnull=True
        ).order_by("person_id", "purpose", "-granted_at", "-id"):
            consents.setdefault((consent.person_id, consent.purpose), consent)
    recent: dict[int, list[Any]] = {}
    paced = {d.person_id for d in deliveries if d.automated and d.purpose != TRANSACTIONAL}
    if paced:
        rows = (
            Delivery.objects.filter(person_id__in=paced, automated=True)
            .exclude(purpose=TRANSACTIONAL)
            .exclude(pk__in=[d.pk for d in deliveries if d.pk is not None])
            .filter(
                Q(status=DeliveryStatus.SENT, sent_at__gte=now - WEEK)
                | Q(status=DeliveryStatus.SENDING)
            )
            .values("person_id")
            .annotate(n=Count("id"), oldest=Min("sent_at", filter=Q(status=DeliveryStatus.SENT)))
            .order_by()
        )
        recent = {row["person_id"]: [row["n"], row["oldest"]] for row in rows}
    return Facts(suppressions=suppressions, consents=consents, recent=recent)


def evaluate_batch(deliveries: list[Delivery], *, now: dt.datetime) -> list[Verdict]:
    """:func:`evaluate` for a batch, in order, with the database read once for all.

    A message let through counts against its person's weekly budget for the rest of the
    batch, as if the batch were checked one message after another. In-flight rows of
    the batch itself (``sending``, taken over after a crash) count too.
    """
    facts = gather_facts(deliveries, now=now)
    in_flight: dict[int, int] = {}
    for d in deliveries:
        if d.status == DeliveryStatus.SENDING and d.automated and d.purpose != TRANSACTIONAL:
            in_flight[d.person_id] = in_flight.get(d.person_id, 0) + 1
    verdicts = []
    for delivery in deliveries:
        own = (
            delivery.status == DeliveryStatus.SENDING
            and delivery.automated
            and delivery.purpose != TRANSACTIONAL
        )
        others = in_flight.get(delivery.person_id, 0) - int(own)
        verdict = evaluate(delivery, now=now, facts=facts, extra_recent=others)
        verdicts.append(verdict)
        paced = delivery.automated and delivery.purpose != TRANSACTIONAL
        if paced and own:
            in_flight[delivery.person_id] -= 1
        if paced and verdict.action == "send":
            entry = facts.recent.setdefault(delivery.person_id, [0, None])
            entry[0] += 1
    return verdicts


def evaluate(
    delivery: Delivery,
    *,
    now: dt.datetime,
    facts: Facts | None = None,
    extra_recent: int = 0,
) -> Verdict:
    """Decide send, defer (with when) or skip (with why) for ``delivery`` at ``now``.

    ``facts`` comes from :func:`gather_facts` when a batch is checked; without it the
    database is asked for this one delivery."""
    if facts is None:
        facts = gather_facts([delivery], now=now)
    verdict = Verdict(action="send")
    person = delivery.person
    email = person.email or ""
    if not email:
        verdict.note("address", False, "The person has no email address.")
        return _skip(verdict, "no_email")
    if delivery.expires_at and now > delivery.expires_at:
        verdict.note(
            "expiry", False, f"It waited past {delivery.expires_at:%d %b %Y %H:%M} UTC; too late."
        )
        return _skip(verdict, "expired")
    campaign = delivery.campaign
    if campaign is not None and campaign.status == CampaignStatus.STOPPED:
        verdict.note("campaign", False, f"The campaign was stopped: {campaign.stopped_reason}")
        return _skip(verdict, "campaign_stopped")

    if not _suppression_allows(verdict, delivery.purpose, email, facts):
        return _skip(verdict, "suppressed")
    if not _consent_allows(verdict, delivery, person, facts):
        return _skip(verdict, "no_consent")

    if not delivery.automated or delivery.purpose == TRANSACTIONAL:
        verdict.note(
            "pace",
            True,
            "Quiet hours and the weekly limit apply to automated marketing only.",
        )
        return verdict
    until = _quiet_hours_until(verdict, person.time_zone, now)
    if until is not None:
        return _defer(verdict, until)
    return _pressure(verdict, delivery, now, facts, extra_recent)


def _suppression_allows(verdict: Verdict, purpose: str, email: str, facts: Facts) -> bool:
    suppressed = facts.suppressions.get(email)
    if suppressed is None:
        verdict.note("suppression", True, f"{email} is not on the suppression list.")
        return True
    if purpose == TRANSACTIONAL and suppressed.reason == SuppressionReason.UNSUBSCRIBED:
        verdict.note(
            "suppression",
            True,
            f"{email} unsubscribed on {suppressed.at:%d %b %Y}, but this is a service "
            "message they need.",
        )
        return True
    verdict.note(
        "suppression",
        False,
        f"{email} is suppressed ({suppressed.get_reason_display().lower()} on "
        f"{suppressed.at:%d %b %Y}).",
        suppression=suppressed.pk,
    )
    return False


def _consent_allows(verdict: Verdict, delivery: Delivery, person: Any, facts: Facts) -> bool:
    purpose = delivery.purpose
    if purpose == TRANSACTIONAL:
        verdict.note("consent", True, "A service message needs no marketing consent.")
        return True
    if purpose == PERSONAL:
        verdict.note(
            "consent",
            True,
            "A personal email written by an associate needs no marketing consent.",
        )
        return True
    if purpose not in CONSENT_PURPOSES:
        verdict.note("consent", False, f"{purpose!r} is not a purpose Thrive sends for.")
        return False
    consent = facts.consents.get((person.pk, purpose))
    if consent is None:
        verdict.note("consent", False, f"No consent to {_purpose_label(purpose)}.")
        return False
    verdict.note(
        "consent",
        True,
        f"Consent to {_purpose_label(purpose)} given on {consent.granted_at:%d %b %Y} "
        f"({consent.get_method_display().lower()}).",
        consent=consent.pk,
    )
    return True


def _quiet_hours_until(verdict: Verdict, time_zone: str, now: dt.datetime) -> dt.datetime | None:
    window = quiet_hours()
    zone = zone_for(time_zone)
    local = now.astimezone(zone)
    if window is None:
        verdict.note("quiet_hours", True, "No quiet hours are set.")
        return None
    span = f"{window[0]:%H:%M}–{window[1]:%H:%M}"
    until = quiet_until(now, zone, window)
    if until is None:
        verdict.note(
            "quiet_hours",
            True,
            f"It was {local:%H:%M} in {zone.key}, outside quiet hours ({span}).",
            zone=zone.key,
        )
        return None
    verdict.note(
        "quiet_hours",
        False,
        f"It was {local:%H:%M} in {zone.key}, inside quiet hours ({span}): it waits until "
        f"{until.astimezone(zone):%H:%M} there.",
        zone=zone.key,
    )
    return until


def _pressure(
    verdict: Verdict, delivery: Delivery, now: dt.datetime, facts: Facts, extra: int
) -> Verdict:
    limit = max_automated_per_week()
    count, oldest = facts.recent.get(delivery.person_id, [0, None])
    count += extra
    if count < limit:
        verdict.note(
            "pressure",
            True,
            f"{count} automated email{'s' if count != 1 else ''} in the last 7 days; "
            f"the limit is {limit}.",
            count=count,
            limit=limit,
        )
        return verdict
    frees_at = oldest + WEEK if oldest else now + RECHECK
    if delivery.on_cap == OnCap.SKIP:
        verdict.note(
            "pressure",
            False,
            f"Already {count} automated emails in the last 7 days (limit {limit}): skipped.",
            count=count,
            limit=limit,
        )
        return _skip(verdict, "pressure")
    verdict.note(
        "pressure",
        False,
        f"Already {count} automated emails in the last 7 days (limit {limit}): waits until "
        f"{frees_at:%d %b %H:%M} UTC.",
        count=count,
        limit=limit,
    )
    return _defer(verdict, frees_at)
