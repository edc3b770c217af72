"""Reads of tasks: an associate's inbox and the tasks on one person."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from thrive.contacts.models import Person

from .models import Task, TaskStatus


def inbox_selections(
    associate_id: Any, *, now: dt.datetime, end_of_today: dt.datetime
) -> dict[str, QuerySet[Task]]:
    """The inbox's tabs for one associate: open tasks due by the end of their day (or with
    no date), overdue, later, their finished ones (latest first) and everyone's open tasks."""
    tasks = Task.objects.select_related("person", "assignee")
    mine = tasks.filter(assignee_id=associate_id)
    open_mine = mine.filter(status=TaskStatus.OPEN)
    return {
        "due": open_mine.filter(due_at__lt=end_of_today) | open_mine.filter(due_at__isnull=True),
        "overdue": open_mine.filter(due_at__lt=now),
        "upcoming": open_mine.filter(due_at__gte=end_of_today),
        "done": mine.exclude(status=TaskStatus.OPEN).order_by("-completed_at"),
        "all": tasks.filter(status=TaskStatus.OPEN),
    }


def tasks_for_person(person: Person, limit: int = 20) -> list[Task]:
    """A person's tasks, open ones first and the soonest due first."""
    return list(
        Task.objects.filter(person=person)
        .select_related("assignee")
        .order_by("status", "due_at")[:limit]
    )


def due_count(associate_id: Any, *, end_of_today: dt.datetime) -> int:
    """How many open tasks of one associate are due by the end of their day or carry no date:
    the count of the inbox's "Due" tab, in one query (the top bar shows it on every page)."""
    return (
        Task.objects.filter(assignee_id=associate_id, status=TaskStatus.OPEN)
        .filter(Q(due_at__lt=end_of_today) | Q(due_at__isnull=True))
        .count()
    )
