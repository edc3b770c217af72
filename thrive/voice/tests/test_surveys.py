"""NPS: sending with a cool-down, one-click answers, the math, and closing the loop."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from thrive.contacts.models import Activity, ActivityKind
from thrive.contacts.services import has_consent
from thrive.outreach.sending.sender import run_pump
from thrive.segments.models import Segment
from thrive.tasks.models import Task, TaskKind
from thrive.testing.factories import PersonFactory
from thrive.voice import queries
from thrive.voice.models import InviteStatus, SurveyInvite, SurveyResponse
from thrive.voice.services import create_survey, record_answer, send_survey, send_survey_to
from thrive.voice.services.surveys import ADVOCATE_TAG, answer_url

from .conftest import surveyable

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(member):
    segment = Segment.objects.create(name="Everyone")
    return create_survey(actor=member, name="Spring NPS", segment=segment, owner=member)


def _answer(survey, score, **person_fields):
    person = surveyable(**person_fields)
    invite = send_survey_to(survey, person)
    return record_answer(invite, score)


def test_a_detractor_gives_the_owner_a_call_back_task_due_within_48_hours(survey, member):
    before = timezone.now()
    response = _answer(survey, 6, first_name="Dee", last_name="Tractor")
    task = Task.objects.get(person=response.person)
    assert task.assignee == member and task.kind == TaskKind.CALL
    assert task.title == "Call Dee Tractor back: scored 6"
    assert before < task.due_at <= timezone.now() + dt.timedelta(hours=48)
    assert not response.person.tags.exists()


@pytest.mark.parametrize("score", [7, 8])
def test_passives_close_no_loop(survey, score):
    response = _answer(survey, score)
    assert not Task.objects.filter(person=response.person).exists()
    assert not response.person.tags.exists()


def test_a_promoter_becomes_an_advocate_candidate_with_a_task_to_ask(survey, member):
    response = _answer(survey, 9, first_name="Pro")
    assert list(response.person.tags.values_list("name", flat=True)) == [ADVOCATE_TAG]
    task = Task.objects.get(person=response.person)
    assert task.title.startswith("Ask Pro") and "review or a referral" in task.title
    assert task.assignee == member


def test_the_answer_is_on_the_timeline_for_workflows(survey):
    response = _answer(survey, 10)
    activity = Activity.objects.get(person=response.person, kind=ActivityKind.SURVEY_ANSWER)
    assert activity.data == {"survey": survey.pk, "score": 10, "category": "promoter"}


def test_changing_the_score_updates_it_without_a_second_task(survey):
    response = _answer(survey, 3)
    record_answer(response.invite, 9)
    response.refresh_from_db()
    assert response.score == 9
    assert Task.objects.filter(person=response.person).count() == 1


def test_nobody_is_asked_twice_within_the_cool_down(survey, member):
    person = surveyable()
    assert send_survey_to(survey, person).status == InviteStatus.QUEUED
    other = create_survey(actor=member, name="Another", cooldown_days=30)
    assert send_survey_to(other, person) is None
    SurveyInvite.objects.filter(person=person).update(
        sent_at=timezone.now() - dt.timedelta(days=31)
    )
    assert send_survey_to(other, person) is not None


def test_sending_to_a_segment_skips_people_without_survey_consent(survey):
    surveyable(email="yes@example.com")
    PersonFactory(email="no@example.com")
    report = send_survey(survey, actor=survey.owner)
    assert (report.queued, report.skipped, report.cooling_down) == (1, 1, 0)
    again = send_survey(survey, actor=survey.owner)
    assert again.cooling_down == 1 and again.queued == 0


def test_one_click_in_the_email_records_the_score_then_asks_for_a_comment(survey):
    person = surveyable(email="fan@example.com", first_name="Fan")
    send_survey_to(survey, person)
    run_pump()
    message = mail.outbox[-1]
    links = re.findall(r"http://testserver(/s/[^\s]+)", message.body)
    assert len(links) == 12  # eleven scores and the "stop asking me" link
    eight = links[8]
    client = Client(enforce_csrf_checks=True)
    # Opening the link (as a mail scanner would) records nothing by itself…
    page = client.get(eight)
    assert page.status_code == 200 and not SurveyResponse.objects.exists()
    assert b"data-autosubmit" in page.content
    # …the page posts itself (answer.js); the score is recorded and a comment offered.
    csrf = client.cookies["csrftoken"].value
    done = client.post(eight, {"csrfmiddlewaretoken": csrf})
    assert done.status_code == 302 and SurveyResponse.objects.get().score == 8
    client.post(done["Location"], {"csrfmiddlewaretoken": csrf, "comment": "<b>Great</b>"})
    response = SurveyResponse.objects.get()
    assert response.comment == "<b>Great</b>"
    assert Activity.objects.filter(person=person, kind=ActivityKind.NOTE,
                                   body="<b>Great</b>").exists()  # fmt: skip


def test_a_tampered_score_link_is_refused(survey, client):
    invite = send_survey_to(survey, surveyable())
    url = answer_url(invite, 10).removeprefix("http://testserver")
    response = client.post(url[:-3] + "abc")
    assert response.status_code == 400 and not SurveyResponse.objects.exists()


def test_stop_asking_me_withdraws_survey_consent(survey, client):
    person = surveyable(email="quiet@example.com")
    send_survey_to(survey, person)
    run_pump()
    stop = re.search(r"http://testserver(/s/stop/\S+)", mail.outbox[-1].body).group(1)
    assert client.get(stop).status_code == 200 and has_consent(person, "surveys")
    client.post(stop)
    assert not has_consent(person, "surveys")


def test_nps_math_from_the_database_matches_known_answers(survey):
    # 5 promoters, 3 passives, 2 detractors: NPS = 100 (5 − 2) / 10 = 30.
    for score in [10, 10, 9, 9, 9, 8, 7, 7, 6, 0]:
        _answer(survey, score)
    [(month, result)] = queries.nps_by_month(queries.responses(survey.pk))
    assert (result.promoters, result.passives, result.detractors) == (5, 3, 2)
    assert result.score == pytest.approx(30.0)
    # Wald: Var = (.5 + .2 − .3²)/10 = .061; se = 24.698; 95% ±1.95996·24.698 = ±48.41
    assert result.std_error == pytest.approx(24.6982, abs=1e-3)
    assert (result.ci_low, result.ci_high) == pytest.approx((-18.407, 78.407), abs=1e-2)
    # Adjusted Wald (Rocks 2016): p~ = 5.75/13, d~ = 2.75/13.
    p, d = 5.75 / 13, 2.75 / 13
    assert result.adjusted_ci_low == pytest.approx(
        100 * (p - d - 1.959964 * ((p + d - (p - d) ** 2) / 13) ** 0.5), abs=1e-3
    )
    [(channel, by_channel)] = queries.nps_by_channel(queries.responses(survey.pk))
    assert channel == "Unknown" and by_channel.score == pytest.approx(30.0)
    [(segment, by_segment)] = queries.nps_by_segment(queries.responses(survey.pk))
    assert segment == "Everyone" and by_segment.n == 10


def test_a_filled_honeypot_records_no_score_and_the_answer_page_carries_it(survey, client):
    invite = send_survey_to(survey, surveyable())
    url = answer_url(invite, 9).removeprefix("http://testserver")
    page = client.get(url).content.decode()
    assert 'name="website_url"' in page and 'class="hp-field"' in page
    response = client.post(url, {"website_url": "http://spam.example"})
    assert response.status_code == 400 and not SurveyResponse.objects.exists()


def test_survey_answers_follow_thrive_rate_limits(survey, settings):
    settings.THRIVE_RATE_LIMITS = {"survey_answers_per_ip": (1, 3600)}
    first = send_survey_to(survey, surveyable())
    second = send_survey_to(survey, surveyable())
    ok = Client().post(answer_url(first, 7).removeprefix("http://testserver"))
    over = Client().post(answer_url(second, 7).removeprefix("http://testserver"))
    assert (ok.status_code, over.status_code) == (302, 429)
    assert SurveyResponse.objects.count() == 1
