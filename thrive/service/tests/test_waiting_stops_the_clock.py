"""The resolution clock stops while a conversation waits on the customer, and starts again,
with the time left, when the customer answers or someone reopens it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from thrive.service import queries, services
from thrive.service.models import Conversation, ServiceSettings, Status
from thrive.tasks.models import Task
from thrive.testing.factories import AssociateFactory, PersonFactory

from .conftest import customer_email


@pytest.fixture
def conversation(db):
    ServiceSettings.objects.create(workdays="")  # no hours kept: the clock always runs
    PersonFactory(first_name="Lena", last_name="Park", email="lena@example.com")
    services.receive(bytes(customer_email()), source="lmtp")
    return Conversation.objects.get()


def wait_on_customer(conversation: Conversation, *, began: dt.datetime, due: dt.datetime):
    member = AssociateFactory()
    services.update_conversation(
        conversation, actor=member, status=Status.WAITING, priority=conversation.priority,
        assignee=member, tags="",
    )  # fmt: skip
    Conversation.objects.filter(pk=conversation.pk).update(
        waiting_since=began, resolution_due_at=due
    )
    return Conversation.objects.get(pk=conversation.pk)


def test_the_customer_s_answer_moves_the_deadline_on_by_the_wait(conversation):
    now = timezone.now()
    waited = wait_on_customer(
        conversation, began=now - dt.timedelta(hours=3), due=now - dt.timedelta(hours=1)
    )
    assert not waited.resolution_breached()  # 2 h were left when the wait began
    services.receive(
        bytes(customer_email(subject="Re: Order 1042 arrived cold", text="Here is the photo.")),
        source="lmtp",
    )  # fmt: skip
    reopened = Conversation.objects.get(pk=conversation.pk)
    assert reopened.status == Status.OPEN and reopened.waiting_since is None
    left = reopened.resolution_due_at - timezone.now()
    assert dt.timedelta(hours=1, minutes=58) < left <= dt.timedelta(hours=2)
    assert reopened.sla_paused_minutes >= 179


def test_a_deadline_missed_before_the_wait_stays_missed(conversation):
    now = timezone.now()
    due = now - dt.timedelta(hours=2)
    waited = wait_on_customer(conversation, began=now - dt.timedelta(hours=1), due=due)
    assert waited.resolution_breached()
    services.update_conversation(
        waited, actor=AssociateFactory(), status=Status.OPEN, priority=waited.priority,
        assignee=None, tags="",
    )  # fmt: skip
    assert Conversation.objects.get(pk=conversation.pk).resolution_due_at == due


def test_no_sla_task_or_breach_while_the_customer_has_the_next_move(conversation):
    now = timezone.now()
    waited = wait_on_customer(
        conversation, began=now - dt.timedelta(minutes=30), due=now - dt.timedelta(minutes=5)
    )
    Conversation.objects.filter(pk=waited.pk).update(first_response_at=now)
    assert services.check_sla(now) == []
    assert not Task.objects.filter(title__startswith="SLA: resolution").exists()
    breaching = queries.inbox(queries.Filters(status="breaching"), waited.assignee, now)
    assert list(breaching) == []
    assert queries.sla_at_risk(waited.assignee, now=now) == []
    # The same deadline on an open conversation is a breach and gets its task.
    Conversation.objects.filter(pk=waited.pk).update(status=Status.OPEN, waiting_since=None)
    assert len(services.check_sla(now)) == 1
    assert list(queries.inbox(queries.Filters(status="breaching"), waited.assignee, now))


def test_a_priority_change_keeps_the_time_already_waited(conversation):
    Conversation.objects.filter(pk=conversation.pk).update(sla_paused_minutes=90)
    before = Conversation.objects.get(pk=conversation.pk)
    services.update_conversation(
        before, actor=AssociateFactory(), status=Status.OPEN, priority="urgent", assignee=None,
        tags="",
    )  # fmt: skip
    after = Conversation.objects.get(pk=conversation.pk)
    _, urgent_minutes = services.sla_targets("urgent")
    expected = after.created_at + dt.timedelta(minutes=urgent_minutes + 90)
    assert after.resolution_due_at == expected


def test_the_conversation_page_says_the_clock_is_paused(conversation):
    from django.urls import reverse

    from thrive.conftest import client_for

    now = timezone.now()
    waited = wait_on_customer(
        conversation, began=now - dt.timedelta(minutes=30), due=now - dt.timedelta(minutes=5)
    )
    page = client_for(waited.assignee).get(reverse("inbox_conversation", args=[waited.pk]))
    assert b"paused while waiting on the customer" in page.content
    assert b"breached" not in page.content
