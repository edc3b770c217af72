"""Reads of the shared inbox: the filtered list, one conversation, the figures."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from . import csat, hours
from .models import (
    Attachment,
    Conversation,
    Message,
    MessageKind,
    Priority,
    RawMessage,
    RawStatus,
    Status,
)

FIGURE_DAYS = 30
STATUS_FILTERS = {
    "active": "Open and waiting",
    Status.OPEN.value: "Open",
    Status.WAITING.value: "Waiting on customer",
    Status.RESOLVED.value: "Resolved",
    "breaching": "Breaching or about to",
    "all": "All",
}


MEASURES = {
    "answered": "first_response_at",
    "resolved": "resolved_at",
    "csat": "csat__answered_at",
}
MOMENT_FORMAT = "%Y-%m-%dT%H:%MZ"


def moment(value: dt.datetime) -> str:
    """A moment for a link: UTC to the minute ("2026-09-08T07:00Z")."""
    return value.astimezone(dt.UTC).strftime(MOMENT_FORMAT)


def _moment(raw: Any) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(str(raw), MOMENT_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError:
        return None


@dataclass
class Filters:
    status: str = "active"
    assignee: str = ""
    priority: str = ""
    tag: str = ""
    q: str = ""
    ids: str = ""
    # What a dashboard figure counted: "answered", "resolved" or "csat" in a window.
    measure: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    @classmethod
    def from_query(cls, data: Any) -> Filters:
        status = data.get("status", "active")
        priority = data.get("priority", "")
        measure = data.get("measure", "")
        return cls(
            status=status if status in STATUS_FILTERS else "active",
            assignee=str(data.get("assignee", ""))[:20],
            priority=priority if priority in Priority.values else "",
            tag=str(data.get("tag", "")).strip().lower()[:50],
            q=str(data.get("q", "")).strip()[:100],
            ids=str(data.get("ids", ""))[:2000],
            measure=measure if measure in MEASURES else "",
            since=_moment(data.get("since", "")),
            until=_moment(data.get("until", "")),
        )


def inbox(filters: Filters, user: Any, now: dt.datetime | None = None) -> QuerySet[Conversation]:
    now = now or timezone.now()
    qs = Conversation.objects.select_related("person", "assignee")
    if filters.ids:
        wanted = [int(i) for i in filters.ids.split(",") if i.strip().isdigit()]
        return qs.filter(pk__in=wanted)
    if filters.status == "active":
        qs = qs.exclude(status=Status.RESOLVED)
    elif filters.status == "breaching":
        qs = qs.exclude(status=Status.RESOLVED).filter(
            Q(first_response_task__isnull=False, first_response_at__isnull=True)
            | Q(resolution_task__isnull=False)
            | Q(first_response_due_at__lt=now, first_response_at__isnull=True)
            | Q(resolution_due_at__lt=now, status=Status.OPEN)
            # a wait on the customer stops the clock: breached only if it ran out before
            | Q(status=Status.WAITING, resolution_due_at__lt=F("waiting_since"))
        )
    elif filters.status != "all":
        qs = qs.filter(status=filters.status)
    if filters.measure and filters.since:
        field = MEASURES[filters.measure]
        qs = qs.filter(**{f"{field}__gte": filters.since})
        if filters.until:
            qs = qs.filter(**{f"{field}__lt": filters.until})
    if filters.assignee == "me":
        qs = qs.filter(assignee=user)
    elif filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee.isdigit():
        qs = qs.filter(assignee_id=int(filters.assignee))
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.tag:
        qs = qs.filter(tags__icontains=filters.tag)
    if filters.q:
        qs = qs.filter(
            Q(subject__icontains=filters.q) | Q(person__email__icontains=filters.q)
            | Q(person__first_name__icontains=filters.q)
            | Q(person__last_name__icontains=filters.q)
        )  # fmt: skip
    return qs


def thread(conversation: Conversation) -> list[Message]:
    return list(
        conversation.messages.select_related("author", "raw").prefetch_related(
            # the list shows names and sizes; the bytes are read only when downloaded
            Prefetch("attachments", queryset=Attachment.objects.defer("content"))
        )
    )


def kept_aside(limit: int = 20) -> list[RawMessage]:
    """Raw messages not filed (unparseable, or automatic mail answering nothing)."""
    return list(
        RawMessage.objects.filter(status__in=[RawStatus.FAILED, RawStatus.SET_ASIDE]).defer("data")[
            :limit
        ]
    )


@dataclass
class Figure:
    key: str
    label: str
    value: str
    ids: list[int]
    note: str = ""


def _median_hours(
    rows: list[tuple[int, dt.datetime, dt.datetime | None]],
) -> tuple[str, list[int]]:
    pairs = [(pk, a, b) for pk, a, b in rows if b is not None]
    if not pairs:
        return "—", []
    settings = hours.current_settings()
    minutes = [hours.business_minutes_between(a, b, settings) for _pk, a, b in pairs]
    return f"{statistics.median(minutes) / 60:.1f} h", [pk for pk, _a, _b in pairs]


def figures(now: dt.datetime | None = None) -> list[Figure]:
    """Backlog, breaching, median first response and resolution (business hours, last
    30 days) and CSAT; each names the conversations it counts, for a click-through."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=FIGURE_DAYS)
    backlog = list(
        Conversation.objects.exclude(status=Status.RESOLVED).values_list("pk", flat=True)
    )
    breaching = list(inbox(Filters(status="breaching"), None, now).values_list("pk", flat=True))
    answered = list(
        Conversation.objects.filter(first_response_at__gte=since)
        .values_list("pk", "created_at", "first_response_at")
    )  # fmt: skip
    resolved = list(
        Conversation.objects.filter(resolved_at__gte=since, status=Status.RESOLVED)
        .values_list("pk", "created_at", "resolved_at")
    )  # fmt: skip
    first_value, first_ids = _median_hours(answered)
    resolution_value, resolution_ids = _median_hours(resolved)
    found = [
        Figure("backlog", "Backlog", str(len(backlog)), backlog, "open or waiting"),
        Figure("breaching", "SLA breaching", str(len(breaching)), breaching,
               "past or near a deadline"),
        Figure("first_response", "Median first response", first_value, first_ids,
               f"business hours, last {FIGURE_DAYS} days"),
        Figure("resolution", "Median resolution", resolution_value, resolution_ids,
               f"business hours, last {FIGURE_DAYS} days"),
    ]  # fmt: skip
    csat_value, csat_ids, csat_note = csat.figure(since)
    found.append(Figure("csat", "Satisfaction (CSAT)", csat_value, csat_ids, csat_note))
    return found


