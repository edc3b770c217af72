"""Triggers that no single activity announces: date anniversaries and segment entry or
exit. The engine's tick scans for them; each workflow's bookkeeping is in
``Workflow.trigger_state`` (and ``SegmentMembership`` for segments).

* Anniversaries: once per day of the business's time zone, everyone whose date (first
  contact, or a date custom field stored as "YYYY-MM-DD") falls on that month and day,
  from the year after; people born on 29 February are celebrated on the 28th in other
  years. Missed days are caught up (at most a week back).
* Segments: the first scan after switching on records who is in the segment without
  enrolling anyone (the workflow is for people who enter or leave from then on); later
  scans, at most every ``SEGMENT_SCAN_EVERY``, enrol the difference.
"""

from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q

from thrive.contacts.models import Person
from thrive.core import business
from thrive.segments.models import Segment

from .engine import Entry, enroll_many
from .models import SegmentMembership, TriggerKind, Workflow, WorkflowStatus
from .words import describe_trigger

SEGMENT_SCAN_EVERY = dt.timedelta(minutes=5)
CATCH_UP_DAYS = 7


def _business_zone() -> ZoneInfo:
    return ZoneInfo(business.time_zone_name())


def _anniversary_people(field: str, day: dt.date) -> list[int]:
    month_days = [(day.month, day.day)]
    if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
        month_days.append((2, 29))
    if field == "first_seen_at":
        zone = _business_zone()
        start_of_year = dt.datetime(day.year, 1, 1, tzinfo=zone)
        condition = Q()
        for month, dom in month_days:
            condition |= Q(first_seen_at__month=month, first_seen_at__day=dom)
        # Date parts of a moment are read in the business's zone (as segment dates are).
        from django.utils import timezone

        with timezone.override(zone):
            return list(
                Person.objects.filter(condition, first_seen_at__lt=start_of_year).values_list(
                    "pk", flat=True
                )
            )
    condition = Q()
    for month, dom in month_days:
        condition |= Q(**{f"custom_fields__{field}__endswith": f"-{month:02d}-{dom:02d}"})
    return list(
        Person.objects.filter(condition)
        .exclude(**{f"custom_fields__{field}__startswith": f"{day.year}-"})
        .values_list("pk", flat=True)
    )


def _scan_anniversaries(workflow: Workflow, now: dt.datetime) -> int:
    today = now.astimezone(_business_zone()).date()
    state = dict(workflow.trigger_state or {})
    last = dt.date.fromisoformat(state["last_day"]) if state.get("last_day") else None
    first = (
        max(last + dt.timedelta(days=1), today - dt.timedelta(days=CATCH_UP_DAYS))
        if last
        else today
    )
    if first > today:
        return 0
    field = str(workflow.trigger_config.get("field", "first_seen_at"))
    words = describe_trigger(workflow)
    entries = []
    day = first
    while day <= today:
        for person_id in _anniversary_people(field, day):
            entries.append(Entry(workflow, person_id, {"words": words, "at": day.isoformat()}))
        day += dt.timedelta(days=1)
    state["last_day"] = today.isoformat()
    Workflow.objects.filter(pk=workflow.pk).update(trigger_state=state)
    return enroll_many(entries, now=now)


def _scan_segment(workflow: Workflow, now: dt.datetime) -> int:
    state = dict(workflow.trigger_state or {})
    scanned = state.get("scanned_at")
    if scanned and now - dt.datetime.fromisoformat(scanned) < SEGMENT_SCAN_EVERY:
        return 0
    segment = Segment.objects.filter(pk=workflow.trigger_config.get("segment")).first()
    if segment is None:
        return 0
    current = set(segment.people(now=now).values_list("pk", flat=True))
    previous = set(
        SegmentMembership.objects.filter(workflow=workflow).values_list("person_id", flat=True)
    )
    entered, left = current - previous, previous - current
    SegmentMembership.objects.bulk_create(
        [SegmentMembership(workflow=workflow, person_id=pk) for pk in entered],
        ignore_conflicts=True,
    )
    SegmentMembership.objects.filter(workflow=workflow, person_id__in=left).delete()
    baseline = not state.get("baseline")
    state.update(baseline=True, scanned_at=now.isoformat())
    Workflow.objects.filter(pk=workflow.pk).update(trigger_state=state)
    if baseline:
        return 0
    chosen = entered if workflow.trigger == TriggerKind.SEGMENT_ENTERED else left
    words = describe_trigger(workflow)
    entries = [
        Entry(workflow, pk, {"words": words, "at": now.date().isoformat()}) for pk in sorted(chosen)
    ]
    return enroll_many(entries, now=now)


def scan_triggers(*, now: dt.datetime) -> int:
    """Run the scanning triggers of every active workflow; returns people enrolled."""
    enrolled = 0
    scanned = Workflow.objects.filter(
        status=WorkflowStatus.ACTIVE,
        trigger__in=[
            TriggerKind.DATE_ANNIVERSARY, TriggerKind.SEGMENT_ENTERED, TriggerKind.SEGMENT_LEFT
        ],
    )  # fmt: skip
    for workflow in scanned:
        with transaction.atomic():
            # Lock the workflow so two workers never scan (and enrol) the same day twice.
            locked = Workflow.objects.select_for_update().get(pk=workflow.pk)
            if locked.trigger == TriggerKind.DATE_ANNIVERSARY:
                enrolled += _scan_anniversaries(locked, now)
            else:
                enrolled += _scan_segment(locked, now)
    return enrolled
