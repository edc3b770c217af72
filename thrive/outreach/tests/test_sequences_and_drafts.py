import datetime as dt

import pytest
from django.utils import timezone

from thrive.contacts.models import Activity, ActivityKind
from thrive.core.roles import Role
from thrive.outreach.models import Delivery, DeliveryStatus, DraftStatus, SequenceEnrollment
from thrive.outreach.sending.sender import run_pump
from thrive.outreach.sending.sequencing import add_step, create_sequence, enroll
from thrive.outreach.services import create_draft, dismiss_draft, send_draft
from thrive.tasks.models import Task, TaskKind, TaskStatus
from thrive.testing.factories import AssociateFactory, PersonFactory

from .conftest import consenting_person, make_template

pytestmark = pytest.mark.django_db


def test_a_sequence_sends_each_step_after_its_delay_once(smtp_sink, settings):
    settings.THRIVE_MAX_AUTOMATED_PER_WEEK = 10
    owner = AssociateFactory(username="seq-owner", role=Role.OWNER)
    sequence = create_sequence(
        actor=owner, name="Welcome", purpose="email_marketing", on_cap="defer"
    )
    add_step(sequence, actor=owner, template=make_template("W1"), delay_hours=0)
    add_step(sequence, actor=owner, template=make_template("W2"), delay_hours=48)
    person = consenting_person()
    enrollment = enroll(person, sequence, reason={"why": "Signed up"})
    assert enroll(person, sequence).pk == enrollment.pk
    run_pump()
    run_pump()
    assert len(smtp_sink.messages) == 1
    enrollment.refresh_from_db()
    assert enrollment.next_position == 2
    assert enrollment.next_run_at == enrollment.enrolled_at + dt.timedelta(hours=48)
    SequenceEnrollment.objects.filter(pk=enrollment.pk).update(next_run_at=timezone.now())
    run_pump()
    run_pump()
    assert len(smtp_sink.messages) == 2
    enrollment.refresh_from_db()
    assert enrollment.status == "completed"
    keys = sorted(Delivery.objects.values_list("idempotency_key", flat=True))
    assert keys == [f"sequence:{sequence.pk}:step:{n}:person:{person.pk}" for n in (1, 2)]
    step2 = Delivery.objects.get(idempotency_key=keys[1])
    assert step2.reason["why"] == "Signed up" and step2.reason["step"] == 2


def test_a_draft_becomes_a_review_task_and_sending_it_is_recorded(smtp_sink):
    tom = AssociateFactory(username="tom", role=Role.MEMBER)
    person = PersonFactory(first_name="Lea")  # no marketing consent: personal mail needs none
    template = make_template("Win back", subject="We miss you, {{ person.first_name }}")
    draft = create_draft(
        person,
        template=template,
        associate=tom,
        idempotency_key="wf:1:draft",
        reason={"why": "Valuable and slipping away.", "p_alive": 0.3},
    )
    assert (
        create_draft(
            person, template=template, associate=tom, idempotency_key="wf:1:draft", reason={}
        ).pk
        == draft.pk
    )
    task = Task.objects.get(pk=draft.task_id)
    assert task.kind == TaskKind.REVIEW_DRAFT and task.assignee == tom
    assert f"/outreach/drafts/{draft.pk}/" in task.reason
    assert draft.subject == "We miss you, Lea" and "Hi Lea" in draft.body
    delivery = send_draft(draft, actor=tom, subject="Coffee soon?", body="Hi Lea, long time!")
    run_pump()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and not delivery.automated
    [received] = smtp_sink.to(person.email)
    assert received.message["Subject"] == "Coffee soon?"
    assert received.message["List-Unsubscribe"] is None
    activity = Activity.objects.get(person=person, kind=ActivityKind.EMAIL)
    assert activity.data["draft"] == draft.pk and activity.data["action"] == "sent"
    assert activity.associate == tom and not activity.automated
    draft.refresh_from_db()
    task.refresh_from_db()
    assert draft.status == DraftStatus.SENT and task.status == TaskStatus.DONE


def test_dismissing_a_draft_leaves_a_note_for_the_workflow():
    tom = AssociateFactory(username="tom2", role=Role.MEMBER)
    person = PersonFactory()
    draft = create_draft(
        person, template=make_template(), associate=tom, idempotency_key="d2", reason={"why": "x"}
    )
    dismiss_draft(draft, actor=tom)
    note = Activity.objects.get(person=person, kind=ActivityKind.NOTE)
    assert note.data == {"draft": draft.pk, "action": "dismissed"}
    assert Task.objects.get(pk=draft.task_id).status == TaskStatus.DISMISSED