def latest_message_id(conversation: Conversation) -> int:
    last = conversation.messages.exclude(kind=MessageKind.NOTE).order_by("-id").first()
    return last.pk if last else 0


@dataclass(frozen=True)
class SlaRisk:
    """One conversation's nearest SLA deadline that is past or within the warning time."""

    conversation: Conversation
    what: str  # "first response" or "resolution"
    due_at: dt.datetime
    past: bool


def sla_at_risk(
    user: Any, *, unassigned: bool = False, now: dt.datetime | None = None, limit: int = 10,
    within_a_day: bool = False,
) -> list[SlaRisk]:  # fmt: skip
    """Conversations assigned to ``user`` (and nobody's, with ``unassigned``) whose first
    response or resolution deadline has passed or comes within the owner's warning time
    (business minutes, as the SLA tasks count it); the most pressing first.

    ``within_a_day`` widens the window to one open day, for a once-a-day digest: what it
    lists is what would otherwise breach before the next one."""
    now = now or timezone.now()
    settings = hours.current_settings()
    window = settings.warn_minutes
    if within_a_day:
        window = max(window, _open_minutes_a_day(settings))
    mine = Q(assignee=user) | Q(assignee__isnull=True) if unassigned else Q(assignee=user)
    found: list[SlaRisk] = []
    open_ones = Conversation.objects.filter(mine).exclude(status=Status.RESOLVED)
    for conversation in open_ones.select_related("person", "assignee"):
        deadlines = [("resolution", conversation.resolution_due_at)]
        if conversation.status == Status.WAITING and not conversation.resolution_breached(now):
            deadlines = []  # the clock stands still while the customer has the next move
        if conversation.first_response_at is None and conversation.status == Status.OPEN:
            deadlines.insert(0, ("first response", conversation.first_response_due_at))
        for what, due in deadlines:
            if due is None:
                continue
            if due <= now or hours.business_minutes_between(now, due, settings) <= window:
                found.append(SlaRisk(conversation, what, due, due <= now))
                break  # the nearer deadline says enough
    found.sort(key=lambda r: (r.due_at, r.conversation.pk))
    return found[:limit]


def _open_minutes_a_day(settings: Any) -> int:
    if not settings.workday_numbers or settings.closes <= settings.opens:
        return 24 * 60  # no hours kept: the clock always runs
    opens = dt.datetime.combine(dt.date.min, settings.opens)
    return int((dt.datetime.combine(dt.date.min, settings.closes) - opens).total_seconds() // 60)
