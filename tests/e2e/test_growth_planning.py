"""Planning in a real browser: Maya writes a SWOT line and turns it into an experiment with
one click, scales the winning win-back test into a playbook and assigns Tom, sees the
slowest step of the journey found in the timeline, and downloads the health check PDF
with her assessment in it."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from thrive.contacts.models import Activity
from thrive.core.roles import Role
from thrive.growth import services
from thrive.growth.journey_services import refresh_journey_map
from thrive.testing.factories import AssociateFactory, PersonFactory

from .conftest import open_section, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_swot_to_experiment_and_the_pdf_downloads(page, live_server):
    maya = AssociateFactory(username="maya", first_name="Maya", role=Role.OWNER)
    check = services.run_health_check(
        actor=maya, period_start=dt.date(2026, 7, 1), period_end=dt.date(2026, 9, 30)
    )
    sign_in(page, "maya")
    open_section(page, "Grow")
    page.get_by_role("link", name="Assessment", exact=True).click()
    expect(page.get_by_role("heading", name="Assessment", exact=True)).to_be_visible()

    form = page.locator("#swot-add")
    form.get_by_label("Quadrant:").select_option("opportunity")
    form.get_by_label("What:").fill("Office coffee subscriptions for the business park")
    form.get_by_role("button", name="Add").click()
    expect(page.get_by_text("Added to the SWOT.")).to_be_visible()
    page.get_by_role("button", name="Make an experiment").click()
    expect(
        page.get_by_role("heading", name="Office coffee subscriptions for the business park")
    ).to_be_visible()
    expect(page.locator("#exp-status")).to_have_text("Idea")
    expect(page.get_by_role("link", name="Opportunity: Office coffee")).to_be_visible()

    page.get_by_role("link", name="Assessment", exact=True).first.click()
    cash = page.locator("#cash-form")
    cash.get_by_label("Month:", exact=True).fill("2026-09")
    cash.get_by_label("Cash out in the month:").fill("5000")
    cash.get_by_label("Cash on hand at the month's end:").fill("30000")
    cash.get_by_role("button", name="Save month").click()
    expect(page.locator("#runway-words")).to_contain_text("6.0 months of runway")
    page.locator("#strategy").get_by_label("Differentiation").check()
    page.get_by_role("button", name="Save strategy").click()
    expect(page.locator("#chosen-strategy")).to_have_text("Differentiation")
    screenshot(page, "growth-assessment")

    page.goto(f"{live_server.url}/growth/health/{check.pk}/")
    href = page.get_by_role("link", name="Download the PDF").get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body()[:5] == b"%PDF-"


def test_scaling_the_winner_makes_a_playbook_tom_is_assigned_to(page, live_server):
    maya = AssociateFactory(username="maya", first_name="Maya", role=Role.OWNER)
    AssociateFactory(username="tom", first_name="Tom", last_name="Reyes", role=Role.MEMBER)
    exp = services.create_experiment(
        actor=maya, title="Win-back email: Tom's note", hypothesis="A note beats a code.",
        kpi="Came back", growth_path="penetration", stance="differentiation",
    )  # fmt: skip
    services.record_experiment_numbers(exp, actor=maya, n_a=1180, x_a=94, n_b=1204, x_b=131)
    services.change_experiment_status(exp, "running", actor=maya)
    services.change_experiment_status(exp, "measured", actor=maya)
    sign_in(page, "maya")
    page.goto(f"{live_server.url}/growth/experiments/{exp.pk}/")
    page.get_by_label("Move to:", exact=True).select_option("scaled")
    page.get_by_role("button", name="Change status").click()
    expect(page.locator("#exp-status")).to_have_text("Scaled")
    page.locator("#exp-playbook").click()
    expect(page.get_by_role("heading", name="Playbook: Win-back email: Tom's note")).to_be_visible()

    step = page.locator("#step-add")
    step.get_by_label("Manual step:").fill("Call the ones who open but do not order")
    step.get_by_label("Owner:").select_option(label="Tom Reyes")
    step.get_by_role("button", name="Add step").click()
    expect(page.get_by_text("Step added.")).to_be_visible()
    page.locator("#assign").get_by_label("Colleague:").select_option(label="Tom Reyes")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Tom Reyes is assigned to this playbook.")).to_be_visible()
    page.get_by_role("button", name="Tick").click()
    expect(page.get_by_role("heading", name="Tom Reyes trained")).to_be_visible()
    screenshot(page, "growth-playbook")
    page.get_by_role("link", name="Playbooks", exact=True).first.click()
    expect(page.get_by_text("Tom Reyes: trained")).to_be_visible()


def test_the_journey_map_flags_the_slowest_step(page, live_server):
    AssociateFactory(username="maya", first_name="Maya", role=Role.OWNER)
    start = dt.datetime(2026, 9, 1, 9, tzinfo=dt.UTC)
    for hours in (20, 30, 40, 50):
        person = PersonFactory()
        Activity.objects.create(person=person, kind="form_submission", occurred_at=start)
        Activity.objects.create(
            person=person, kind="email", occurred_at=start + dt.timedelta(hours=1)
        )
        Activity.objects.create(
            person=person, kind="order", occurred_at=start + dt.timedelta(hours=1 + hours)
        )
    refresh_journey_map()
    sign_in(page, "maya")
    open_section(page, "Grow")
    page.get_by_role("link", name="Journey map", exact=True).click()
    expect(page.locator("#slowest-step")).to_contain_text("Email → Order")
    expect(page.locator("#slowest-step")).to_contain_text("35.0 h")
    expect(page.locator("#journey-map")).to_be_visible()
    screenshot(page, "growth-journey-map")


def test_the_top_idea_becomes_an_experiment_and_the_team_view_thanks_tom(page, live_server):
    from thrive.voice.models import Idea, Survey, SurveyInvite, SurveyResponse, Vote

    AssociateFactory(username="maya", first_name="Maya", role=Role.OWNER)
    AssociateFactory(username="tom", first_name="Tom", last_name="Reyes", role=Role.MEMBER)
    idea = Idea.objects.create(title="Saturday morning brewing class")
    for _ in range(4):
        Vote.objects.create(idea=idea, person=PersonFactory())
    fan = PersonFactory()
    survey = Survey.objects.create(name="NPS")
    invite = SurveyInvite.objects.create(survey=survey, person=fan, status="queued")
    SurveyResponse.objects.create(
        invite=invite, survey=survey, person=fan, score=10, comment="Tom always remembers me."
    )
    sign_in(page, "maya")
    open_section(page, "Grow")
    page.get_by_role("link", name="Roadmap", exact=True).click()
    expect(page.locator("#ideas")).to_contain_text("Saturday morning brewing class")
    page.get_by_role("button", name="Turn into an experiment").click()
    expect(page.get_by_role("heading", name="Saturday morning brewing class")).to_be_visible()
    expect(page.get_by_text("4 voters, told as it moves on")).to_be_visible()
    page.get_by_role("link", name="Roadmap", exact=True).first.click()
    expect(page.locator(".phase-pilot")).to_contain_text("Saturday morning brewing class")
    screenshot(page, "growth-roadmap")

    open_section(page, "Grow")
    page.get_by_role("link", name="Team view", exact=True).click()
    expect(page.get_by_role("heading", name="The team")).to_be_visible()
    expect(page.get_by_text("Tom always remembers me.")).to_be_visible()
    screenshot(page, "team-view")
