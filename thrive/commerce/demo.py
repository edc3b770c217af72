"""What the demo business shows of the deal pipeline: the roastery's wholesale deals with
the stages they went through, lost reasons Maya keeps, and a believable last week on
Maya's board — deals opened, moved, won and lost with their reasons, some without a next
step, some stuck longer than usual."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from thrive.contacts.models import Activity, Person, RelationshipRole

from . import deal_pipeline, services
from .models import Deal, DealStage, DealStageChange, LostReason, Order

REASONS = [
    "Price: went with a cheaper roaster",
    "Timing: not before next season",
    "Kept their current roaster",
    "No budget this year",
]
# The week's deals: (title, stages with days ago, value, owner, lost reason, next step
# (words, due in days) or None). Stage names are the demo's own.
WEEK: list[tuple[str, list[tuple[str, float]], int, str, str, tuple[str, int] | None]] = [
    ("single origin rotation", [("Lead", 6.8), ("Tasting booked", 5.5), ("Proposal", 3.9),
                                ("Won", 0.9)], 9400, "maya", "", None),
    ("filter coffee for the co-working space", [("Lead", 6.0), ("Tasting booked", 3.5),
                                                ("Lost", 1.6)], 5600, "maya",
     REASONS[0], None),
    ("office coffee, 40 desks", [("Lead", 5.9), ("Tasting booked", 4.8), ("Proposal", 2.3)],
     7200, "maya", "", ("Send the revised price list", 0)),
    ("hotel breakfast blend", [("Lead", 3.2)], 8800, "maya", "", None),
    ("house espresso for the new bakery", [("Lead", 6.2), ("Tasting booked", 4.1)], 4800,
     "maya", "", ("Tasting at the roastery", 1)),
    ("cold brew kegs for summer", [("Lead", 5.1), ("Proposal", 3.0), ("Negotiation", 1.2)],
     12600, "luis", "", ("Call about delivery days", 2)),
    ("decaf program for the clinic", [("Lead", 6.5), ("Proposal", 4.4), ("Won", 2.1)], 3100,
     "luis", "", None),
    ("second location opening", [("Lead", 4.0), ("Lost", 0.7)], 15000, "luis",
     "Chose to wait until the lease is signed", None),
    ("university café", [("Lead", 2.4), ("Tasting booked", 1.1)], 11200, "tom", "", None),
    ("gift boxes for a law firm", [("Lead", 1.3)], 2400, "maya", "",
     ("Ask for the guest count", 3)),
]  # fmt: skip
WENT_QUIET = "Went quiet after three follow-ups"
# A wholesale deal still open after this long was given up on.
GIVEN_UP_AFTER = dt.timedelta(days=200)
NEXT_STEPS = ["Call to follow up on the samples", "Send the wholesale price list",
              "Visit with a tasting kit", "Confirm the delivery schedule"]  # fmt: skip


def _backfill_history(now: dt.datetime) -> None:
    """The demo's older deals were written in bulk without their path: give each the
    stages it plausibly went through, evenly spaced from opening to closing (or now)."""
    stages = list(DealStage.objects.order_by("position"))
    open_stages = [s for s in stages if not (s.is_won or s.is_lost)]
    won = next((s for s in stages if s.is_won), None)
    lost = next((s for s in stages if s.is_lost), None)
    rows = []
    lost_ids: list[int] = []
    for n, deal in enumerate(Deal.objects.filter(stage_history__isnull=True).order_by("pk")):
        if deal.closed_at is None and deal.created_at < now - GIVEN_UP_AFTER and lost:
            # Open for months: the roastery marked it lost when the café stopped answering.
            reached = open_stages[: open_stages.index(deal.stage) + 1]
            deal.closed_at = deal.created_at + dt.timedelta(days=45 + n % 40)
            deal.stage, deal.lost_reason = lost, WENT_QUIET
            deal.save(update_fields=["stage", "closed_at", "lost_reason"])
            path = [*reached, lost]
        elif deal.stage == won:
            path = [*open_stages, deal.stage]
        elif deal.stage == lost:
            path = [*open_stages[: 1 + n % 3], deal.stage]
            lost_ids.append(deal.pk)
        else:
            path = open_stages[: open_stages.index(deal.stage) + 1]
        start = deal.created_at
        # Closed deals end on their last move; an open one moved to its stage some days
        # ago (10 to 69), which leaves a few of them there longer than usual.
        end = deal.closed_at or max(start, now - dt.timedelta(days=10 + n % 60))
        step = (end - start) / max(len(path) - 1, 1)
        previous = None
        for i, stage in enumerate(path):
            rows.append(DealStageChange(deal=deal, from_stage=previous, to_stage=stage,
                                        changed_at=start + step * i, actor=deal.owner))  # fmt: skip
            previous = stage
    DealStageChange.objects.bulk_create(rows)
    for i, pk in enumerate(lost_ids):
        Deal.objects.filter(pk=pk, lost_reason="").update(lost_reason=REASONS[i % len(REASONS)])


def _next_steps(today: dt.date) -> None:
    """Most of the older open deals have a next step; every third has none."""
    older = Deal.objects.filter(closed_at__isnull=True, next_step="").order_by("pk")
    for i, deal in enumerate(older):
        if i % 3:
            deal_pipeline.set_next_step(
                deal, actor=None, text=NEXT_STEPS[i % len(NEXT_STEPS)],
                due=today + dt.timedelta(days=i % 6 - 1),
            )  # fmt: skip


def _people(end: dt.datetime) -> list[Person]:
    """Wholesale partners' contacts known for a while, those without a deal first."""
    return list(
        Person.objects.filter(
            organization__isnull=False, roles__role=RelationshipRole.PARTNER,
            first_seen_at__lt=end - dt.timedelta(days=14),
        )
        .annotate(has_deal=Exists(Deal.objects.filter(person=OuterRef("pk"))),
                  has_order=Exists(Order.objects.filter(person=OuterRef("pk"))))
        .select_related("organization")
        .distinct()
        .order_by("has_deal", "pk")
    )  # fmt: skip


