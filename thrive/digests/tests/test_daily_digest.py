"""The daily digest: what it says, when it goes, once per associate per day, opt-out."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from thrive.accounts.models import Role
from thrive.commerce.models import Deal, DealStage
from thrive.conftest import client_for
from thrive.contacts.models import ActivityKind, Stage
from thrive.contacts.services import record_activity
from thrive.digests.contents import build_digest
from thrive.digests.models import DigestRun, DigestStatus
from thrive.digests.services import save_settings, send_digest, send_due_digests
from thrive.digests.tasks import digest_tick, schedule_tick
from thrive.tasks.models import Task, TaskStatus
from thrive.tasks.services import create_task
from thrive.testing.factories import AssociateFactory, PersonFactory

from .conftest import answer, book, score

pytestmark = pytest.mark.django_db(transaction=False)

# 09:30 in London on a winter Monday: after a 07:00 digest hour.
NOW = dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def tom(db):
    return AssociateFactory(
        username="tom", first_name="Tom", email="tom@beans.example", role=Role.MEMBER
    )


def test_the_digest_lists_what_waits_for_the_associate_and_nothing_else(tom):
    other = AssociateFactory(username="maya", email="maya@beans.example", role=Role.OWNER)
    lea, ken, ida, bo = (PersonFactory(first_name=n) for n in ("Lea", "Ken", "Ida", "Bo"))
    overdue = create_task(actor=None, title="Call Lea back", person=lea, assignee=tom,
                          due_at=NOW - dt.timedelta(days=1))  # fmt: skip
    today = create_task(actor=None, title="Send Ken the quote", person=ken, assignee=tom,
                        due_at=NOW + dt.timedelta(hours=3))  # fmt: skip
    create_task(actor=None, title="Tomorrow's thing", assignee=tom,
                due_at=NOW + dt.timedelta(days=2))  # fmt: skip
    create_task(actor=None, title="Maya's task", assignee=other, due_at=NOW)
    waiting = answer(ida, score=3, owner=tom, at=NOW - dt.timedelta(days=2), comment="Slow")
    called = answer(bo, score=2, owner=tom, at=NOW - dt.timedelta(days=3))
    record_activity(bo, ActivityKind.CALL, associate=tom, occurred_at=NOW - dt.timedelta(days=1))
    answer(PersonFactory(), score=9, owner=tom, at=NOW - dt.timedelta(days=1))  # a promoter
    answer(PersonFactory(), score=1, owner=other, at=NOW - dt.timedelta(days=1))  # Maya's
    hot = PersonFactory(first_name="Hot", stage=Stage.PROSPECT)
    score(hot, 0.8)
    score(PersonFactory(stage=Stage.PROSPECT), 0.2)
    session = book(ken, tom, start=NOW + dt.timedelta(hours=2))
    book(ken, tom, start=NOW + dt.timedelta(days=1))
    stage, _ = DealStage.objects.get_or_create(
        name="Proposal", defaults={"position": 3, "probability": Decimal("0.5")}
    )
    stuck = Deal.objects.create(title="Roaster", person=ida, stage=stage, owner=tom,
                                value=Decimal(900))  # fmt: skip
    Deal.objects.create(title="Grinder", person=ken, stage=stage, owner=tom, value=Decimal(90))

    digest = build_digest(tom, now=NOW)

    assert digest.overdue == [overdue] and digest.due_today == [today]
    assert [r.pk for r in digest.detractors] == [waiting.pk]
    assert called.pk not in [r.pk for r in digest.detractors]
    assert [s.person for s in digest.hot_leads] == [hot]
    assert digest.sessions == [session]
    assert digest.deals == [stuck]  # Ken has an open task: the grinder has a next step


def test_a_finished_call_back_task_means_the_detractor_is_no_longer_waiting(tom):
    ida = PersonFactory(first_name="Ida")
    answer(ida, score=4, owner=tom, at=NOW - dt.timedelta(days=1))
    task = Task.objects.create(title="Call Ida", person=ida, assignee=tom, status=TaskStatus.DONE,
                               completed_at=timezone.now())  # fmt: skip
    assert task.completed_at > NOW - dt.timedelta(days=1)
    assert build_digest(tom, now=NOW).detractors == []


def test_the_digest_is_sent_once_per_day_at_the_morning_hour(tom, smtp_sink):
    create_task(actor=None, title="Call Lea back", assignee=tom, due_at=NOW - dt.timedelta(hours=1))
    save_settings(tom, actor=tom, digest_hour=10)
    assert send_due_digests(now=NOW) == {"sent": 0, "empty": 0, "failed": 0}  # 09:30 < 10:00
    later = NOW + dt.timedelta(hours=1)
    assert send_due_digests(now=later)["sent"] == 1
    assert send_due_digests(now=later + dt.timedelta(hours=2))["sent"] == 0
    [received] = smtp_sink.to("tom@beans.example")
    message = received.message
    assert message["Subject"] == "Your day at Beans & Co: 1 task"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Call Lea back" in text and "http://testserver/notifications/unsubscribe/" in text
    assert message["List-Unsubscribe"].startswith("<http://testserver/notifications/unsubscribe/")
    run = DigestRun.objects.get()
    assert run.status == DigestStatus.SENT and run.counts["overdue"] == 1
    # The next local day brings the next digest.
    assert send_due_digests(now=later + dt.timedelta(days=1))["sent"] == 1


def test_the_morning_hour_is_the_associates_own(tom, smtp_sink):
    tom.time_zone = "America/Los_Angeles"  # 09:30 UTC is 01:30 there
    tom.save()
    create_task(actor=None, title="Call", assignee=tom, due_at=NOW)
    assert send_due_digests(now=NOW)["sent"] == 0
    assert send_due_digests(now=NOW + dt.timedelta(hours=6))["sent"] == 1  # 07:30 there


def test_an_associate_who_opted_out_gets_no_digest(tom, smtp_sink):
    create_task(actor=None, title="Call Lea back", assignee=tom, due_at=NOW)
    save_settings(tom, actor=tom, daily_digest=False)
    assert send_due_digests(now=NOW)["sent"] == 0
    assert smtp_sink.messages == [] and not DigestRun.objects.exists()


def test_an_empty_day_is_recorded_and_not_emailed(tom, smtp_sink):
    assert send_due_digests(now=NOW) == {"sent": 0, "empty": 1, "failed": 0}
    assert smtp_sink.messages == []
    assert DigestRun.objects.get().status == DigestStatus.EMPTY


def test_two_workers_at_once_send_one_digest(tom, smtp_sink):
    create_task(actor=None, title="Call Lea back", assignee=tom, due_at=NOW)
    first = send_digest(tom, now=NOW)
    second = send_digest(tom, now=NOW)  # the other worker, same day: finds the claim
    assert first is not None and second is None
    assert len(smtp_sink.to("tom@beans.example")) == 1


@pytest.mark.django_db(transaction=True)
def test_two_threads_racing_for_the_same_digest_send_one(tom, smtp_sink):
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent connections need PostgreSQL; SQLite serializes writers anyway.")
    create_task(actor=None, title="Call Lea back", assignee=tom, due_at=NOW)
    barrier = threading.Barrier(2)
    results = []

    def work():
        try:
            barrier.wait()
            results.append(send_digest(tom, now=NOW))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r is None for r in results) == [False, True]
    assert len(smtp_sink.to("tom@beans.example")) == 1


def test_a_stale_claim_is_taken_over_but_a_fresh_one_is_not(tom, smtp_sink):
    create_task(actor=None, title="Call", assignee=tom, due_at=NOW)
    DigestRun.objects.create(
        associate=tom, day=NOW.date(), claimed_at=NOW - dt.timedelta(minutes=5)
    )
    assert send_digest(tom, now=NOW) is None
    assert send_digest(tom, now=NOW + dt.timedelta(hours=1)) is not None
    assert len(smtp_sink.to("tom@beans.example")) == 1


def test_the_tick_sends_and_queues_the_next_one(tom, smtp_sink, django_capture_on_commit_callbacks):
    create_task(actor=None, title="Call", assignee=tom, due_at=timezone.now())
    save_settings(tom, actor=tom, digest_hour=0)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        result = digest_tick.call()
    assert result["sent"] == 1 and len(queued) == 1
    assert not schedule_tick()  # one tick is pending already


def test_the_preview_page_shows_my_digest_and_sends_nothing(tom, smtp_sink):
    create_task(actor=None, title="Call <b>Lea</b> back", assignee=tom, due_at=timezone.now())
    page = client_for(tom).get(reverse("digest_preview"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Call &lt;b&gt;Lea&lt;/b&gt; back" in html and "<b>Lea</b>" not in html
    assert smtp_sink.messages == [] and not DigestRun.objects.exists()


@pytest.mark.parametrize("role", [Role.OWNER, Role.MEMBER, Role.READ_ONLY])
def test_every_associate_chooses_their_own_notifications_on_the_profile(role, db):
    me = AssociateFactory(username=f"me-{role}", email="me@beans.example", role=role)
    client = client_for(me)
    profile = client.get(reverse("profile"))
    assert b"Email notifications" in profile.content and b"Preview my digest" in profile.content
    response = client.post(reverse("digest_settings"), {"digest_hour": "8", "urgent_booking": "on"})
    assert response.status_code == 302
    me.notification_settings.refresh_from_db()
    row = me.notification_settings
    assert not row.daily_digest and row.digest_hour == 8 and row.urgent_booking
    assert not row.urgent_detractor


def test_a_bad_hour_is_refused_with_a_message(tom):
    client = client_for(tom)
    response = client.post(reverse("digest_settings"), {"digest_hour": "25"}, follow=True)
    assert "Choose an hour from 00:00 to 23:00." in response.content.decode()
    assert not hasattr(tom, "notification_settings") or tom.notification_settings.digest_hour == 7
