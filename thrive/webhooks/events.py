"""Event types: what an activity in the log means to a webhook receiver."""

from __future__ import annotations

from typing import Any

from thrive.contacts.models import ActivityKind

EVENT_TYPES: dict[str, str] = {
    "person.created": "A person was added (their first stage was recorded)",
    "person.stage_changed": "A person moved to another lifecycle stage",
    "person.tagged": "A tag was added to or removed from a person",
    "person.consent_changed": "A consent was given or withdrawn",
    "person.merged": "Two records of a person were merged",
    "order.placed": "An order was recorded",
    "order.refunded": "An order was refunded, in part or in full",
    "order.voided": "An order was voided",
    "interaction.logged": "An email, call, meeting, note or support conversation",
    "idea.voted": "An idea was suggested, voted for, commented on or a vote withdrawn",
    "idea.status_changed": "An idea's status changed (one event per voter)",
    "survey.answered": "A survey was answered",
    "form.submitted": "A form was submitted",
    "referral.recorded": "A referral was recorded",
}

_BY_KIND: dict[str, str] = {
    ActivityKind.TAG_CHANGE: "person.tagged",
    ActivityKind.CONSENT_CHANGE: "person.consent_changed",
    ActivityKind.MERGE: "person.merged",
    ActivityKind.IDEA_VOTE: "idea.voted",
    ActivityKind.IDEA_STATUS: "idea.status_changed",
    ActivityKind.SURVEY_ANSWER: "survey.answered",
    ActivityKind.FORM_SUBMISSION: "form.submitted",
    ActivityKind.REFERRAL: "referral.recorded",
}
_INTERACTIONS = {
    ActivityKind.EMAIL, ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.NOTE,
    ActivityKind.SUPPORT, ActivityKind.STRATEGY_SESSION,
}  # fmt: skip


def event_type(kind: str, data: dict[str, Any]) -> str:
    """The event type of an activity of ``kind`` with ``data``."""
    if kind == ActivityKind.STAGE_CHANGE:
        return "person.stage_changed" if data.get("from") else "person.created"
    if kind == ActivityKind.ORDER:
        if "refund" in data:
            return "order.refunded"
        return "order.voided" if data.get("voided") else "order.placed"
    if kind in _INTERACTIONS:
        return "interaction.logged"
    return _BY_KIND.get(kind, f"activity.{kind}")
