"""Email steps go through outreach; a draft step waits for the associate and continues
when they send or dismiss it, or when they do not answer in time.

The waiting logic is tested against a stand-in for outreach's two services; the tests
at the end use the real outreach app and skip until it is installed.
"""

from __future__ import annotations

import datetime as dt
import sys
import types
from dataclasses import dataclass

import pytest

from thrive.automations import engine
from thrive.automations.models import ActionLog, EnrollmentStatus
from thrive.automations.tests.conftest import where
from thrive.contacts import services as contacts
from thrive.contacts.models import Activity
from thrive.tasks.models import Task
from thrive.testing.factories import AssociateFactory, PersonFactory

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@dataclass
class Template:
    pk: int

    def __str__(self) -> str:
        return "We miss you"


@dataclass
class Made:
    pk: int
    status: str = "queued"


@pytest.fixture
def fake_outreach(monkeypatch):
    """thrive.outreach as the engine uses it: EmailTemplate lookups, send_email and
    create_draft (each recorded with its arguments)."""
    calls: list[tuple[str, dict]] = []

    class Templates:
        @staticmethod
        def filter(pk):
            return types.SimpleNamespace(first=lambda: Template(pk) if pk == 7 else None)

        @staticmethod
        def all():
            return [Template(7)]

    def send_email(person, **kwargs):
        calls.append(("send_email", {"person": person, **kwargs}))
        return Made(len(calls))

    def create_draft(person, **kwargs):
        calls.append(("create_draft", {"person": person, **kwargs}))
        return Made(100 + len(calls))

    models = types.ModuleType("thrive.outreach.models")
    models.EmailTemplate = types.SimpleNamespace(objects=Templates)  # type: ignore[attr-defined]
    service = types.ModuleType("thrive.outreach.services")
    service.send_email, service.create_draft = send_email, create_draft  # type: ignore[attr-defined]
    package = types.ModuleType("thrive.outreach")
    monkeypatch.setitem(sys.modules, "thrive.outreach", package)
    monkeypatch.setitem(sys.modules, "thrive.outreach.models", models)
    monkeypatch.setitem(sys.modules, "thrive.outreach.services", service)
    return calls


@pytest.fixture
def tom(db):
    return AssociateFactory(username="tom", first_name="Tom", last_name="Barista")


WIN_BACK = [
    {"kind": "draft_email", "template": 7, "associate": "tom", "timeout_days": 3,
     "dismissed": "end", "timeout": 3},
    {"kind": "add_tag", "tag": "Note sent", "next": "end"},
    {"kind": "create_task", "title": "Call {{ person.first_name }}", "associate": "tom",
     "task_kind": "call"},
]  # fmt: skip


def enrol(build, person):
    workflow = build("tag_added", WIN_BACK, trigger_config={"tag": "at risk"})
    contacts.add_tag(person, "at risk", actor=None)
    engine.process_activities()
    engine.advance_enrollments(now=dt.datetime(2030, 1, 1, tzinfo=UTC))
    return workflow


def associate_acts(person, draft_id: int, action: str) -> None:
    kind = "email" if action == "sent" else "note"
    contacts.record_activity(person, kind, data={"draft": draft_id, "action": action})
    engine.process_activities()
    engine.advance_enrollments(now=dt.datetime(2030, 1, 1, 1, tzinfo=UTC))


def test_the_draft_waits_for_the_associate_then_goes_on_when_sent(build, fake_outreach, tom):
    person = PersonFactory(first_name="Ann")
    workflow = enrol(build, person)
    ((name, kwargs),) = fake_outreach
    assert name == "create_draft" and kwargs["associate"] == tom
    enrollment = where(workflow, person)
    assert kwargs["idempotency_key"] == f"workflow:{workflow.pk}:enrollment:{enrollment.pk}:step:1"
    assert kwargs["reason"]["workflow"]["id"] == workflow.pk
    assert enrollment.status == EnrollmentStatus.WAITING and enrollment.waiting_kind == "draft"
    engine.advance_enrollments(now=dt.datetime(2030, 1, 2, tzinfo=UTC))
    assert not person.tags.filter(name="Note sent").exists()  # still waiting for Tom
    associate_acts(person, 101, "sent")
    assert person.tags.filter(name="Note sent").exists()
    log = ActionLog.objects.filter(person=person, step_kind="add_tag").get()
    assert "activity #" in log.summary and "Then" in log.summary


def test_a_dismissed_draft_ends_the_workflow(build, fake_outreach, tom):
    person = PersonFactory()
    workflow = enrol(build, person)
    associate_acts(person, 101, "dismissed")
    assert where(workflow, person).status == EnrollmentStatus.COMPLETED
    assert not Task.objects.filter(person=person).exists()


def test_a_draft_for_someone_else_does_not_count(build, fake_outreach, tom):
    person = PersonFactory()
    workflow = enrol(build, person)
    associate_acts(person, 999, "sent")
    assert where(workflow, person).status == EnrollmentStatus.WAITING


