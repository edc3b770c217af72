"""The "send survey" and "enrol in sequence" steps, and the survey and idea triggers fed
by the real customer-voice events (no stand-ins: voice, outreach and a loopback SMTP
server all run)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from thrive.automations import engine
from thrive.automations.definition import validate_steps, validate_trigger
from thrive.automations.models import ActionLog, EnrollmentStatus, LogOutcome
from thrive.automations.tests.conftest import run, where
from thrive.contacts import services as contacts
from thrive.contacts.models import ConsentMethod, ConsentPurpose
from thrive.outreach.email_templates.saving import save_template
from thrive.outreach.models import Delivery, DeliveryStatus, OnCap, SequenceEnrollment
from thrive.outreach.sending.sender import run_pump
from thrive.outreach.sending.sequencing import add_step, create_sequence
from thrive.outreach.services import send_email
from thrive.tasks.models import Task
from thrive.testing.factories import PersonFactory
from thrive.voice.models import InviteStatus, SendJob, SurveyInvite
from thrive.voice.services import (
    change_idea_status,
    create_survey,
    run_send_job,
    send_survey_to,
    submit_idea,
    vote_for_idea,
)
from thrive.voice.services.surveys import answer_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mail_settings(settings):
    settings.THRIVE_PUBLIC_URL = "http://testserver"
    settings.THRIVE_QUIET_HOURS = "off"
    settings.THRIVE_MAX_AUTOMATED_PER_WEEK = 2
    return settings


def asked(**fields):
    """A person who agreed to be asked for feedback and to marketing email."""
    person = PersonFactory(**fields)
    for purpose in (ConsentPurpose.SURVEYS, ConsentPurpose.EMAIL_MARKETING):
        contacts.grant_consent(person, purpose, actor=None, method=ConsentMethod.WEB_FORM,
                               source_text="Yes please.")  # fmt: skip
    return person


@pytest.fixture
def survey(owner):
    return create_survey(actor=owner, name="After your order", owner=owner, cooldown_days=30)


def survey_flow(build, survey, **kw):
    steps = [{"kind": "send_survey", "survey": survey.pk}, {"kind": "add_tag", "tag": "asked"}]
    return build("tag_added", steps, trigger_config={"tag": "ordered"}, **kw)


def trigger(person, tag="ordered"):
    contacts.add_tag(person, tag, actor=None)
    run()


def test_the_survey_step_emails_the_person_with_the_reason_on_the_message(build, survey, smtp_sink):
    flow = survey_flow(build, survey)
    person = asked(first_name="Ida")
    trigger(person)
    invite = SurveyInvite.objects.get(person=person, survey=survey)
    assert invite.status == InviteStatus.QUEUED
    enrollment = where(flow, person)
    assert invite.delivery.idempotency_key == (
        f"workflow:{flow.pk}:enrollment:{enrollment.pk}:step:1"
    )
    reason = invite.delivery.reason
    assert reason["why"].startswith(f"Workflow “{flow.name}”, step 1: When someone is tagged")
    assert reason["workflow"]["id"] == flow.pk and reason["survey"] == survey.pk
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert person.tags.filter(name="asked").exists()  # the workflow carried on
    log = ActionLog.objects.get(person=person, step_kind="send_survey")
    assert log.outcome == LogOutcome.DONE and "Sent the survey “After your order”" in log.summary
    run_pump()
    [received] = smtp_sink.to(person.email)
    body = received.message.get_body(("plain",)).get_content()
    assert "Hi Ida," in body and len(re.findall(r"http://testserver/s/\S+", body)) == 12


def test_the_cool_down_holds_and_the_log_says_so(build, survey, smtp_sink):
    flow = survey_flow(build, survey)
    person = asked()
    earlier = create_survey(actor=survey.owner, name="Spring", owner=survey.owner)
    assert send_survey_to(earlier, person) is not None
    trigger(person)
    assert not SurveyInvite.objects.filter(survey=survey).exists()
    log = ActionLog.objects.get(person=person, step_kind="send_survey")
    assert log.outcome == LogOutcome.SKIPPED
    assert "asked for feedback in the last 30 days" in log.summary
    assert where(flow, person).status == EnrollmentStatus.COMPLETED


def test_no_survey_consent_means_no_email_and_the_log_gives_the_reason(build, survey, smtp_sink):
    survey_flow(build, survey)
    person = PersonFactory()  # never agreed to be asked for feedback
    trigger(person)
    invite = SurveyInvite.objects.get(person=person)
    assert invite.status == InviteStatus.SKIPPED
    assert invite.delivery.status == DeliveryStatus.SKIPPED
    log = ActionLog.objects.get(person=person, step_kind="send_survey")
    assert log.outcome == LogOutcome.SKIPPED
    assert invite.delivery.skip_reason == "no_consent"
    assert "not sent: no consent for this kind of email" in log.summary
    run_pump()
    assert smtp_sink.messages == []


def test_the_weekly_budget_makes_the_survey_wait(build, survey, owner, smtp_sink):
    survey_flow(build, survey)
    person = asked()
    template = save_template(None, actor=owner, name="News", subject="News",
                             html_body="<p>News</p>", text_body="News")  # fmt: skip
    for n in range(2):
        send_email(person, template=template, idempotency_key=f"news-{n}", reason={"why": "t"})
    run_pump()
    trigger(person)
    delivery = SurveyInvite.objects.get(person=person).delivery
    assert delivery.status == DeliveryStatus.DEFERRED
    assert "(limit 2)" in delivery.decisions[-1]["text"]
    log = ActionLog.objects.get(person=person, step_kind="send_survey")
    assert "waits for the quiet hours or the weekly limit" in log.summary
    run_pump()
    assert len(smtp_sink.to(person.email)) == 2  # the survey is not a third email this week


def test_quiet_hours_hold_the_survey_until_morning_in_their_zone(
    build, survey, settings, smtp_sink
):
    hour = timezone.now().astimezone(dt.UTC).hour
    settings.THRIVE_QUIET_HOURS = f"{hour:02d}:00-{(hour + 1) % 24:02d}:00"
    survey_flow(build, survey)
    person = asked(time_zone="UTC")
    trigger(person)
    delivery = SurveyInvite.objects.get(person=person).delivery
    assert delivery.status == DeliveryStatus.DEFERRED
    assert delivery.next_attempt_at.astimezone(dt.UTC).hour == (hour + 1) % 24
    run_pump()
    assert smtp_sink.messages == []


def test_asking_again_with_the_same_key_returns_the_first_invite(survey):
    person = asked()
    first = send_survey_to(survey, person, idempotency_key="job:1:person:1")
    again = send_survey_to(survey, person, idempotency_key="job:1:person:1")
    assert first is not None and again is not None and first.pk == again.pk
    assert SurveyInvite.objects.filter(person=person).count() == 1
    assert Delivery.objects.filter(person=person).count() == 1


def test_a_detractor_answer_by_the_link_fires_a_survey_answered_workflow(build, survey, owner):
    detractors = build("survey_answered", [{"kind": "add_tag", "tag": "unhappy"}],
                       trigger_config={"survey": survey.pk, "score_max": 6})  # fmt: skip
    low, high = asked(), asked()
    for person, score in ((low, 3), (high, 10)):
        invite = send_survey_to(survey, person)
        url = answer_url(invite, score).removeprefix("http://testserver")
        assert Client().post(url).status_code == 302
    run()
    assert list(detractors.enrollments.values_list("person_id", flat=True)) == [low.pk]
    assert low.tags.filter(name="unhappy").exists()
    assert not high.tags.filter(name="unhappy").exists()


def tell_voters():
    """The idea's background job, as the worker runs it."""
    for job in SendJob.objects.filter(state="queued"):
        run_send_job(job.pk)


