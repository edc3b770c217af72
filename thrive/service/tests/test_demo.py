"""The demo seeds a believable inbox once, sends nothing and records nothing after the
end of its history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from thrive.contacts.models import Activity, Stage
from thrive.contacts.services import record_activity
from thrive.core.roles import Role
from thrive.service import demo
from thrive.service.models import (
    CannedReply,
    Conversation,
    CsatRequest,
    Message,
    RawMessage,
    RawStatus,
)
from thrive.tasks.models import Task
from thrive.testing.factories import AssociateFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_open_waiting_resolved_and_breaching_conversations_once(smtp_sink):
    AssociateFactory(username="maya", role=Role.OWNER)
    AssociateFactory(username="tom")
    end = timezone.now() - dt.timedelta(days=3)
    people = PersonFactory.create_batch(6, stage=Stage.CLIENT,
                                        stage_changed_at=end - dt.timedelta(days=300))  # fmt: skip
    record_activity(people[0], "note", occurred_at=end, subject="The history ends here")
    demo.seed_demo("maya")
    demo.seed_demo("maya")
    statuses = sorted(Conversation.objects.values_list("status", flat=True))
    assert statuses == ["open", "open", "open", "resolved", "waiting"]
    urgent = Conversation.objects.get(priority="urgent")
    assert urgent.first_response_task is not None
    assert (
        Task.objects.filter(title__startswith="SLA: first response", person=urgent.person).count()
        == 1
    )
    assert CannedReply.objects.count() == 2
    assert RawMessage.objects.filter(status=RawStatus.PARSED).count() == 6
    assert Message.objects.filter(automatic__startswith="Auto-Submitted").count() == 1
    assert smtp_sink.messages == []
    assert CsatRequest.objects.get().conversation.status == "resolved"
    assert not Activity.objects.filter(occurred_at__gt=end).exists()
