"""Growth compares like with like, and a figure shown on several pages reads the same."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from thrive.analytics.queries import touch_automation
from thrive.analytics.refresh import run_refresh
from thrive.commerce.services import LineInput, record_order
from thrive.conftest import client_for
from thrive.contacts import services as contacts
from thrive.contacts.models import AcquisitionChannel, ActivityKind, Direction
from thrive.growth.health import compute_health
from thrive.prospects.economics import channel_table
from thrive.testing.factories import PersonFactory
from thrive.voice.models import Survey, SurveyInvite, SurveyResponse

from .business import at, build_business

pytestmark = pytest.mark.django_db


def _order(person, day: dt.date, amount: str, actor, n: list[int]) -> None:
    n[0] += 1
    record_order(person, actor=actor, number=f"L{n[0]}", lines=[LineInput(1, amount)],
                 ordered_at=at(day))  # fmt: skip


def test_year_on_year_growth_compares_the_last_complete_month_with_the_same_month_before(owner):
    # Six days into December: December so far (100) must not be set against December
    # last year (1,000), which read as a collapse. November is the last complete month.
    person = PersonFactory(first_seen_at=at(dt.date(2024, 1, 1)))
    n = [0]
    _order(person, dt.date(2025, 11, 10), "400.00", owner, n)
    _order(person, dt.date(2025, 11, 30), "100.00", owner, n)
    _order(person, dt.date(2025, 12, 15), "1000.00", owner, n)
    _order(person, dt.date(2026, 11, 1), "600.00", owner, n)
    _order(person, dt.date(2026, 11, 20), "150.00", owner, n)
    _order(person, dt.date(2026, 12, 3), "100.00", owner, n)
    cards = {k["key"]: k for k in run_refresh(as_of=dt.date(2026, 12, 7)).payload["kpis"]}
    growth = cards["growth_yoy"]
    assert growth["value"] == pytest.approx((750 - 500) / 500)
    assert "Nov 2026 vs Nov 2025" in growth["label"]
    assert [(x["count"], x["net"]) for x in growth["lists"]] == [(2, 750.0), (2, 500.0)]
    # The sparklines stop at November: the partial month never shows as a dive.
    assert cards["revenue"]["spark"][-1] == pytest.approx(750.0)


def test_on_the_first_of_a_month_the_month_just_ended_is_compared(owner):
    person = PersonFactory(first_seen_at=at(dt.date(2024, 1, 1)))
    n = [0]
    _order(person, dt.date(2025, 11, 5), "200.00", owner, n)
    _order(person, dt.date(2026, 11, 30), "300.00", owner, n)
    cards = {k["key"]: k for k in run_refresh(as_of=dt.date(2026, 12, 1)).payload["kpis"]}
    assert cards["growth_yoy"]["value"] == pytest.approx(0.5)


def test_the_automation_rate_is_the_same_on_the_dashboard_and_the_automations_page(
    owner, read_only
):
    today = timezone.localdate()
    person = PersonFactory()
    for automated in (True, True, True, False):
        contacts.record_activity(
            person, ActivityKind.EMAIL, direction=Direction.OUTBOUND, automated=automated,
            occurred_at=at(today - dt.timedelta(days=40)),
        )  # fmt: skip
    contacts.record_activity(
        person, ActivityKind.CALL, direction=Direction.OUTBOUND, associate=owner,
        occurred_at=at(today - dt.timedelta(days=3)),
    )  # fmt: skip
    snapshot = run_refresh(as_of=today + dt.timedelta(days=1))
    card = next(k for k in snapshot.payload["kpis"] if k["key"] == "automation_rate")
    assert card["value"] == pytest.approx(3 / 5)
    body = client_for(read_only).get("/automations/").content.decode()
    assert 'data-automated="3" data-total="5"' in body and "<strong>60%</strong>" in body


def test_the_health_check_counts_automation_with_the_same_function(owner):
    build_business(5, as_of=dt.date(2026, 12, 7), actor=owner)
    health = compute_health(dt.date(2026, 9, 1), dt.date(2026, 11, 30))
    start, end = at(dt.date(2026, 9, 1), 0), at(dt.date(2026, 12, 1), 0)
    assert health["operations"]["automation_rate"] == touch_automation(start, end)["rate"]


def test_clv_cac_reads_the_same_on_the_dashboard_reach_ecosystem_and_health_check(owner, read_only):
    build_business(4, as_of=dt.date(2026, 12, 7), actor=owner, people=70)
    snapshot = run_refresh(as_of=dt.date(2026, 12, 7))
    card = next(k for k in snapshot.payload["kpis"] if k["key"] == "clv_cac")
    assert card["value"] is not None
    shown = f"{card['value']:.1f}×"
    client = client_for(read_only)
    for page in ("/", "/reach/", "/ecosystem/"):
        body = client.get(page).content.decode()
        assert shown in body, page
    reach = client.get("/reach/").content.decode()
    assert re.search(r"Overall includes \d+ customers from free channels", reach)
    health = compute_health(dt.date(2026, 9, 1), dt.date(2026, 11, 30))
    assert health["customers"]["clv_cac"] == card["value"]
    free, paid = (x["count"] for x in card["lists"])
    assert free > 0 and paid > 0
    # Each paid channel's ratio on the dashboard is the one in Reach's table (Reach reads
    # the stored scores, rounded to cents, hence the tolerance; both show one decimal).
    names = dict(AcquisitionChannel.objects.values_list("slug", "name"))
    table = channel_table(as_of=dt.date(2026, 12, 7))["channels"]
    on_reach = {row["group"]: row["clv_cac"] for row in table}
    assert card["detail"]
    for row in card["detail"]:
        assert on_reach[names[row["channel"]]] == pytest.approx(row["ratio"], rel=1e-3), row
        assert f"{on_reach[names[row['channel']]]:.1f}" == f"{row['ratio']:.1f}"


def test_a_health_check_over_the_dashboards_window_shows_the_dashboards_figures(owner):
    as_of = dt.date(2026, 12, 7)
    build_business(6, as_of=as_of, actor=owner)
    survey = Survey.objects.create(name="How likely are you to recommend us?")
    for days_ago, score in ((10, 10), (20, 9), (30, 3), (40, 7), (95, 0)):
        person = PersonFactory()
        invite = SurveyInvite.objects.create(survey=survey, person=person, status="queued")
        SurveyResponse.objects.create(
            invite=invite, survey=survey, person=person, score=score,
            answered_at=at(as_of - dt.timedelta(days=days_ago)),
        )  # fmt: skip
    snapshot = run_refresh(as_of=as_of)
    cards = {k["key"]: k for k in snapshot.payload["kpis"]}
    health = compute_health(as_of - dt.timedelta(days=90), as_of - dt.timedelta(days=1))
    assert health["operations"]["automation_rate"] == pytest.approx(
        cards["automation_rate"]["value"]
    )
    assert health["customers"]["repeat_rate"] == pytest.approx(cards["repeat_rate"]["value"])
    assert health["customers"]["nps"] == cards["nps"]["value"] == pytest.approx(25.0)
