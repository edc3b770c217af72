"""Segments and their members."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from thrive.contacts.models import Person
from thrive.segments import services
from thrive.segments.models import Segment

from ..pagination import PageQuery, page_of, paginate
from ..types import ERRORS, Id, Text, actor
from .people import PersonOut

router = Router(tags=["segments"])


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    rules: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime


class SegmentIn(Schema):
    name: Text = Field(..., min_length=1, max_length=120)
    description: Text = Field("", max_length=5000)
    rules: dict[str, Any] = Field(
        ...,
        description='e.g. {"match": "all", "rules": [{"field": "stage", "op": "in", '
        '"value": ["client"]}]}',
    )


class SegmentPatch(Schema):
    name: Text | None = Field(None, min_length=1, max_length=120)
    description: Text | None = Field(None, max_length=5000)
    rules: dict[str, Any] | None = None


@router.get("/segments", response={200: page_of(SegmentOut), **ERRORS})
def list_segments(request: HttpRequest, page: Query[PageQuery]) -> Any:
    return paginate(request, Segment.objects.all(), page)


@router.post("/segments", response={201: SegmentOut, **ERRORS})
def create_segment(request: HttpRequest, payload: SegmentIn) -> Any:
    segment = services.create_segment(
        actor=actor(request), name=payload.name, rules=payload.rules,
        description=payload.description,
    )  # fmt: skip
    return Status(201, segment)


@router.get("/segments/{segment_id}", response={200: SegmentOut, **ERRORS})
def get_segment(request: HttpRequest, segment_id: Id) -> Segment:
    return get_object_or_404(Segment, pk=segment_id)


@router.patch("/segments/{segment_id}", response={200: SegmentOut, **ERRORS})
def update_segment(request: HttpRequest, segment_id: Id, payload: SegmentPatch) -> Segment:
    segment = get_object_or_404(Segment, pk=segment_id)
    return services.update_segment(
        segment, actor=actor(request),
        name=payload.name if payload.name is not None else segment.name,
        rules=payload.rules if payload.rules is not None else segment.rules,
        description=(
            payload.description if payload.description is not None else segment.description
        ),
    )  # fmt: skip


@router.delete("/segments/{segment_id}", response={204: None, **ERRORS})
def delete_segment(request: HttpRequest, segment_id: Id) -> Status:
    segment = get_object_or_404(Segment, pk=segment_id)
    services.delete_segment(segment, actor=actor(request))
    return Status(204, None)


@router.get("/segments/{segment_id}/members", response={200: page_of(PersonOut), **ERRORS})
def segment_members(request: HttpRequest, segment_id: Id, page: Query[PageQuery]) -> Any:
    segment = get_object_or_404(Segment, pk=segment_id)
    people = Person.objects.prefetch_related("tags").filter(segment.condition())
    return paginate(request, people, page)
