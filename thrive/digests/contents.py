"""What one associate's daily digest says (reads only).

* Tasks assigned to them: overdue (due before now) and due later today (local day).
* Detractors waiting: NPS answers of 0–6 in the last 30 days in a survey they own (or a
  survey nobody owns, for owners), with nobody on the team having touched the person
  since (a call, meeting, email… logged by an associate, or a task for them finished).
* Hot leads: prospects and suspects whose lead score is at least 50%, that nobody on the
  team touched in the last 7 days (for associates who can change data).
* Today's sessions: their bookings starting today, in their zone.
* Deals without a next step: their open deals whose person has no open task.
* Conversations near an SLA deadline: the shared inbox's conversations assigned to them
  (and nobody's, for owners) past or within the warning time of a first-response or
  resolution deadline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q

from thrive.bookings.models import Booking, BookingStatus
from thrive.commerce.models import Deal
from thrive.contacts.models import Activity, Stage
from thrive.core import business
from thrive.core.roles import can_edit, can_manage
from thrive.prospects.models import LeadScore
from thrive.service.queries import SlaRisk, sla_at_risk
from thrive.tasks.models import Task, TaskStatus
from thrive.voice.models import SurveyResponse

HOT_LEAD = 0.5
DETRACTOR_WINDOW = dt.timedelta(days=30)
LEAD_QUIET = dt.timedelta(days=7)
LIMIT = 10  # rows per section; the digest links to the full lists


@dataclass
class Digest:
    associate: Any
    day: dt.date
    zone: str
    overdue: list[Task] = field(default_factory=list)
    due_today: list[Task] = field(default_factory=list)
    detractors: list[SurveyResponse] = field(default_factory=list)
    hot_leads: list[LeadScore] = field(default_factory=list)
    sessions: list[Booking] = field(default_factory=list)
    deals: list[Deal] = field(default_factory=list)
    sla: list[SlaRisk] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "overdue": len(self.overdue),
            "due_today": len(self.due_today),
            "detractors": len(self.detractors),
            "hot_leads": len(self.hot_leads),
            "sessions": len(self.sessions),
            "deals": len(self.deals),
            "sla": len(self.sla),
        }

    @property
    def empty(self) -> bool:
        return not any(self.counts().values())


def local_day(associate: Any, now: dt.datetime) -> tuple[dt.date, dt.datetime, dt.datetime, str]:
    """The associate's local date at ``now`` and its start and end (aware, UTC-comparable)."""
    zone_name = business.associate_zone_name(associate)
    zone = ZoneInfo(zone_name)
    day = now.astimezone(zone).date()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    return day, start, start + dt.timedelta(days=1), zone_name


def _touched_since(since_field: str) -> Exists:
    """Someone on the team did something with the person after ``since_field``."""
    return Exists(
        Activity.objects.filter(
            person_id=OuterRef("person_id"),
            occurred_at__gt=OuterRef(since_field),
            automated=False,
            associate__isnull=False,
        )
    )


def build_digest(associate: Any, *, now: dt.datetime) -> Digest:
    day, start, end, zone = local_day(associate, now)
    digest = Digest(associate=associate, day=day, zone=zone)
    tasks = Task.objects.filter(assignee=associate, status=TaskStatus.OPEN).select_related("person")
    digest.overdue = list(tasks.filter(due_at__lt=now).order_by("due_at")[:LIMIT])
    digest.due_today = list(
        tasks.filter(due_at__gte=now, due_at__lt=end).order_by("due_at")[:LIMIT]
    )

    owned = Q(survey__owner=associate)
    if can_manage(associate):
        owned |= Q(survey__owner__isnull=True)
    finished_task = Exists(
        Task.objects.filter(
            person_id=OuterRef("person_id"),
            status=TaskStatus.DONE,
            completed_at__gt=OuterRef("answered_at"),
        )
    )
    digest.detractors = list(
        SurveyResponse.objects.filter(owned, score__lte=6, answered_at__gte=now - DETRACTOR_WINDOW)
        .exclude(_touched_since("answered_at"))
        .exclude(finished_task)
        .select_related("person", "survey")
        .order_by("answered_at")[:LIMIT]
    )

    if can_edit(associate):
        recent = Exists(
            Activity.objects.filter(
                person_id=OuterRef("person_id"),
                occurred_at__gte=now - LEAD_QUIET,
                automated=False,
                associate__isnull=False,
            )
        )
        digest.hot_leads = list(
            LeadScore.objects.filter(
                probability__gte=HOT_LEAD, person__stage__in=[Stage.SUSPECT, Stage.PROSPECT]
            )
            .exclude(recent)
            .select_related("person")
            .order_by("-probability")[:LIMIT]
        )

    digest.sessions = list(
        Booking.objects.filter(
            associate=associate, status=BookingStatus.BOOKED, start_at__gte=start, start_at__lt=end
        )
        .select_related("person", "session_type")
        .order_by("start_at")
    )

    open_task = Exists(Task.objects.filter(person_id=OuterRef("person_id"), status=TaskStatus.OPEN))
    digest.deals = list(
        Deal.objects.filter(owner=associate, closed_at__isnull=True)
        .exclude(open_task)
        .select_related("person", "stage")
        .order_by("expected_close", "id")[:LIMIT]
    )
    digest.sla = sla_at_risk(
        associate, unassigned=can_manage(associate), now=now, limit=LIMIT, within_a_day=True
    )
    return digest