def _pick(people: list[Person], *, won: bool) -> Person | None:
    """The next person not given a deal yet; a won deal goes to someone who has not
    ordered yet (their orders follow the deal)."""
    for person in people:
        if not won or not getattr(person, "has_order", False):
            people.remove(person)
            return person
    return None


def _week(now: dt.datetime, staff: dict[str, Any]) -> None:
    stages = {s.name: s for s in DealStage.objects.all()}
    people = _people(now)
    today = timezone.localdate(now)
    for topic, path, value, owner_name, reason, step in WEEK:
        person = _pick(people, won=path[-1][0] == "Won")
        if person is None:
            continue
        owner = staff.get(owner_name) or staff["maya"]
        org = person.organization
        title = f"{org.name}: {topic}" if org else topic
        (first, days), *moves = path
        close_in = 7 + (value // 100) % 40
        deal = services.save_deal(
            None, actor=owner, at=now - dt.timedelta(days=days), title=title, person=person,
            organization=org, owner=owner, stage=stages[first], value=value, currency="USD",
            expected_close=today + dt.timedelta(days=close_in),
        )  # fmt: skip
        # Opened when its first move says, not when the demo was built.
        Deal.objects.filter(pk=deal.pk).update(created_at=now - dt.timedelta(days=days))
        for name, days in moves:
            deal = deal_pipeline.move_deal(
                deal, stages[name], actor=owner, at=now - dt.timedelta(days=days),
                lost_reason=reason if stages[name].is_lost else "",
            )  # fmt: skip
        if step is not None:
            deal_pipeline.set_next_step(
                deal, actor=owner, text=step[0], due=today + dt.timedelta(days=step[1])
            )


def seed_demo(owner_username: str) -> None:
    """Seed the pipeline (idempotent: a second run adds nothing)."""
    if LostReason.objects.filter(label=REASONS[0]).exists() or not DealStage.objects.exists():
        return
    staff: dict[str, Any] = {a.username: a for a in get_user_model().objects.all()}
    staff.setdefault("maya", staff.get(owner_username))
    # The demo's history ends with its last order (its as-of date), not necessarily today.
    now = (
        Order.objects.aggregate(last=Max("ordered_at"))["last"]
        or Activity.objects.aggregate(last=Max("occurred_at"))["last"]
        or timezone.now()
    )
    with transaction.atomic():
        for position, label in enumerate(REASONS, start=1):
            LostReason.objects.get_or_create(label=label, defaults={"position": position})
        _backfill_history(now)
        _next_steps(timezone.localdate(now))
        _week(now, staff)
