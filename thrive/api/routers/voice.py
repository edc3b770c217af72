"""Ideas and votes, NPS surveys and their responses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from thrive.contacts.models import Person
from thrive.segments.models import Segment
from thrive.voice.models import Idea, IdeaStatus, Importance, Survey, SurveyResponse, Vote
from thrive.voice.services.ideas import change_idea_status, submit_idea, vote_for_idea
from thrive.voice.services.surveys import create_survey

from ..errors import ApiError
from ..pagination import PageQuery, page_of, paginate
from ..types import ERRORS, Id, Text, actor

router = Router(tags=["voice"])


def _person(pk: int) -> Person:
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise ApiError(422, f"There is no person {pk}.", "person_id")
    return person


class IdeaOut(Schema):
    id: int
    title: str
    body: str
    status: str
    author_id: int | None
    created_at: dt.datetime
    status_changed_at: dt.datetime | None
    done_at: dt.datetime | None
    merged_into_id: int | None


class IdeaIn(Schema):
    person_id: Id = Field(..., description="Whose idea it is (they also vote for it).")
    title: Text = Field(..., min_length=1, max_length=200)
    body: Text = Field("", max_length=5000)
    importance: Importance = Importance.NICE


class IdeaStatusIn(Schema):
    status: IdeaStatus
    public_note: Text = Field("", max_length=500)


class VoteOut(Schema):
    id: int
    idea_id: int
    person_id: int
    importance: str
    notify: bool
    created_at: dt.datetime


class VoteIn(Schema):
    person_id: Id
    importance: Importance = Importance.NICE
    notify: bool = True


@router.get("/ideas", response={200: page_of(IdeaOut), **ERRORS})
def list_ideas(request: HttpRequest, page: Query[PageQuery]) -> Any:
    return paginate(request, Idea.objects.all(), page)


@router.post("/ideas", response={201: IdeaOut, **ERRORS})
def create_idea(request: HttpRequest, payload: IdeaIn) -> Any:
    idea = submit_idea(
        _person(payload.person_id), title=payload.title, body=payload.body,
        importance=payload.importance, actor=actor(request),
    )  # fmt: skip
    return Status(201, idea)


@router.get("/ideas/{idea_id}", response={200: IdeaOut, **ERRORS})
def get_idea(request: HttpRequest, idea_id: Id) -> Idea:
    return get_object_or_404(Idea, pk=idea_id)


@router.post("/ideas/{idea_id}/status", response={200: IdeaOut, **ERRORS})
def set_idea_status(request: HttpRequest, idea_id: Id, payload: IdeaStatusIn) -> Idea:
    """Move an idea to a status; voters are told (timeline and, if they asked, email)."""
    idea = get_object_or_404(Idea, pk=idea_id)
    change_idea_status(idea, payload.status, actor=actor(request), public_note=payload.public_note)
    return get_object_or_404(Idea, pk=idea_id)


@router.get("/ideas/{idea_id}/votes", response={200: page_of(VoteOut), **ERRORS})
def list_votes(request: HttpRequest, idea_id: Id, page: Query[PageQuery]) -> Any:
    idea = get_object_or_404(Idea, pk=idea_id)
    return paginate(request, Vote.objects.filter(idea=idea), page)


@router.post("/ideas/{idea_id}/votes", response={201: VoteOut, **ERRORS})
def vote(request: HttpRequest, idea_id: Id, payload: VoteIn) -> Any:
    """Record a person's vote (e.g. heard on a call); one vote per person and idea."""
    idea = get_object_or_404(Idea, pk=idea_id)
    actor(request)  # the role was checked before the endpoint ran
    cast = vote_for_idea(
        _person(payload.person_id), idea, importance=payload.importance, notify=payload.notify
    )
    return Status(201, cast)


class SurveyOut(Schema):
    id: int
    name: str
    question: str
    segment_id: int | None
    owner_id: int | None
    cooldown_days: int
    created_at: dt.datetime


class SurveyIn(Schema):
    name: Text = Field(..., min_length=1, max_length=120)
    question: Text = Field("", max_length=300)
    segment_id: Id | None = None
    cooldown_days: int = Field(90, ge=0, le=3650)


class ResponseOut(Schema):
    id: int
    survey_id: int
    person_id: int
    score: int
    category: str
    comment: str
    answered_at: dt.datetime


@router.get("/surveys", response={200: page_of(SurveyOut), **ERRORS})
def list_surveys(request: HttpRequest, page: Query[PageQuery]) -> Any:
    return paginate(request, Survey.objects.all(), page)


@router.post("/surveys", response={201: SurveyOut, **ERRORS})
def new_survey(request: HttpRequest, payload: SurveyIn) -> Any:
    segment = None
    if payload.segment_id is not None:
        segment = Segment.objects.filter(pk=payload.segment_id).first()
        if segment is None:
            raise ApiError(422, f"There is no segment {payload.segment_id}.", "segment_id")
    survey = create_survey(
        actor=actor(request), name=payload.name, segment=segment,
        cooldown_days=payload.cooldown_days, **({"question": payload.question}
                                                if payload.question.strip() else {}),
    )  # fmt: skip
    return Status(201, survey)


@router.get("/surveys/{survey_id}", response={200: SurveyOut, **ERRORS})
def get_survey(request: HttpRequest, survey_id: Id) -> Survey:
    return get_object_or_404(Survey, pk=survey_id)


@router.get("/surveys/{survey_id}/responses", response={200: page_of(ResponseOut), **ERRORS})
def list_responses(request: HttpRequest, survey_id: Id, page: Query[PageQuery]) -> Any:
    survey = get_object_or_404(Survey, pk=survey_id)
    return paginate(request, SurveyResponse.objects.filter(survey=survey), page)
