"""Tasks for associates: created by people or automations, finished by people."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from thrive.contacts.models import Person
from thrive.core.roles import check_actor

from .models import Task, TaskKind, TaskStatus


def create_task(
    *,
    actor: Any,
    title: str,
    person: Person | None = None,
    assignee: Any = None,
    due_at: dt.datetime | None = None,
    kind: str = TaskKind.FOLLOW_UP,
    reason: str = "",
) -> Task:
    """Create an open task; ``reason`` says why it exists (shown to the assignee)."""
    check_actor(actor)
    title = title.strip()
    if not title:
        raise ValidationError({"title": "A task needs a title."})
    task = Task(
        title=title, kind=kind, person=person, assignee=assignee or actor, due_at=due_at,
        reason=reason, created_by=actor,
    )  # fmt: skip
    task.full_clean()
    task.save()
    return task


def finish_task(task: Task, *, actor: Any, status: str = TaskStatus.DONE, notes: str = "") -> Task:
    """Mark a task done or dismissed. Finishing an already finished task changes nothing."""
    check_actor(actor)
    if status not in {TaskStatus.DONE, TaskStatus.DISMISSED}:
        raise ValidationError({"status": "A task is finished as done or dismissed."})
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if locked.status != TaskStatus.OPEN:
            return locked
        locked.status = status
        locked.completed_at = timezone.now()
        if notes:
            locked.notes = notes
        locked.save(update_fields=["status", "completed_at", "notes", "updated_at"])
        return locked


def reopen_task(task: Task, *, actor: Any) -> Task:
    check_actor(actor)
    task.status = TaskStatus.OPEN
    task.completed_at = None
    task.save(update_fields=["status", "completed_at", "updated_at"])
    return task
