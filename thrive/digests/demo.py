"""The demo's follow-ups: Tom has a call-back overdue and a tasting to prepare today, and
today's digest is recorded for him (delivered to an in-memory outbox: the demo sends no
real mail), so "Preview my digest" and its history show on his profile."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.mail.backends.locmem import EmailBackend as InMemoryOutbox
from django.utils import timezone

from thrive.contacts.models import Person, Stage
from thrive.tasks.models import Task
from thrive.tasks.services import create_task

from .models import DigestRun
from .services import send_digest

TASKS = [
    ("Call back about the sour espresso", -20),
    ("Set up the cupping table for the 15:00 tasting", 5),
]


def seed_demo(owner_username: str) -> None:
    tom = get_user_model().objects.filter(username="tom").first()
    if tom is None:
        return
    now = timezone.now()
    # Clients who never answered a survey: the NPS history keeps its own follow-ups.
    people = list(
        Person.objects.filter(stage=Stage.CLIENT, survey_responses__isnull=True).order_by("id")[:2]
    )
    for (title, hours), person in zip(TASKS, people, strict=False):
        if not Task.objects.filter(title=title, assignee=tom).exists():
            create_task(
                actor=None, title=title, person=person, assignee=tom,
                due_at=now + dt.timedelta(hours=hours),
                reason="The demo: a follow-up that shows in Tom's daily digest.",
            )  # fmt: skip
    if not DigestRun.objects.filter(associate=tom).exists():
        send_digest(tom, now=now, connection=InMemoryOutbox())
