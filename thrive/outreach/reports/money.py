"""Campaigns and sequences judged on money: each arm's orders and revenue per person in a
window after its start, against the holdout (or a matched control where there is none).

Everyone picked for an arm counts, whether or not their message could be sent (no consent,
at the weekly limit): the holdout was picked the same way from the same people, so the
groups stay comparable (intention to treat). Each person's window starts when they were
picked (the campaign's audience was built) or enrolled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from thrive.analytics.money_outcomes import (
    CONTROL_HOLDOUT,
    CONTROL_MATCHED,
    MATCHED_WORDS,
    Judged,
    judge,
    matched_starts,
)

from ..models import Campaign, Delivery, Sequence
from .numbers import HOLDOUT

HOLDOUT_WORDS = (
    "the holdout: people picked at random from the same segment when the campaign started, "
    "who were sent nothing."
)


@dataclass(frozen=True)
class MoneyReport:
    """The rows of a page's "Judged on money" table and what the control is."""

    rows: list[Judged]
    control_kind: str
    control_words: str
    days: int


def campaign_arms(
    campaign: Campaign,
) -> tuple[dict[str, dict[int, dt.datetime]], dict[int, dt.datetime]]:
    """{variant label: {person: start}} and the holdout's {person: start}."""
    arms: dict[str, dict[int, dt.datetime]] = {}
    holdout: dict[int, dt.datetime] = {}
    rows = (
        Delivery.objects.filter(campaign=campaign)
        .values_list("person_id", "variant__label", "skip_reason", "created_at")
        .order_by("created_at", "pk")
    )
    for person_id, label, skip_reason, created in rows:
        if skip_reason == HOLDOUT:
            holdout.setdefault(person_id, created)
        elif label:
            arms.setdefault(label, {}).setdefault(person_id, created)
    return dict(sorted(arms.items())), holdout


def campaign_money(
    campaign: Campaign, *, days: int, now: dt.datetime | None = None
) -> MoneyReport | None:
    """Each variant, and all variants together, against the holdout (or a matched control
    when the campaign had none); None before anyone was picked."""
    now = now or timezone.now()
    arms, holdout = campaign_arms(campaign)
    if not arms:
        return None
    everyone: dict[int, dt.datetime] = {}
    for people in arms.values():
        everyone.update(people)
    if holdout:
        control, kind, words = holdout, CONTROL_HOLDOUT, HOLDOUT_WORDS
    else:
        exclude = set(everyone)
        control = matched_starts(everyone, exclude=exclude)
        kind, words = CONTROL_MATCHED, MATCHED_WORDS
    described = {
        v.label: f"“{v.subject or v.template.subject}” ({v.template.name})"
        for v in campaign.variants.select_related("template")
    }
    rows = [
        judge(
            f"Variant {label}",
            people,
            control,
            control_kind=kind,
            days=days,
            now=now,
            words=described.get(label, ""),
        )  # fmt: skip
        for label, people in arms.items()
    ]
    if len(arms) > 1:
        rows.append(judge("All variants", everyone, control, control_kind=kind, days=days, now=now))
    return MoneyReport(rows, kind, words, days)


def sequence_money(
    sequence: Sequence, *, days: int, now: dt.datetime | None = None
) -> MoneyReport | None:
    """Everyone enrolled (from their first enrolment) against a matched control."""
    now = now or timezone.now()
    starts: dict[int, dt.datetime] = {}
    for person_id, at in sequence.enrollments.order_by("enrolled_at", "pk").values_list(
        "person_id", "enrolled_at"
    ):
        starts.setdefault(person_id, at)
    if not starts:
        return None
    control = matched_starts(starts, exclude=set(starts))
    row = judge(
        "Enrolled", starts, control, control_kind=CONTROL_MATCHED, days=days, now=now,
        words="Everyone the sequence enrolled, from their first enrolment.",
    )  # fmt: skip
    return MoneyReport([row], CONTROL_MATCHED, MATCHED_WORDS, days)
