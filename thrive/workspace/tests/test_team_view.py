"""The team view: each colleague's open work, time with customers, how fast customers hear
back and what promoters said about them; the owner sees everyone, a colleague only
themselves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from thrive.commerce.models import Deal, DealStage
from thrive.conftest import client_for
from thrive.contacts.models import Activity
from thrive.tasks.models import Task
from thrive.testing.factories import AssociateFactory, PersonFactory
from thrive.voice.models import Survey, SurveyInvite, SurveyResponse
from thrive.workspace.team_view import colleagues

pytestmark = pytest.mark.django_db


def said(person, score: int, comment: str) -> None:
    survey = Survey.objects.first() or Survey.objects.create(name="NPS")
    invite = SurveyInvite.objects.create(survey=survey, person=person, status="queued")
    SurveyResponse.objects.create(
        invite=invite, survey=survey, person=person, score=score, comment=comment
    )


@pytest.fixture
def tom(db):
    tom = AssociateFactory(username="tom", first_name="Tom", role="member")
    now = timezone.now()
    customer, other = PersonFactory(), PersonFactory()
    for status in ("open", "open", "done"):
        done_at = now if status == "done" else None
        Task.objects.create(title="Call back", assignee=tom, status=status, completed_at=done_at)
    stage = DealStage.objects.create(name="Talking", position=1, probability=Decimal("0.3"))
    Deal.objects.create(title="Café order", owner=tom, stage=stage, value=Decimal(500))
    Deal.objects.create(
        title="Old", owner=tom, stage=stage, value=Decimal(5), closed_at=now - dt.timedelta(days=3)
    )
    log = Activity.objects.create
    log(
        person=customer,
        kind="call",
        associate=tom,
        duration_minutes=20,
        occurred_at=now - dt.timedelta(days=2),
    )
    log(
        person=customer,
        kind="meeting",
        associate=tom,
        duration_minutes=40,
        occurred_at=now - dt.timedelta(days=5),
    )
    log(
        person=customer,
        kind="call",
        associate=tom,
        duration_minutes=90,
        occurred_at=now - dt.timedelta(days=45),
    )
    # Two questions answered by Tom in 3 and 5 hours: median 4.
    for person, asked_days, hours in ((customer, 10, 3), (other, 6, 5)):
        asked = now - dt.timedelta(days=asked_days)
        log(person=person, kind="email", direction="inbound", occurred_at=asked)
        log(
            person=person,
            kind="email",
            direction="outbound",
            associate=tom,
            occurred_at=asked + dt.timedelta(hours=hours),
        )
    said(customer, 10, "Tom remembered my usual order. Lovely!")
    said(other, 3, "Tom was slow")  # a detractor's comment is not praise
    said(PersonFactory(), 10, "Tomatoes are not coffee")  # not his name
    return tom


def test_a_colleagues_work_time_replies_and_praise_are_counted(tom):
    (c,) = colleagues([tom])
    assert (c.open_tasks, c.open_deals) == (2, 1)
    assert c.minutes_with_customers == 60
    assert c.replies == 2 and c.median_reply_hours == pytest.approx(4)
    assert [p.text for p in c.praise] == ["Tom remembered my usual order. Lovely!"]


def test_the_owner_sees_everyone_and_a_colleague_only_themselves(tom, owner, read_only):
    page = client_for(owner).get("/team/").content.decode()
    assert "Tom remembered my usual order" in page and f'id="colleague-{owner.pk}"' in page
    assert client_for(tom).get("/team/")["Location"] == f"/team/{tom.pk}/"
    assert client_for(tom).get(f"/team/{tom.pk}/").status_code == 200
    assert client_for(tom).get(f"/team/{owner.pk}/").status_code == 403
    assert client_for(read_only).get(f"/team/{tom.pk}/").status_code == 403
    assert client_for(owner).get(f"/team/{tom.pk}/").status_code == 200