def test_shipping_an_idea_fires_the_idea_status_workflow_for_its_voters(build, owner):
    shipped = build("idea_status_changed", [{"kind": "add_tag", "tag": "heard back"}],
                    trigger_config={"status": "done"})  # fmt: skip
    author, voter, bystander = PersonFactory(), PersonFactory(), PersonFactory()
    idea = submit_idea(author, title="Oat milk", body="")
    vote_for_idea(voter, idea)
    change_idea_status(idea, "planned", actor=owner)
    tell_voters()
    run()
    assert not shipped.enrollments.exists()  # planned is not done
    change_idea_status(idea, "done", actor=owner)
    tell_voters()
    run()
    enrolled = set(shipped.enrollments.values_list("person_id", flat=True))
    assert voter.pk in enrolled and bystander.pk not in enrolled
    assert voter.tags.filter(name="heard back").exists()


def test_trigger_settings_for_surveys_and_ideas_are_checked(survey):
    with pytest.raises(ValidationError) as bad_score:
        validate_trigger("survey_answered", {"score_min": 11})
    assert "“score_min” is a whole number from 0 to 10." in bad_score.value.messages
    with pytest.raises(ValidationError) as upside_down:
        validate_trigger("survey_answered", {"score_min": 9, "score_max": 6})
    assert "cannot be above" in upside_down.value.messages[0]
    with pytest.raises(ValidationError) as missing:
        validate_trigger("survey_answered", {"survey": survey.pk + 100})
    assert missing.value.messages == [f"There is no NPS survey #{survey.pk + 100}."]
    with pytest.raises(ValidationError) as status:
        validate_trigger("idea_status_changed", {"status": "shipped"})
    assert "“status” is one of open, planned" in status.value.messages[0]
    assert validate_trigger("survey_answered", {"survey": survey.pk, "score_max": 6})


