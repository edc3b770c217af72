"""The activity log, read-only (it is append-only: services write it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from pydantic import AwareDatetime, Field

from thrive.contacts.models import Activity, ActivityKind

from ..pagination import PageQuery, page_of, paginate
from ..types import ERRORS, Id

router = Router(tags=["activities"])


class ActivityOut(Schema):
    id: int
    person_id: int
    kind: str
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    channel: str
    direction: str
    associate_id: int | None
    duration_minutes: int | None
    automated: bool
    subject: str
    body: str
    data: dict[str, Any]
    ref: str


class ActivityFilter(Schema):
    kind: ActivityKind | None = None
    person: Id | None = None
    since: AwareDatetime | None = Field(None, description="Occurred at or after this time.")


@router.get("/activities", response={200: page_of(ActivityOut), **ERRORS})
def list_activities(
    request: HttpRequest, page: Query[PageQuery], filters: Query[ActivityFilter]
) -> Any:
    """The timeline of everyone, in the order it was recorded (id order)."""
    rows = Activity.objects.all()
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.person:
        rows = rows.filter(person_id=filters.person)
    if filters.since:
        rows = rows.filter(occurred_at__gte=filters.since)
    return paginate(request, rows, page)


@router.get("/activities/{activity_id}", response={200: ActivityOut, **ERRORS})
def get_activity(request: HttpRequest, activity_id: Id) -> Activity:
    return get_object_or_404(Activity, pk=activity_id)
