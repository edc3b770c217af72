"""Why a message was sent, is waiting or was skipped, in words for the person page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from thrive.core.templatetags.zoned import local_time

from ..models import Delivery, DeliveryStatus

SKIP_WORDS = {
    "no_consent": "no consent for this kind of email",
    "suppressed": "the address is on the suppression list",
    "pressure": "the weekly limit of automated emails was reached",
    "holdout": "picked for the holdout group that gets nothing",
    "campaign_stopped": "the campaign was stopped",
    "expired": "it waited too long to still be useful",
    "no_email": "there is no email address",
}


def skip_words(key: str) -> str:
    """Why a message was skipped, in words (an unknown key in words too)."""
    return SKIP_WORDS.get(key) or (key.replace("_", " ") if key else "no reason recorded")


# Reason keys that are shown in their own words, not as "key: value".
_KNOWN = {
    "why",
    "source",
    "campaign",
    "campaign_name",
    "variant",
    "sequence",
    "sequence_name",
    "step",
    "steps",
    "draft",
    "sent_by",
    "enrolled_by",
}


@dataclass
class Explanation:
    outcome: str
    source: str
    why: str
    details: list[str] = field(default_factory=list)
    checks: list[tuple[bool, str]] = field(default_factory=list)


def _when(value: Any) -> str:
    # In the reader's zone, saying which (see thrive.workspace.middleware).
    return local_time(value, "d M Y, H:i") if value else ""


def _source(delivery: Delivery) -> str:
    reason = delivery.reason or {}
    if delivery.campaign_id:
        name = reason.get("campaign_name") or (delivery.campaign.name if delivery.campaign else "")
        variant = reason.get("variant")
        label = f", variant {variant}" if variant and variant != "holdout" else ""
        return f"Campaign “{name}”{label}."
    if reason.get("source") == "sequence":
        return (
            f"Step {reason.get('step')} of {reason.get('steps')} of the sequence "
            f"“{reason.get('sequence_name')}”."
        )
    if reason.get("source") == "draft":
        return f"A personal email sent by {reason.get('sent_by') or 'an associate'} from a draft."
    if reason.get("source") == "signup":
        return "The confirmation of a sign-up (double opt-in)."
    if reason.get("workflow_name") or reason.get("workflow"):
        return f"Workflow “{reason.get('workflow_name') or reason.get('workflow')}”."
    return "Automated email." if delivery.automated else "Email."


def _outcome(delivery: Delivery) -> str:
    status = delivery.status
    if status in {DeliveryStatus.SENT, DeliveryStatus.BOUNCED} and delivery.sent_at:
        text = f"Sent {_when(delivery.sent_at)}"
        if delivery.bounced_at:
            text += ", then bounced"
        return text + "."
    if status == DeliveryStatus.SKIPPED:
        return f"Not sent: {skip_words(delivery.skip_reason)}."
    if status == DeliveryStatus.DEFERRED:
        return f"Waiting until {_when(delivery.next_attempt_at)}."
    if status == DeliveryStatus.FAILED:
        return f"Could not be sent: {delivery.last_error or 'the mail server refused it'}."
    if delivery.last_error:
        return f"Retrying {_when(delivery.next_attempt_at)} ({delivery.last_error})."
    return "Being sent." if status == DeliveryStatus.SENDING else "Queued to send."


def explain(delivery: Delivery) -> Explanation:
    reason = delivery.reason or {}
    details = [
        f"{str(key).replace('_', ' ').capitalize()}: {value}"
        for key, value in reason.items()
        if key not in _KNOWN and not isinstance(value, dict | list)
    ]
    return Explanation(
        outcome=_outcome(delivery),
        source=_source(delivery),
        why=str(reason.get("why") or ""),
        details=details,
        checks=[
            (bool(d.get("passed")), str(d.get("text", "")))
            for d in (delivery.decisions or [])
            if isinstance(d, dict)
        ],
    )
