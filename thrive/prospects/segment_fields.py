"""The segment rule about lead scores, registered at start-up (``ProspectsConfig.ready``)."""

from __future__ import annotations

from django.db.models import F, Q

from thrive.contacts.queries import person_in
from thrive.segments.registry import Field, Operator, ValueKind, register_field
from thrive.segments.sql import compare

from .models import LeadScore


def _lead_score_q(op: str, value: float) -> Q:
    # Only scored leads (open suspects and prospects) can match, like other scores.
    return person_in(LeadScore.objects.filter(compare(F("probability"), op, float(value))))


def register() -> None:
    register_field(
        Field(
            "lead_score",
            "Lead score (chance of becoming a client)",
            "Scores",
            (
                Operator("gte", "is at least", ValueKind.PROBABILITY),
                Operator("lte", "is at most", ValueKind.PROBABILITY),
            ),
        ),
        lambda op, value, clock: _lead_score_q(op, value),
    )
