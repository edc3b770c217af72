"""The associate a lead-capture form names gets the urgent email beside their task: once
per answer, with the switch-off link, and never after they switched it off."""

import re

import pytest
from django.test import Client

from thrive.accounts.models import Role
from thrive.digests.models import NotificationSettings, UrgentEmail, UrgentKind
from thrive.digests.services import save_settings
from thrive.leadforms.services import confirm, confirm_url, submit
from thrive.leadforms.tests.conftest import make_form
from thrive.tasks.models import Task
from thrive.testing.factories import AssociateFactory, PersonFactory

from .conftest import score

pytestmark = pytest.mark.django_db


@pytest.fixture
def tom(db):
    return AssociateFactory(
        username="tom", first_name="Tom", email="tom@beans.example", role=Role.MEMBER
    )


def _text(received) -> str:
    return received.message.get_body(preferencelist=("plain",)).get_content()


def _send(form, email: str, first_name: str = "", consents: frozenset[str] = frozenset()):
    answers = {"email": email, "first_name": first_name}
    return submit(form, answers=answers, consents=set(consents))


def test_the_forms_associate_gets_the_urgent_email_and_the_task(
    tom, smtp_sink, django_capture_on_commit_callbacks
):
    form = make_form(notify=tom)
    with django_capture_on_commit_callbacks(execute=True):
        person = _send(form, "di@example.com", "Di").person
    task = Task.objects.get()
    assert (task.assignee, task.person) == (tom, person)
    [received] = smtp_sink.to("tom@beans.example")
    assert received.message["Subject"] == "New lead from “Brew course”: Di"
    text = _text(received)
    assert "Di sent the form “Brew course”." in text and "Email: di@example.com" in text
    assert f"http://testserver/people/{person.pk}/" in text
    assert "Stop emails like this one: http://testserver/notifications/unsubscribe/" in text
    assert received.message["List-Unsubscribe"]
    assert UrgentEmail.objects.get().kind == UrgentKind.LEAD_FORM


def test_an_associate_who_switched_lead_form_emails_off_keeps_only_the_task(
    tom, smtp_sink, django_capture_on_commit_callbacks
):
    save_settings(tom, actor=tom, urgent_lead_form=False)
    form = make_form(notify=tom)
    with django_capture_on_commit_callbacks(execute=True):
        _send(form, "di@example.com", "Di")
    assert Task.objects.get().assignee == tom
    assert smtp_sink.to("tom@beans.example") == [] and not UrgentEmail.objects.exists()
    assert not NotificationSettings.objects.get(associate=tom).wants(UrgentKind.LEAD_FORM)


def test_a_form_naming_nobody_emails_nobody(tom, smtp_sink, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _send(make_form(), "di@example.com", "Di")
    assert smtp_sink.messages == [] and not Task.objects.exists()


def test_each_answer_is_one_email_even_when_confirmed_later(
    tom, smtp_sink, django_capture_on_commit_callbacks
):
    form = make_form(notify=tom, consent_texts={"email_marketing": "Send me the lessons."})
    with django_capture_on_commit_callbacks(execute=True):
        first = _send(form, "di@example.com", "Di", frozenset({"email_marketing"}))
        _send(form, "ed@example.com", "Ed", frozenset({"email_marketing"}))
    with django_capture_on_commit_callbacks(execute=True):
        confirm(confirm_url(first).rstrip("/").rsplit("/", 1)[-1])
    smtp_sink.wait_for(4)  # two confirmation requests to the visitors, two to Tom
    subjects = sorted(m.message["Subject"] for m in smtp_sink.to("tom@beans.example"))
    assert subjects == ["New lead from “Brew course”: Di", "New lead from “Brew course”: Ed"]


def test_an_owner_the_form_names_gets_one_email_for_a_likely_clients_answer(
    smtp_sink, django_capture_on_commit_callbacks
):
    maya = AssociateFactory(username="maya", email="maya@beans.example", role=Role.OWNER)
    sam = AssociateFactory(username="sam", email="sam@beans.example", role=Role.OWNER)
    assert maya.pk != sam.pk
    hot = PersonFactory(first_name="Hana", email="hana@example.com")
    score(hot, 0.8)
    with django_capture_on_commit_callbacks(execute=True):
        _send(make_form(notify=maya), "hana@example.com")
    [to_maya] = smtp_sink.to("maya@beans.example")
    assert to_maya.message["Subject"].startswith("New lead from “Brew course”")
    assert "Their lead score is 80%: a likely client." in _text(to_maya)
    # The other owner still hears of a likely client, as before.
    [to_sam] = smtp_sink.to("sam@beans.example")
    assert to_sam.message["Subject"].startswith("A likely client sent a form")


def test_the_emails_own_link_switches_lead_form_emails_off(
    tom, smtp_sink, django_capture_on_commit_callbacks
):
    form = make_form(notify=tom)
    with django_capture_on_commit_callbacks(execute=True):
        _send(form, "di@example.com", "Di")
    [received] = smtp_sink.to("tom@beans.example")
    url = re.search(r"http://testserver(/notifications/unsubscribe/\S+/)", _text(received))
    assert Client().post(url.group(1)).status_code == 200
    row = NotificationSettings.objects.get(associate=tom)
    assert not row.urgent_lead_form and row.urgent_detractor and row.urgent_workflow
    with django_capture_on_commit_callbacks(execute=True):
        _send(form, "ed@example.com", "Ed")
    assert len(smtp_sink.to("tom@beans.example")) == 1
    assert Task.objects.filter(assignee=tom).count() == 2