def test_no_answer_in_time_gives_the_associate_a_call_task(build, fake_outreach, tom):
    person = PersonFactory(first_name="Ann")
    workflow = enrol(build, person)
    engine.advance_enrollments(now=dt.datetime(2030, 1, 4, tzinfo=UTC))
    task = Task.objects.get(person=person)
    assert (task.title, task.kind, task.assignee) == ("Call Ann", "call", tom)
    assert where(workflow, person).status == EnrollmentStatus.COMPLETED


def test_send_email_passes_the_key_and_the_reason(build, fake_outreach):
    workflow = build("tag_added", [{"kind": "send_email", "template": 7}],
                     trigger_config={"tag": "go"})  # fmt: skip
    person = PersonFactory()
    contacts.add_tag(person, "go", actor=None)
    engine.process_activities()
    engine.advance_enrollments()
    ((name, kwargs),) = fake_outreach
    assert name == "send_email" and kwargs["automated"] is True
    assert kwargs["reason"]["trigger"]["activity"] == Activity.objects.latest("pk").pk
    log = ActionLog.objects.get(workflow=workflow)
    assert log.explanation["detail"]["delivery"] == 1 and "We miss you" in log.summary


def test_a_missing_template_stops_the_person_visibly(build, fake_outreach):
    workflow = build("tag_added", [{"kind": "send_email", "template": 8}],
                     trigger_config={"tag": "go"})  # fmt: skip
    person = PersonFactory()
    contacts.add_tag(person, "go", actor=None)
    engine.process_activities()
    engine.advance_enrollments()
    enrollment = where(workflow, person)
    assert enrollment.status == EnrollmentStatus.FAILED and "#8" in enrollment.last_error


def test_email_steps_fail_clearly_without_outreach(build, monkeypatch):
    for name in ("thrive.outreach", "thrive.outreach.models", "thrive.outreach.services"):
        monkeypatch.setitem(sys.modules, name, None)
    workflow = build("tag_added", [{"kind": "send_email", "template": 7}],
                     trigger_config={"tag": "go"})  # fmt: skip
    person = PersonFactory()
    contacts.add_tag(person, "go", actor=None)
    engine.process_activities()
    engine.advance_enrollments()
    assert "outreach app" in where(workflow, person).last_error


# -- with the real outreach app ----------------------------------------------------------


@pytest.fixture
def outreach():
    return pytest.importorskip(
        "thrive.outreach.services", reason="The outreach app is not installed yet."
    )


def real_template():
    from thrive.outreach.models import EmailTemplate

    return EmailTemplate.objects.create(
        name="We miss you", subject="We miss you", text_body="Come by for a cup on us."
    )


def test_with_outreach_a_dismissed_draft_ends_and_a_sent_one_goes_on(build, outreach, tom):
    from thrive.outreach.models import Draft

    template = real_template()
    steps = [{**WIN_BACK[0], "template": template.pk}, *WIN_BACK[1:]]
    workflow = build("tag_added", steps, trigger_config={"tag": "at risk"})
    sent, dismissed = PersonFactory(), PersonFactory()
    for person in (sent, dismissed):
        contacts.add_tag(person, "at risk", actor=None)
    engine.process_activities()
    engine.advance_enrollments()
    assert Task.objects.filter(assignee=tom, kind="review_draft").count() == 2
    outreach.send_draft(Draft.objects.get(person=sent), actor=tom, subject="Hi", body="Come by")
    outreach.dismiss_draft(Draft.objects.get(person=dismissed), actor=tom)
    engine.process_activities()
    engine.advance_enrollments()
    assert sent.tags.filter(name="Note sent").exists()
    assert where(workflow, dismissed).status == EnrollmentStatus.COMPLETED
    assert not dismissed.tags.filter(name="Note sent").exists()


def test_with_outreach_send_email_queues_one_delivery_with_the_reason(build, outreach):
    from thrive.contacts.models import ConsentMethod, ConsentPurpose
    from thrive.outreach.models import Delivery

    template = real_template()
    workflow = build("tag_added", [{"kind": "send_email", "template": template.pk}],
                     trigger_config={"tag": "go"})  # fmt: skip
    person = PersonFactory()
    contacts.grant_consent(person, ConsentPurpose.EMAIL_MARKETING, actor=None,
                           method=ConsentMethod.WEB_FORM, source_text="Yes please")  # fmt: skip
    contacts.add_tag(person, "go", actor=None)
    engine.process_activities()
    engine.advance_enrollments()
    delivery = Delivery.objects.get(person=person)
    assert delivery.reason["workflow"]["id"] == workflow.pk and delivery.automated
    log = ActionLog.objects.get(workflow=workflow)
    assert log.explanation["detail"]["delivery"] == delivery.pk
