"""NPS lives on −100..100, so its change reads in points, never in percent: on the
dashboard and in the health check."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from thrive.analytics import refresh
from thrive.analytics.dashboard import kpi
from thrive.analytics.models import AnalyticsRefresh
from thrive.analytics.templatetags.thrive_format import kpi_change
from thrive.conftest import client_for
from thrive.growth import services as growth
from thrive.growth.templatetags.growth_tags import report_change
from thrive.segments.models import Segment
from thrive.voice.models import SurveyResponse
from thrive.voice.services import create_survey, record_answer, send_survey_to

from .conftest import surveyable

pytestmark = pytest.mark.django_db


def test_a_move_from_39_to_40_is_one_point():
    figure = kpi("nps", "NPS", 40.0, previous=39.0, unit="points", formula="", data="")
    assert figure["change"] == 1.0
    assert kpi_change(figure["change"], "points") == "+1 point"
    assert kpi_change(-3.0, "points") == "-3 points"
    # Other figures still change in percent.
    assert kpi_change(0.025, "USD") == "+2.5%"


def _answers(member, scores: list[int], days_ago: int) -> None:
    survey = create_survey(
        actor=member, name=f"NPS {days_ago}", segment=Segment.objects.create(name=f"S{days_ago}")
    )
    for score in scores:
        response = record_answer(send_survey_to(survey, surveyable()), score)
        SurveyResponse.objects.filter(pk=response.pk).update(
            answered_at=timezone.now() - dt.timedelta(days=days_ago)
        )


def test_the_dashboard_and_health_check_show_the_nps_change_in_points(member, owner):
    _answers(member, [10, 9, 8, 3], days_ago=120)  # (2 − 1) ÷ 4 = 25
    _answers(member, [10, 9, 9, 3], days_ago=10)  # (3 − 1) ÷ 4 = 50
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    refresh.run_refresh(AnalyticsRefresh.objects.create().pk, as_of=tomorrow)
    body = client_for(member).get("/").content.decode()
    card = body[body.index('id="kpi-nps"') :]
    card = card[: card.index("</article>")]
    shown = card.split("<details")[0]
    assert "+25 points vs the previous 90 days (25)" in shown and "%" not in shown

    today = timezone.localdate()
    before = growth.run_health_check(
        actor=owner,
        period_start=today - dt.timedelta(days=150),
        period_end=today - dt.timedelta(days=91),
    )
    now = growth.run_health_check(
        actor=owner, period_start=today - dt.timedelta(days=60), period_end=today
    )
    assert before.figures["customers"]["nps"] == 25 and now.figures["customers"]["nps"] == 50
    assert report_change(25.0, "points") == "+25 points"
    html = client_for(member).get(f"/growth/health/{now.pk}/").content.decode()
    assert "+25 points" in html
