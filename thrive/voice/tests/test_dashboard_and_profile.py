"""The dashboard's NPS KPI and the person page show customer voice."""

from __future__ import annotations

import pytest
from django.utils import timezone

from thrive.analytics.dashboard import compute_dashboard
from thrive.analytics.scoring import refresh_scores
from thrive.conftest import client_for
from thrive.segments.models import Segment
from thrive.voice.services import create_survey, record_answer, send_survey_to, submit_idea

from .conftest import surveyable

pytestmark = pytest.mark.django_db


def _kpis(as_of) -> dict:
    payload = compute_dashboard(as_of=as_of, scoring=refresh_scores(as_of=as_of))
    return {k["key"]: k for k in payload["kpis"]}


def test_the_dashboard_nps_comes_from_answers_in_the_window(member):
    survey = create_survey(actor=member, name="NPS", segment=Segment.objects.create(name="All"))
    for score in [10, 9, 8, 3]:
        record_answer(send_survey_to(survey, surveyable()), score)
    tomorrow = (timezone.now() + timezone.timedelta(days=1)).date()
    nps = _kpis(tomorrow)["nps"]
    assert nps["value"] == pytest.approx(25.0)  # (2 − 1) / 4
    assert "4 answers" in nps["data"]


def test_the_dashboard_says_so_when_nobody_answered(db):
    assert _kpis(timezone.now().date())["nps"]["value"] is None


def test_the_person_page_lists_ideas_and_answers(member):
    survey = create_survey(actor=member, name="Autumn NPS")
    person = surveyable(first_name="Vera")
    submit_idea(person, title="Filter papers")
    record_answer(send_survey_to(survey, person), 7)
    html = client_for(member).get(f"/people/{person.pk}/").content.decode()
    assert "Filter papers" in html and "Autumn NPS" in html
