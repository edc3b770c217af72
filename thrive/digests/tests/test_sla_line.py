"""The digest's SLA line: conversations past or near a deadline, the associate's own (and
nobody's, for owners), each linking to the conversation, times in the associate's zone."""

import datetime as dt

import pytest

from thrive.accounts.models import Role
from thrive.digests.contents import build_digest
from thrive.digests.emails import digest_html, digest_subject, digest_text
from thrive.service.models import Conversation, Status
from thrive.testing.factories import AssociateFactory, PersonFactory

pytestmark = pytest.mark.django_db

# A winter Monday, 09:30 UTC: the business (UTC, 09:00–17:00 weekdays) is open.
NOW = dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def business(settings):
    settings.THRIVE_TIME_ZONE = "UTC"
    settings.THRIVE_PUBLIC_URL = "https://beans.example"


def _conversation(subject: str, assignee, **fields) -> Conversation:
    person = PersonFactory(first_name=subject.split()[0], last_name="Customer")
    return Conversation.objects.create(
        person=person, subject=subject, assignee=assignee, created_at=NOW - 8 * HOUR,
        resolution_due_at=NOW + 40 * HOUR, **fields,
    )  # fmt: skip


def test_the_digest_lists_conversations_past_or_near_an_sla_deadline(settings):
    tom = AssociateFactory(username="tom", first_name="Tom", role=Role.MEMBER,
                           time_zone="America/New_York")  # fmt: skip
    ana = AssociateFactory(username="ana", first_name="Ana", role=Role.OWNER)
    past = _conversation("Alma cold order", tom, first_response_due_at=NOW - HOUR)
    near = _conversation("Bea grinder noise", tom, first_response_due_at=NOW + HOUR / 2)
    # Due this afternoon: past the warning time, but before tomorrow's digest.
    afternoon = _conversation("Cleo afternoon question", tom, first_response_due_at=NOW + 5 * HOUR)
    _conversation("Jude tomorrow's question", tom, first_response_due_at=NOW + 30 * HOUR)
    _conversation("Dora resolved one", tom, first_response_due_at=NOW - HOUR,
                  status=Status.RESOLVED, resolved_at=NOW - HOUR / 2)  # fmt: skip
    resolution = _conversation(
        "Edda refund", tom, status=Status.OPEN, first_response_at=NOW - 6 * HOUR,
        first_response_due_at=NOW - 5 * HOUR,
    )  # fmt: skip
    Conversation.objects.filter(pk=resolution.pk).update(resolution_due_at=NOW + HOUR / 3)
    # Waiting on the customer stops the resolution clock: not listed, however near.
    waiting = _conversation(
        "Ivy waiting on photos",
        tom,
        status=Status.WAITING,
        first_response_at=NOW - 6 * HOUR,
        waiting_since=NOW - HOUR,
    )
    Conversation.objects.filter(pk=waiting.pk).update(resolution_due_at=NOW + HOUR / 4)
    nobodys = _conversation("Fay nobody's question", None, first_response_due_at=NOW - 2 * HOUR)
    _conversation("Gus Ana's case", ana, first_response_due_at=NOW + 30 * HOUR)

    digest = build_digest(tom, now=NOW)
    assert [(r.conversation.pk, r.what, r.past) for r in digest.sla] == [
        (past.pk, "first response", True),
        (resolution.pk, "resolution", False),
        (near.pk, "first response", False),
        (afternoon.pk, "first response", False),
    ]
    assert not digest.empty
    assert "4 conversations near an SLA" in digest_subject(digest)

    text = digest_text(digest, unsubscribe="https://beans.example/stop")
    # 08:30 UTC is 03:30 in New York: the associate's own zone.
    assert "Past its first response deadline, Mon 7 Dec, 03:30 EST" in text
    assert f"https://beans.example/inbox/{past.pk}/" in text
    assert "Edda refund" in text and "Near its resolution deadline" in text
    assert "Cleo afternoon question" in text
    assert "Jude" not in text and "Dora" not in text and "Fay" not in text
    assert "Ivy" not in text
    html = digest_html(digest)
    assert f'href="https://beans.example/inbox/{near.pk}/"' in html

    # An owner also sees nobody's conversations, not a colleague's.
    owner = build_digest(ana, now=NOW)
    assert [r.conversation.pk for r in owner.sla] == [nobodys.pk]
    assert "nobody" in digest_text(owner, unsubscribe="https://beans.example/stop")


def test_a_quiet_inbox_adds_no_sla_line(settings):
    tom = AssociateFactory(username="tom", role=Role.MEMBER)
    _conversation("Hana far deadline", tom, first_response_due_at=NOW + 30 * HOUR)
    digest = build_digest(tom, now=NOW)
    assert digest.sla == []
    assert "SLA" not in digest_text(digest, unsubscribe="x")
