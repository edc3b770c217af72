"""A workflow judged on money: everyone it enrolled (from their first enrolment) against a
matched control of people it never enrolled, orders and revenue per person in a window."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from thrive.analytics.money_outcomes import CONTROL_MATCHED, MATCHED_WORDS, judge, matched_starts
from thrive.outreach.reports.money import MoneyReport

from .models import Workflow


def workflow_money(
    workflow: Workflow, *, days: int, now: dt.datetime | None = None
) -> MoneyReport | None:
    """None while nobody has been enrolled."""
    now = now or timezone.now()
    starts: dict[int, dt.datetime] = {}
    for person_id, at in workflow.enrollments.order_by("enrolled_at", "pk").values_list(
        "person_id", "enrolled_at"
    ):
        starts.setdefault(person_id, at)
    if not starts:
        return None
    control = matched_starts(starts, exclude=set(starts))
    row = judge(
        "Enrolled", starts, control, control_kind=CONTROL_MATCHED, days=days, now=now,
        words="Everyone the workflow enrolled, from their first enrolment.",
    )  # fmt: skip
    return MoneyReport([row], CONTROL_MATCHED, MATCHED_WORDS, days)
