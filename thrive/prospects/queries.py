"""Reads the prospects pages make that no other module here owns."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import LeadScore


def leads_by_probability() -> QuerySet[LeadScore]:
    """Every scored lead with its person and channel, the likeliest client first."""
    return LeadScore.objects.select_related("person", "person__acquisition_channel").order_by(
        "-probability", "person_id"
    )
