"""Tasks for associates: list, read, create, finish."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import AwareDatetime, Field

from thrive.contacts.models import Person
from thrive.tasks.models import Task, TaskKind, TaskStatus
from thrive.tasks.services import create_task, finish_task

from ..errors import ApiError
from ..pagination import PageQuery, page_of, paginate
from ..types import ERRORS, Id, Text, actor

router = Router(tags=["tasks"])


class TaskOut(Schema):
    id: int
    title: str
    kind: str
    person_id: int | None
    assignee_id: int | None
    due_at: dt.datetime | None
    status: str
    completed_at: dt.datetime | None
    reason: str
    notes: str
    created_at: dt.datetime


class TaskIn(Schema):
    title: Text = Field(..., min_length=1, max_length=200)
    kind: TaskKind = TaskKind.FOLLOW_UP
    person_id: Id | None = None
    assignee_id: Id | None = None
    due_at: AwareDatetime | None = None
    reason: Text = Field("", max_length=255)


class TaskFinish(Schema):
    status: TaskStatus = TaskStatus.DONE
    notes: Text = Field("", max_length=5000)


class TaskFilter(Schema):
    status: TaskStatus | None = None
    assignee: Id | None = None
    person: Id | None = None


@router.get("/tasks", response={200: page_of(TaskOut), **ERRORS})
def list_tasks(request: HttpRequest, page: Query[PageQuery], filters: Query[TaskFilter]) -> Any:
    tasks = Task.objects.all()
    for name in ("status", "assignee", "person"):
        value = getattr(filters, name)
        if value:
            tasks = tasks.filter(**{name if name == "status" else f"{name}_id": value})
    return paginate(request, tasks, page)


@router.post("/tasks", response={201: TaskOut, **ERRORS})
def create(request: HttpRequest, payload: TaskIn) -> Any:
    person = assignee = None
    if payload.person_id is not None:
        person = Person.objects.filter(pk=payload.person_id).first()
        if person is None:
            raise ApiError(422, f"There is no person {payload.person_id}.", "person_id")
    if payload.assignee_id is not None:
        assignee = get_user_model().objects.filter(pk=payload.assignee_id, is_active=True).first()
        if assignee is None:
            raise ApiError(422, f"There is no associate {payload.assignee_id}.", "assignee_id")
    task = create_task(
        actor=actor(request), title=payload.title, kind=payload.kind, person=person,
        assignee=assignee, due_at=payload.due_at, reason=payload.reason,
    )  # fmt: skip
    return Status(201, task)


@router.get("/tasks/{task_id}", response={200: TaskOut, **ERRORS})
def get_task(request: HttpRequest, task_id: Id) -> Task:
    return get_object_or_404(Task, pk=task_id)


@router.post("/tasks/{task_id}/finish", response={200: TaskOut, **ERRORS})
def finish(request: HttpRequest, task_id: Id, payload: TaskFinish) -> Task:
    task = get_object_or_404(Task, pk=task_id)
    return finish_task(task, actor=actor(request), status=payload.status, notes=payload.notes)
