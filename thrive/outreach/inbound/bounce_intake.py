"""Bounce and complaint reports from a mail provider, in one normalized JSON shape.

A provider's webhook (or a small adapter in front of it) POSTs to ``/m/bounces``::

    {"events": [
        {"recipient": "ann@example.org", "type": "bounce", "severity": "hard",
         "message_id": "<thrive.1f…@kettleandcrow.example>", "detail": "550 5.1.1 no such user"},
        {"recipient": "bob@example.org", "type": "complaint", "message_id": "…"}
    ]}

``type`` is ``bounce`` or ``complaint``; a bounce's ``severity`` is ``hard`` (the
address does not exist: it is suppressed) or ``soft`` (a full mailbox: noted on the
timeline only). ``message_id`` finds the message Thrive sent (its Message-ID header);
without it, or for mail Thrive no longer knows, hard bounces and complaints still put
the ``recipient`` on the suppression list. Complaints also withdraw marketing consent.
Reports for a campaign feed its automatic stop
(:func:`~thrive.outreach.sending.dispatch.check_campaign_health`).

Every event is checked before any is applied; one bad event rejects the whole request
with the event's position, field and reason, so a provider's retry is never half-applied.
A report repeated for the same message (providers retry) changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from ..models import SuppressionReason
from .bounces import find_by_message_id, record_bounce, record_complaint
from .suppression import suppress

MAX_EVENTS = 1000
TYPES = ("bounce", "complaint")
SEVERITIES = ("hard", "soft")


@dataclass(frozen=True)
class Report:
    recipient: str
    kind: str  # "bounce" or "complaint"
    hard: bool
    message_id: str
    detail: str


def parse_events(payload: Any) -> list[Report]:
    """The reports in ``payload`` (a dict with ``events``, a list, or one event).

    Raises ValidationError with one message per problem, e.g. ``events[2].type: …``."""
    if isinstance(payload, dict) and "events" in payload:
        events = payload["events"]
    elif isinstance(payload, dict):
        events = [payload]
    else:
        events = payload
    if not isinstance(events, list) or not events:
        raise ValidationError("Send a JSON object with a non-empty list “events”.")
    if len(events) > MAX_EVENTS:
        raise ValidationError(f"At most {MAX_EVENTS} events per request; got {len(events)}.")
    reports: list[Report] = []
    problems: list[str] = []
    for position, event in enumerate(events):
        where = f"events[{position}]"
        if not isinstance(event, dict):
            problems.append(f"{where}: each event is a JSON object.")
            continue
        kind = str(event.get("type", "")).strip().lower()
        severity = str(event.get("severity", "hard") or "hard").strip().lower()
        recipient = str(event.get("recipient", "") or "").strip()
        message_id = str(event.get("message_id", "") or "").strip()
        detail = str(event.get("detail", "") or "")[:2000]
        if kind not in TYPES:
            problems.append(f"{where}.type: use “bounce” or “complaint”, not {kind!r}.")
        if kind == "bounce" and severity not in SEVERITIES:
            problems.append(f"{where}.severity: use “hard” or “soft”, not {severity!r}.")
        if recipient:
            try:
                validate_email(recipient)
            except ValidationError:
                problems.append(f"{where}.recipient: {recipient!r} is not an email address.")
        if not recipient and not message_id:
            problems.append(f"{where}: give the recipient, the message_id or both.")
        if len(message_id) > 200:
            problems.append(f"{where}.message_id: longer than 200 characters.")
        reports.append(
            Report(
                recipient=recipient,
                kind=kind,
                hard=kind == "complaint" or severity == "hard",
                message_id=message_id,
                detail=detail,
            )
        )
    if problems:
        raise ValidationError(problems)
    return reports


def apply_reports(reports: list[Report]) -> dict[str, int]:
    """Record every report, all or nothing. Returns counts for the provider's log."""
    counts = {"received": len(reports), "matched": 0, "unmatched": 0, "repeated": 0}
    with transaction.atomic():
        for report in reports:
            delivery = find_by_message_id(report.message_id) if report.message_id else None
            if delivery is not None and report.recipient and delivery.to_email:
                if delivery.to_email.lower() != report.recipient.lower():
                    delivery = None  # the Message-ID belongs to someone else's message
            if delivery is None:
                counts["unmatched"] += 1
                if report.hard and report.recipient:
                    reason = (
                        SuppressionReason.COMPLAINT
                        if report.kind == "complaint"
                        else SuppressionReason.HARD_BOUNCE
                    )
                    suppress(report.recipient, reason, detail=report.detail)
                continue
            counts["matched"] += 1
            if report.kind == "complaint":
                if delivery.complained_at is not None:
                    counts["repeated"] += 1
                    continue
                record_complaint(delivery, detail=report.detail)
            else:
                if report.hard and delivery.bounced_at is not None:
                    counts["repeated"] += 1
                    continue
                record_bounce(delivery, permanent=report.hard, detail=report.detail)
    return counts
