"""People: list (with segment rules), read, create, update, stage, tags, interactions."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import AwareDatetime, Field

from thrive.contacts import services
from thrive.contacts.models import Activity, Organization, Person, Stage
from thrive.segments.models import Segment
from thrive.segments.rules import compile_rules

from ..errors import ApiError
from ..pagination import PageQuery, page_of, paginate
from ..types import ERRORS, Count, Id, Text, actor
from .activities import ActivityOut

router = Router(tags=["people"])


class PersonOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str | None
    phone: str
    organization_id: int | None
    job_title: str
    stage: str
    stage_changed_at: dt.datetime
    first_seen_at: dt.datetime
    acquisition_source: str
    time_zone: str
    country: str
    region: str
    city: str
    custom_fields: dict[str, Any]
    tags: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_tags(obj: Person) -> list[str]:
        return sorted(t.name for t in obj.tags.all())


class PersonIn(Schema):
    first_name: Text = Field("", max_length=100)
    last_name: Text = Field("", max_length=100)
    email: Text | None = Field(None, max_length=254)
    phone: Text = Field("", max_length=40)
    organization_id: Id | None = None
    job_title: Text = Field("", max_length=120)
    stage: Stage = Stage.SUSPECT
    acquisition_source: Text = Field("", max_length=200)
    time_zone: Text = Field("", max_length=64)
    country: Text = Field("", max_length=2)
    region: Text = Field("", max_length=120)
    city: Text = Field("", max_length=120)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class PersonPatch(Schema):
    first_name: Text | None = Field(None, max_length=100)
    last_name: Text | None = Field(None, max_length=100)
    email: Text | None = Field(None, max_length=254)
    phone: Text | None = Field(None, max_length=40)
    organization_id: Id | None = None
    job_title: Text | None = Field(None, max_length=120)
    stage: Stage | None = None
    stage_note: Text = Field("", max_length=255)
    time_zone: Text | None = Field(None, max_length=64)
    country: Text | None = Field(None, max_length=2)
    region: Text | None = Field(None, max_length=120)
    city: Text | None = Field(None, max_length=120)
    custom_fields: dict[str, Any] | None = None


class PeopleFilter(Schema):
    stage: Stage | None = None
    email: Text | None = Field(None, max_length=254)
    tag: Text | None = Field(None, max_length=60)
    organization: Id | None = None
    segment: Id | None = Field(None, description="Only the members of this segment.")
    rules: Text | None = Field(
        None, description='Segment rules as JSON, e.g. {"match":"all","rules":[…]}.'
    )


class TagIn(Schema):
    name: Text = Field(..., min_length=1, max_length=60)


class InteractionIn(Schema):
    kind: Text = Field(..., description="call, meeting, strategy_session, note, support, email")
    subject: Text = Field("", max_length=255)
    body: Text = Field("", max_length=20000)
    duration_minutes: Count | None = None
    occurred_at: AwareDatetime | None = None


def _people() -> Any:
    return Person.objects.prefetch_related("tags")


def _organization(pk: int | None) -> Organization | None:
    if pk is None:
        return None
    organization = Organization.objects.filter(pk=pk).first()
    if organization is None:
        raise ApiError(422, f"There is no organization {pk}.", "organization_id")
    return organization


@router.get("/people", response={200: page_of(PersonOut), **ERRORS})
def list_people(
    request: HttpRequest, page: Query[PageQuery], filters: Query[PeopleFilter]
) -> dict[str, Any]:
    """People in id order. `segment` and `rules` filter with the segment rules."""
    people = _people()
    if filters.stage:
        people = people.filter(stage=filters.stage)
    if filters.email:
        people = people.filter(email__iexact=filters.email.strip())
    if filters.tag:
        people = people.filter(person_tags__tag__name__iexact=filters.tag)
    if filters.organization:
        people = people.filter(organization_id=filters.organization)
    if filters.segment:
        segment = Segment.objects.filter(pk=filters.segment).first()
        if segment is None:
            raise ApiError(422, f"There is no segment {filters.segment}.", "segment")
        people = people.filter(segment.condition())
    if filters.rules:
        try:
            rules = json.loads(filters.rules)
        except ValueError as exc:
            raise ApiError(422, f"Rules are not valid JSON: {exc}.", "rules") from exc
        try:
            people = people.filter(compile_rules(rules))
        except ValidationError as exc:
            reasons = "; ".join(exc.messages)
            raise ApiError(422, reasons, "rules") from exc
    return paginate(request, people, page)


@router.post("/people", response={201: PersonOut, **ERRORS})
def create_person(request: HttpRequest, payload: PersonIn) -> Status:
    fields = payload.dict(exclude={"stage", "organization_id"})
    fields["organization"] = _organization(payload.organization_id)
    person = services.create_person(actor=actor(request), stage=payload.stage, **fields)
    return Status(201, person)


@router.get("/people/{person_id}", response={200: PersonOut, **ERRORS})
def get_person(request: HttpRequest, person_id: Id) -> Person:
    return get_object_or_404(_people(), pk=person_id)


@router.patch("/people/{person_id}", response={200: PersonOut, **ERRORS})
def update_person(request: HttpRequest, person_id: Id, payload: PersonPatch) -> Person:
    """Change the fields sent; a new `stage` is recorded as a manual stage change."""
    person = get_object_or_404(Person, pk=person_id)
    fields = payload.dict(exclude_unset=True, exclude={"stage", "stage_note", "organization_id"})
    if "organization_id" in payload.model_fields_set:
        fields["organization"] = _organization(payload.organization_id)
    for name in ("first_name", "last_name", "phone", "job_title", "time_zone", "country",
                 "region", "city", "custom_fields"):  # fmt: skip
        if name in fields and fields[name] is None:
            raise ApiError(422, "This field cannot be null.", name)
    who = actor(request)
    with transaction.atomic():
        if fields:
            services.update_person(person, actor=who, **fields)
        if payload.stage:
            services.change_stage(person, payload.stage, actor=who, note=payload.stage_note)
    return get_object_or_404(_people(), pk=person_id)


@router.post("/people/{person_id}/tags", response={200: PersonOut, **ERRORS})
def add_tag(request: HttpRequest, person_id: Id, payload: TagIn) -> Person:
    person = get_object_or_404(Person, pk=person_id)
    services.add_tag(person, payload.name, actor=actor(request))
    return get_object_or_404(_people(), pk=person_id)


@router.delete("/people/{person_id}/tags/{tag}", response={200: PersonOut, **ERRORS})
def remove_tag(request: HttpRequest, person_id: Id, tag: Text) -> Person:
    person = get_object_or_404(Person, pk=person_id)
    services.remove_tag(person, tag, actor=actor(request))
    return get_object_or_404(_people(), pk=person_id)


@router.post("/people/{person_id}/interactions", response={201: ActivityOut, **ERRORS})
def log_interaction(request: HttpRequest, person_id: Id, payload: InteractionIn) -> Status:
    """Log a call, meeting, strategy session, note, support conversation or email."""
    person = get_object_or_404(Person, pk=person_id)
    activity = services.log_interaction(
        person, payload.kind, actor=actor(request), subject=payload.subject, body=payload.body,
        duration_minutes=payload.duration_minutes, occurred_at=payload.occurred_at,
    )  # fmt: skip
    return Status(201, activity)


@router.get("/people/{person_id}/activities", response={200: page_of(ActivityOut), **ERRORS})
def person_activities(request: HttpRequest, person_id: Id, page: Query[PageQuery]) -> Any:
    person = get_object_or_404(Person, pk=person_id)
    return paginate(request, Activity.objects.filter(person=person), page)
