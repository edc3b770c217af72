"""The team view: for each colleague, the work in their hands, the time they spend with
customers, how quickly customers hear back from them, and what customers said about them.

It is meant as encouragement: colleagues are listed by name, never ranked, and nothing is
compared with anyone else.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Sum
from django.utils import timezone

from thrive.commerce.models import Deal
from thrive.contacts.models import Activity, Direction
from thrive.contacts.models.choices import HUMAN_CONTACT_KINDS
from thrive.tasks.models import Task, TaskStatus
from thrive.voice.models import Comment, Idea, SurveyResponse

WINDOW = dt.timedelta(days=30)
RESPONSE_WINDOW = dt.timedelta(days=14)
# Messages from customers that expect an answer (as the health check counts them).
ASKING_KINDS = ["email", "call", "support", "form_submission"]
RESPONSE_SAMPLE = 5000
PRAISE_LIMIT = 5
PROMOTER = 9


@dataclass
class Praise:
    source: str  # "Survey" or "Idea"
    text: str
    on: dt.datetime


@dataclass
class Colleague:
    user: Any
    open_tasks: int = 0
    open_deals: int = 0
    conversations: int | None = None  # None when the shared inbox is not installed
    minutes_with_customers: int = 0
    replies: int = 0
    median_reply_hours: float | None = None
    praise: list[Praise] = field(default_factory=list)


def _conversations(users: list[Any]) -> dict[int, int] | None:
    """Open conversations per colleague, when the shared inbox app is installed (looked up
    by name: the inbox sits beside growth, not below the workspace's imports)."""
    if not apps.is_installed("thrive.service"):
        return None
    try:
        app_label, name = "service", "Conversation"  # a variable: the model may not exist
        model = apps.get_model(app_label, name)
        model._meta.get_field("assignee")
    except (LookupError, FieldDoesNotExist):
        return None
    rows = model.objects.filter(assignee__in=users)
    try:
        model._meta.get_field("status")
        rows = rows.exclude(status__in=["closed", "resolved", "done"])
    except FieldDoesNotExist:
        pass
    counts: dict[int, int] = {}
    for pk in rows.values_list("assignee_id", flat=True):
        counts[pk] = counts.get(pk, 0) + 1
    return counts


def _reply_hours(since: dt.datetime, now: dt.datetime) -> dict[int, list[float]]:
    """Hours from a customer's message to the first personal reply, by who replied."""
    asks = list(
        Activity.objects.filter(
            direction=Direction.INBOUND, kind__in=ASKING_KINDS, occurred_at__gte=since,
            occurred_at__lt=now,
        ).order_by("-occurred_at").values_list("person_id", "occurred_at")[:RESPONSE_SAMPLE]
    )  # fmt: skip
    if not asks:
        return {}
    replies: dict[int, list[tuple[dt.datetime, int]]] = {}
    for person, at, who in (
        Activity.objects.filter(
            person_id__in={p for p, _ in asks}, direction=Direction.OUTBOUND, automated=False,
            associate__isnull=False, occurred_at__gt=min(t for _, t in asks),
        ).order_by("occurred_at").values_list("person_id", "occurred_at", "associate_id")
    ):  # fmt: skip
        replies.setdefault(person, []).append((at, who))
    hours: dict[int, list[float]] = {}
    for person, at in asks:
        later = [(r, who) for r, who in replies.get(person, []) if at < r <= at + RESPONSE_WINDOW]
        if later:
            r, who = later[0]
            hours.setdefault(who, []).append((r - at).total_seconds() / 3600)
    return hours


def _names(user: Any) -> re.Pattern[str] | None:
    first = (getattr(user, "first_name", "") or "").strip()
    if len(first) < 2:
        return None
    return re.compile(rf"\b{re.escape(first)}\b", re.IGNORECASE)


def _praise(user: Any) -> list[Praise]:
    """Promoters' survey comments and customers' ideas or idea comments that name them."""
    pattern = _names(user)
    if pattern is None:
        return []
    first = user.first_name.strip()
    found: list[Praise] = []
    for comment, on in SurveyResponse.objects.filter(
        score__gte=PROMOTER, comment__icontains=first
    ).values_list("comment", "answered_at")[:50]:
        if pattern.search(comment):
            found.append(Praise("Survey", comment, on))
    for body, on in Idea.objects.filter(body__icontains=first).values_list("body", "created_at")[
        :50
    ]:
        if pattern.search(body):
            found.append(Praise("Idea", body, on))
    for body, on in Comment.objects.filter(
        body__icontains=first, person__isnull=False, hidden=False
    ).values_list("body", "created_at")[:50]:
        if pattern.search(body):
            found.append(Praise("Idea comment", body, on))
    return sorted(found, key=lambda p: p.on, reverse=True)[:PRAISE_LIMIT]


def colleagues(users: list[Any], *, now: dt.datetime | None = None) -> list[Colleague]:
    """The team view of ``users``, in the order given (by name: never a ranking)."""
    now = now or timezone.now()
    since = now - WINDOW
    conversations = _conversations(users)
    hours = _reply_hours(since, now)
    out = []
    for user in users:
        minutes = Activity.objects.filter(
            associate=user, kind__in=list(HUMAN_CONTACT_KINDS), occurred_at__gte=since,
            occurred_at__lt=now,
        ).aggregate(m=Sum("duration_minutes"))["m"]  # fmt: skip
        mine = hours.get(user.pk, [])
        out.append(
            Colleague(
                user=user,
                open_tasks=Task.objects.filter(assignee=user, status=TaskStatus.OPEN).count(),
                open_deals=Deal.objects.filter(owner=user, closed_at__isnull=True).count(),
                conversations=None if conversations is None else conversations.get(user.pk, 0),
                minutes_with_customers=int(minutes or 0),
                replies=len(mine),
                median_reply_hours=statistics.median(mine) if mine else None,
                praise=_praise(user),
            )
        )
    return out
