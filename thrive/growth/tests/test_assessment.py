"""The assessment: SWOT items that spawn goals and experiments, competitors on a strategy
canvas, runway from cash out, cash on hand and the orders, the resource checklist, the
generic strategy, and all of it printed in the health check's PDF."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from thrive.conftest import client_for
from thrive.growth import assessment_queries as queries
from thrive.growth import assessment_services as services
from thrive.growth.models import (
    BusinessStrategy,
    CanvasFactor,
    CanvasScore,
    Experiment,
    Goal,
    Resource,
    SwotItem,
)
from thrive.testing.factories import OrderFactory

from .test_health import two_quarters

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def order(day: str, total: str) -> None:
    OrderFactory(
        total=Decimal(total),
        ordered_at=dt.datetime.fromisoformat(day + "T12:00:00").replace(tzinfo=UTC),
    )


def cash(owner, month: str, out: int, on_hand: int) -> None:
    services.save_cash_month(
        actor=owner,
        month=dt.date.fromisoformat(month + "-01"),
        cash_out=Decimal(out),
        cash_on_hand=Decimal(on_hand),
    )


def test_runway_is_cash_on_hand_over_the_average_net_burn_of_the_last_three_months(owner):
    # July is older than three months back and must not count.
    order("2026-07-10", "5000")
    order("2026-08-03", "1000")
    order("2026-08-20", "2000")
    order("2026-09-15", "1000")
    cash(owner, "2026-07", 4000, 20000)
    cash(owner, "2026-08", 5000, 18000)
    cash(owner, "2026-09", 4000, 15000)
    cash(owner, "2026-10", 3000, 12000)

    runway = queries.runway()

    # Net burn: Aug 5000 − 3000 = 2000, Sep 4000 − 1000 = 3000, Oct 3000 − 0 = 3000.
    assert [r.net_burn for r in runway.used] == [2000, 3000, 3000]
    assert runway.rows[0].cash_in == 5000
    assert runway.average_burn == pytest.approx(8000 / 3)
    assert runway.months == pytest.approx(12000 / (8000 / 3))  # 4.5 months
    words = runway.words("USD")
    assert "12,000 USD on hand at the end of October 2026" in words
    assert "2,667 USD a month over the last 3 months" in words
    assert "about 4.5 months of runway" in words


def test_a_business_taking_in_more_than_it_spends_is_not_burning(owner):
    order("2026-07-10", "5000")
    cash(owner, "2026-07", 4000, 20000)

    runway = queries.runway()

    assert runway.average_burn == -1000
    assert runway.months is None and not runway.burning
    assert runway.words("USD").startswith("Not burning: over the last month")


def test_a_swot_item_spawns_an_experiment_and_a_goal_linked_back(owner):
    services.choose_strategy(actor=owner, stance="focus", why="Specialty beans only.")
    item = services.add_swot_item(actor=owner, quadrant="opportunity", text="Office subscriptions")

    client = client_for(owner)
    response = client.post(f"/growth/assessment/swot/{item.pk}/experiment")
    exp = Experiment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/growth/experiments/{exp.pk}/"
    assert exp.title == "Office subscriptions"
    assert exp.stance == "focus" and exp.growth_path == "market_development"
    client.post(f"/growth/assessment/swot/{item.pk}/goal")
    item.refresh_from_db()
    assert item.experiment == exp and item.goal == Goal.objects.get()
    # A second click does not make a second one.
    again = client.post(f"/growth/assessment/swot/{item.pk}/experiment", follow=True)
    assert Experiment.objects.count() == 1
    assert "already has an experiment" in again.content.decode()
    page = client.get("/growth/assessment/").content.decode()
    assert f'href="/growth/experiments/{exp.pk}/"' in page


def test_swot_items_are_edited_and_deleted_and_bad_input_is_named(owner):
    client = client_for(owner)
    client.post("/growth/assessment/swot", {"quadrant": "strength", "text": "Roast on site"})
    item = SwotItem.objects.get()
    client.post(f"/growth/assessment/swot/{item.pk}/edit", {"text": "Roast daily on site"})
    item.refresh_from_db()
    assert item.text == "Roast daily on site"
    bad = client.post(
        "/growth/assessment/swot", {"quadrant": "luck", "text": "x"}, follow=True
    ).content.decode()
    assert "Not saved: Quadrant: Select a valid choice." in bad
    client.post(f"/growth/assessment/swot/{item.pk}/delete")
    assert not SwotItem.objects.exists()


def test_the_canvas_stores_scores_and_refuses_a_score_above_ten(owner):
    client = client_for(owner)
    client.post("/growth/assessment/competitors", {"name": "Chain Café"})
    client.post("/growth/assessment/factors", {"name": "Price", "our_score": "4", "action": "keep"})
    factor = CanvasFactor.objects.get()
    competitor = queries.canvas().competitors[0]
    client.post(
        f"/growth/assessment/factors/{factor.pk}/",
        {"our_score": "6", "action": "reduce", f"c{competitor.pk}": "9"},
    )
    factor.refresh_from_db()
    assert (factor.our_score, factor.action) == (6, "reduce")
    assert CanvasScore.objects.get().score == 9
    bad = client.post(
        f"/growth/assessment/factors/{factor.pk}/",
        {"our_score": "6", "action": "reduce", f"c{competitor.pk}": "11"},
        follow=True,
    ).content.decode()
    assert "Scores run from 0 to 10 (got 11)" in bad
    assert CanvasScore.objects.get().score == 9
    page = client.get("/growth/assessment/").content.decode()
    assert 'id="strategy-canvas"' in page and "Chain Café" in page
    canvas = queries.canvas()
    assert [(label, [f.name for f in fs]) for label, fs in canvas.grid][1] == ("Reduce", ["Price"])


def test_a_reader_sees_the_assessment_but_cannot_change_it(read_only, member):
    assert client_for(read_only).get("/growth/assessment/").status_code == 200
    for url, data in [
        ("/growth/assessment/swot", {"quadrant": "strength", "text": "x"}),
        ("/growth/assessment/competitors", {"name": "x"}),
        ("/growth/assessment/cash", {"month": "2026-10", "cash_out": 1, "cash_on_hand": 1}),
        ("/growth/assessment/strategy", {"stance": "cost"}),
        ("/growth/assessment/resources", {"kind": "tool", "name": "x", "status": "have"}),
    ]:
        assert client_for(read_only).post(url, data).status_code == 403
    assert not SwotItem.objects.exists()
    response = client_for(member).post(
        "/growth/assessment/resources",
        {"kind": "skill", "name": "Latte art", "owner": member.pk, "status": "building"},
    )
    assert response.status_code == 302
    assert Resource.objects.get().owner == member
    client_for(member).post("/growth/assessment/strategy", {"stance": "cost"})
    assert BusinessStrategy.objects.get().stance == "cost"


def test_the_health_check_pdf_prints_the_assessment(owner, read_only):
    import pypdfium2

    _, q3 = two_quarters(owner)
    services.choose_strategy(actor=owner, stance="differentiation", why="Roasted this week")
    services.add_swot_item(actor=owner, quadrant="weakness", text="Only one roaster")
    services.add_competitor(actor=owner, name="Bean Barn")
    services.add_factor(actor=owner, name="Freshness", our_score=9, action="raise")
    services.add_resource(actor=owner, kind="capacity", name="Saturday cover", status="missing")
    cash(owner, "2026-09", 4000, 15000)

    response = client_for(read_only).get(f"/growth/health/{q3.pk}/report.pdf")

    assert response.status_code == 200
    pdf = pypdfium2.PdfDocument(io.BytesIO(response.content))
    pages = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    text = " ".join(" ".join(page.split()) for page in pages)
    for expected in (
        "Differentiation",
        "Only one roaster",
        "Bean Barn",
        "Freshness",
        "Saturday cover",
        "15,000 USD on hand at the end of September 2026",
    ):
        assert expected in text, expected
