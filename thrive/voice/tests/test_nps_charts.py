"""NPS over time as a chart with its interval band, and NPS by segment and acquisition
channel as dots with whiskers: the figures come from the insights core and match a hand
computation."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest

from thrive.conftest import client_for
from thrive.contacts.services import add_tag
from thrive.insights.nps import nps
from thrive.segments.models import Segment
from thrive.testing.factories import ChannelFactory, PersonFactory
from thrive.voice import charts, queries
from thrive.voice.models import InviteStatus, Survey, SurveyInvite, SurveyResponse

pytestmark = pytest.mark.django_db
UTC = dt.UTC

# January: 3 promoters, 1 passive, 1 detractor → NPS +40. February: nobody answered.
# March: 1 promoter, 3 detractors → NPS −50. April: 2 promoters, 1 passive → NPS +67.
ANSWERS = {
    dt.datetime(2026, 1, 10, 12, tzinfo=UTC): [10, 10, 9, 8, 3],
    dt.datetime(2026, 3, 5, 12, tzinfo=UTC): [9, 6, 2, 0],
    dt.datetime(2026, 4, 20, 12, tzinfo=UTC): [10, 9, 7],
}


def _answer(survey: Survey, person, score: int, at: dt.datetime) -> SurveyResponse:
    invite = SurveyInvite.objects.create(
        survey=survey, person=person, status=InviteStatus.QUEUED, sent_at=at
    )
    return SurveyResponse.objects.create(
        invite=invite, survey=survey, person=person, score=score, answered_at=at
    )


@pytest.fixture
def answered(member):
    survey = Survey.objects.create(name="NPS", owner=member)
    people = []
    for at, scores in ANSWERS.items():
        for score in scores:
            person = PersonFactory()
            _answer(survey, person, score, at)
            people.append((person, score))
    return survey, people


def test_monthly_nps_and_its_interval_match_a_hand_computation(answered):
    by_month = queries.nps_by_month(queries.responses())
    assert [month.date() if isinstance(month, dt.datetime) else month
            for month, _ in by_month] == [dt.date(2026, m, 1) for m in (1, 3, 4)]  # fmt: skip
    january, march, april = (result for _, result in by_month)
    assert january.score == pytest.approx(40.0) and january.n == 5
    # Adjusted Wald by hand: ñ = 8, p̃ = 3.75/8, d̃ = 1.75/8, difference 0.25,
    # se = √((0.6875 − 0.0625)/8) = 0.279508, z = 1.959964.
    half = 1.959964 * np.sqrt((0.6875 - 0.0625) / 8)
    assert january.adjusted_ci_low == pytest.approx(100 * (0.25 - half), abs=1e-3)
    assert january.adjusted_ci_high == pytest.approx(100 * (0.25 + half), abs=1e-3)
    assert march.score == pytest.approx(-50.0) and april.score == pytest.approx(200 / 3)
    reference = nps(np.array([9, 6, 2, 0]))
    assert (march.adjusted_ci_low, march.adjusted_ci_high) == pytest.approx(
        (reference.adjusted_ci_low, reference.adjusted_ci_high)
    )


def test_the_month_chart_draws_the_line_the_band_and_a_gap_for_a_silent_month(answered):
    svg = str(charts.nps_over_time(queries.nps_by_month(queries.responses())))
    assert svg.startswith('<svg class="chart" id="nps-by-month"') and 'role="img"' in svg
    april = nps(np.array([10, 9, 7]))
    assert (
        f"Latest month: +67 from 3 answers (interval {april.adjusted_ci_low:+.0f} to "
        f"{april.adjusted_ci_high:+.0f})" in svg
    )
    for label in ("Jan 26", "Feb 26", "Mar 26", "Apr 26"):
        assert label in svg
    # January stands alone (February is silent): a dot and its interval as a bar;
    # March and April: one band and one line between them.
    assert svg.count("<polygon") == 1 and svg.count("<polyline") == 1
    assert svg.count("<circle") == 3 and svg.count('width="12"') == 1
    assert "Jan 26: NPS +40 from 5 answers" in svg
    # The y axis reaches the top of the widest interval and includes zero.
    top = max(r.adjusted_ci_high for _, r in queries.nps_by_month(queries.responses()))
    ticks = [int(t) for t in re.findall(r'text-anchor="end" font-size="12">([+-]?\d+)<', svg)]
    assert min(ticks) < 0 < max(ticks) and max(ticks) >= top
    assert str(charts.nps_over_time([])) == ""


def test_segments_and_channels_get_a_dot_and_an_interval_each(answered, member):
    survey, people = answered
    vip = Segment.objects.create(
        name="Regulars",
        rules={"match": "all", "rules": [{"field": "tag", "op": "has", "value": "regular"}]},
    )
    market = ChannelFactory(name="Farmers market")
    regulars = [p for p, score in people if score >= 9][:3] + [p for p, s in people if s == 0]
    for person in regulars:
        add_tag(person, "regular", actor=None)
    for person, _ in people[:5]:
        person.acquisition_channel = market
        person.save(update_fields=["acquisition_channel"])
    by_segment = dict(queries.nps_by_segment(queries.responses()))
    expected = nps(np.array([s for p, s in people if p in regulars]))
    assert by_segment[vip.name].score == pytest.approx(expected.score)  # 3 P, 1 D of 4: +50
    assert expected.score == pytest.approx(50.0)
    by_channel = dict(queries.nps_by_channel(queries.responses()))
    assert by_channel["Farmers market"].score == pytest.approx(40.0)
    later = nps(np.array([9, 6, 2, 0, 10, 9, 7]))  # March and April, no channel
    assert by_channel["Unknown"].score == pytest.approx(later.score) == 0.0

    svg = str(charts.nps_intervals("c", "NPS by channel", list(by_channel.items())))
    assert svg.count("<circle") == 2 and svg.count('stroke-linecap="round"') == 2
    # Dots sit on a −100…+100 axis: +40 is 70% of the way across, 0 half-way.
    dots = dict(re.findall(r"<g><title>([^:]+): NPS.*?<circle cx=\"([\d.]+)\"", svg, re.S))
    left, right = 12 + 7.0 * len("Farmers market"), 480 - 96
    assert float(dots["Farmers market"]) == pytest.approx(left + 0.70 * (right - left), abs=0.1)
    assert float(dots["Unknown"]) == pytest.approx(left + 0.50 * (right - left), abs=0.1)

    page = client_for(member).get("/voice/surveys/").content.decode()
    for chart_id in ("nps-by-month", "nps-by-segment", "nps-by-channel"):
        assert f'id="{chart_id}"' in page
    assert "Farmers market: +40" in page


def test_labels_are_escaped(answered):
    result = queries.nps_by_month(queries.responses())[0][1]
    svg = str(charts.nps_intervals("x", "<b>", [("<script>alert(1)</script>", result)]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_an_empty_surveys_page_explains_what_fills_it(member):
    page = client_for(member).get("/voice/surveys/").content.decode()
    assert "No answers yet. Send a survey, or switch on a workflow" in page
    assert "<svg" not in page.split("NPS by month")[1].split("</div>")[0]
