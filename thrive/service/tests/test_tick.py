"""The worker's inbox tick: one pending at a time, and it makes the SLA tasks."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from thrive.service import services, tasks
from thrive.service.models import Conversation, ServiceCursor
from thrive.tasks.models import Task

from .conftest import customer_email


def test_only_one_tick_is_pending_and_a_tick_makes_due_sla_tasks(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert tasks.schedule_tick() is True
        assert tasks.schedule_tick() is False
    assert len(queued) == 1
    services.receive(bytes(customer_email()), source="lmtp")
    Conversation.objects.update(first_response_due_at=timezone.now() - dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=False):
        result = tasks.service_tick.call()
    assert len(result["sla_tasks"]) == 1
    assert Task.objects.filter(title__startswith="SLA: first response").count() == 1
    assert ServiceCursor.objects.get().tick_due_at is not None  # the next one is queued