def test_steps_name_a_survey_or_sequence_that_exists(survey):
    with pytest.raises(ValidationError) as exc:
        validate_steps([
            {"kind": "send_survey", "survey": survey.pk + 50},
            {"kind": "send_survey", "survey": "after order"},
            {"kind": "enroll_sequence", "sequence": 999},
        ])  # fmt: skip
    assert exc.value.messages == [
        f"Step 1: there is no NPS survey #{survey.pk + 50}.",
        "Step 2: “survey” is the id of a saved NPS survey.",
        "Step 3: there is no email sequence #999.",
    ]


@pytest.fixture
def sequence(owner):
    template = save_template(None, actor=owner, name="Welcome", subject="Welcome",
                             html_body="<p>Hi</p>", text_body="Hi")  # fmt: skip
    sequence = create_sequence(actor=owner, name="Welcome series", purpose="email_marketing",
                               on_cap=OnCap.DEFER)  # fmt: skip
    add_step(sequence, actor=owner, template=template, delay_hours=0)
    return sequence


def test_the_sequence_step_enrols_once_and_says_why(build, sequence, smtp_sink):
    flow = build("tag_added", [{"kind": "enroll_sequence", "sequence": sequence.pk}],
                 trigger_config={"tag": "signed up"}, reentry="always")  # fmt: skip
    person = asked()
    trigger(person, "signed up")
    enrolment = SequenceEnrollment.objects.get(person=person, sequence=sequence)
    assert enrolment.reason["workflow"]["id"] == flow.pk
    assert enrolment.reason["why"].startswith(f"Workflow “{flow.name}”, step 1")
    contacts.remove_tag(person, "signed up", actor=None)
    trigger(person, "signed up")  # enters the workflow again while still in the series
    assert SequenceEnrollment.objects.filter(person=person).count() == 1
    outcomes = list(ActionLog.objects.filter(person=person).order_by("pk").values_list(
        "outcome", "summary"))  # fmt: skip
    assert outcomes[0][0] == LogOutcome.DONE and "Enrolled in the sequence" in outcomes[0][1]
    assert outcomes[1][0] == LogOutcome.SKIPPED and "Already going through" in outcomes[1][1]
    run_pump()
    assert len(smtp_sink.to(person.email)) == 1  # the series' first email, once


def test_a_paused_sequence_is_skipped_and_the_workflow_goes_on(build, sequence):
    sequence.is_active = False
    sequence.save()
    flow = build("tag_added", [{"kind": "enroll_sequence", "sequence": sequence.pk},
                               {"kind": "add_tag", "tag": "next"}],
                 trigger_config={"tag": "signed up"})  # fmt: skip
    person = asked()
    trigger(person, "signed up")
    assert not SequenceEnrollment.objects.filter(person=person).exists()
    log = ActionLog.objects.get(person=person, step_kind="enroll_sequence")
    assert log.outcome == LogOutcome.SKIPPED and "This sequence is paused." in log.summary
    assert where(flow, person).status == EnrollmentStatus.COMPLETED
    assert person.tags.filter(name="next").exists()


def test_a_deleted_survey_stops_the_person_visibly(build, survey):
    flow = survey_flow(build, survey)
    survey_id = survey.pk
    survey.delete()
    person = asked()
    trigger(person)
    enrollment = where(flow, person)
    assert enrollment.status == EnrollmentStatus.FAILED
    assert enrollment.last_error == f"Survey #{survey_id} no longer exists."
    assert not Task.objects.filter(person=person).exists()
    assert engine.advance_enrollments() == 0


def test_the_surveys_page_says_which_workflow_sends_a_survey(build, survey, owner):
    from thrive.conftest import client_for

    survey_flow(build, survey, name="NPS a week after each order")
    page = client_for(owner).get("/voice/surveys/").content.decode()
    assert "sent by the workflow “NPS a week after each order”" in page
