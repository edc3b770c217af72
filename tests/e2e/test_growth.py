"""Growth planning in a real browser: Maya sets a SMART goal, adds an experiment for it,
runs the A/B test of two win-back emails and gets an honest verdict; only then can it be
scaled. A read-only associate sees everything and can change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from thrive.core.roles import Role
from thrive.growth.models import Experiment, Goal
from thrive.testing.factories import AssociateFactory

from .conftest import open_section, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_from_a_goal_to_an_experiment_verdict(page, live_server):
    AssociateFactory(username="maya", first_name="Maya", role=Role.OWNER)
    sign_in(page, "maya")
    open_section(page, "Grow")
    page.get_by_role("link", name="Growth", exact=True).click()
    expect(page.get_by_role("heading", name="Goals", exact=True)).to_be_visible()
    page.get_by_role("link", name="New goal").click()

    today = timezone.localdate()
    page.get_by_label("Name:", exact=True).fill("Repeat-purchase rate from 28% to 35% by June")
    page.get_by_label("Metric:", exact=True).select_option("repeat_rate")
    page.get_by_label("Baseline:", exact=True).fill("28")
    page.get_by_label("Target:", exact=True).fill("35")
    page.get_by_label("Start:", exact=True).fill((today - dt.timedelta(days=60)).isoformat())
    page.get_by_label("Deadline:", exact=True).fill((today + dt.timedelta(days=120)).isoformat())
    page.get_by_role("button", name="Save goal").click()
    expect(
        page.get_by_role("heading", name="Repeat-purchase rate from 28% to 35% by June")
    ).to_be_visible()
    expect(page.locator("#goal-status")).to_have_text("Waiting for a check-in")

    # Two check-ins by hand: 29% after a month, 31% today → hand-computed projection 36.8%.
    for days_ago, value in ((30, "29"), (0, "31")):
        page.get_by_label("Day:", exact=True).fill(
            (today - dt.timedelta(days=days_ago)).isoformat()
        )
        page.get_by_label("Value:", exact=True).fill(value)
        page.get_by_role("button", name="Record").click()
        expect(page.get_by_text("Check-in recorded.")).to_be_visible()
    expect(page.locator("#goal-current")).to_have_text("31.0%")
    expect(page.locator("#goal-status")).to_have_text("On track")
    expect(page.get_by_text("36.8%").first).to_be_visible()
    screenshot(page, "growth-goal")

    page.get_by_role("link", name="Add an experiment").click()
    page.get_by_label("Title:", exact=True).fill("Win-back email: Tom's note vs a 10% code")
    page.get_by_label("Hypothesis:", exact=True).fill(
        "A personal note brings lapsed customers back more often."
    )
    page.get_by_label("KPI it should move:", exact=True).fill("Came back within 30 days")
    page.get_by_label("Growth path (Ansoff):", exact=True).select_option("penetration")
    page.get_by_label("Competitive stance (Porter):", exact=True).select_option("differentiation")
    page.get_by_label("Impact:", exact=True).fill("8")
    page.get_by_label("Confidence:", exact=True).fill("7")
    page.get_by_label("Ease:", exact=True).fill("9")
    page.get_by_label("Planned people per arm:", exact=True).fill("1100")
    page.get_by_role("button", name="Add to the backlog").click()
    expect(page.locator("#exp-status")).to_have_text("Idea")

    page.get_by_label("Move to:", exact=True).select_option("running")
    page.get_by_role("button", name="Change status").click()
    expect(page.locator("#exp-status")).to_have_text("Running")

    # A first look halfway: B looks better, but the page refuses to call it.
    fill_arms(page, 600, 48, 600, 70)
    expect(page.locator("#verdict")).to_contain_text("Too early to call")
    expect(page.get_by_role("alert")).to_contain_text("Wait for the planned sample")
    screenshot(page, "growth-experiment-peeking")

    fill_arms(page, 1180, 94, 1204, 131)
    expect(page.locator("#verdict")).to_contain_text("B (variant) beats A (control)")
    expect(page.locator("#p-value")).to_have_text("0.0150")
    expect(page.locator("#prob-b")).to_have_text("99%")
    page.get_by_label("Move to:", exact=True).select_option("measured")
    page.get_by_role("button", name="Change status").click()
    expect(page.locator("#nailed")).to_be_visible()
    page.get_by_label("Move to:", exact=True).select_option("scaled")
    page.get_by_label("Why:", exact=True).fill(
        "Tom's note goes to every lapsed customer from now on."
    )
    page.get_by_role("button", name="Change status").click()
    expect(page.locator("#exp-status")).to_have_text("Scaled")
    screenshot(page, "growth-experiment-verdict")

    exp = Experiment.objects.get()
    assert exp.status == "scaled" and exp.goal == Goal.objects.get()
    assert exp.looks == 1  # one look before the planned size: the peek

    page.get_by_role("link", name="Experiment backlog").click()
    expect(page.locator("#ansoff-penetration")).to_contain_text("Win-back email")
    screenshot(page, "growth-backlog")


def test_a_tie_gets_an_honest_no_and_cannot_be_scaled(page, live_server):
    AssociateFactory(username="maya", role=Role.OWNER)
    exp = Experiment.objects.create(
        title="Subject line test",
        hypothesis="A question gets more clicks.",
        kpi="Clicks",
        growth_path="penetration",
        stance="differentiation",
        status="measured",
        n_a=400,
        x_a=40,
        n_b=410,
        x_b=41,
    )
    sign_in(page, "maya")
    page.goto(f"/growth/experiments/{exp.pk}/")
    expect(page.locator("#verdict")).to_contain_text("No detectable difference")
    page.get_by_label("Move to:", exact=True).select_option("scaled")
    page.get_by_role("button", name="Change status").click()
    expect(
        page.get_by_text("Only a significant measured improvement can be scaled")
    ).to_be_visible()
    expect(page.locator("#exp-status")).to_have_text("Measured")


def test_the_calculator_and_read_only_pages(page, live_server):
    AssociateFactory(username="reader", role=Role.READ_ONLY)
    sign_in(page, "reader")
    page.goto("/growth/ab/")
    page.get_by_label("Current rate (%):", exact=True).fill("28")
    page.get_by_label("Rate worth detecting (%):", exact=True).fill("35")
    page.get_by_role("button", name="Calculate", exact=True).click()
    expect(page.locator("#needed")).to_contain_text("690")
    page.get_by_label("People in A (control):", exact=True).fill("1180")
    page.get_by_label("Who did it in A:", exact=True).fill("94")
    page.get_by_label("People in B (variant):", exact=True).fill("1204")
    page.get_by_label("Who did it in B:", exact=True).fill("131")
    page.get_by_role("button", name="Analyse").click()
    expect(page.locator("#verdict")).to_contain_text("B (variant) beats A (control)")
    screenshot(page, "growth-ab")
    page.goto("/growth/")
    expect(page.get_by_role("link", name="New goal")).to_have_count(0)
    page.goto("/growth/health/")
    expect(page.get_by_role("button", name="Run the check")).to_have_count(0)


def fill_arms(page, n_a: int, x_a: int, n_b: int, x_b: int) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("People in A (control):", exact=True).fill(str(n_a))
    page.get_by_label("Who did it in A:", exact=True).fill(str(x_a))
    page.get_by_label("People in B (variant):", exact=True).fill(str(n_b))
    page.get_by_label("Who did it in B:", exact=True).fill(str(x_b))
    page.get_by_role("button", name="Save numbers").click()
    expect(page.get_by_text("Numbers saved.")).to_be_visible()


def test_a_quarterly_health_check_to_print(page, live_server):
    AssociateFactory(username="maya", role=Role.OWNER)
    sign_in(page, "maya")
    page.goto("/growth/health/")
    for month, revenue, cost in (("2026-07", "13000", "5850"), ("2026-08", "14000", "6300")):
        page.get_by_label("Month:", exact=True).fill(month)
        page.get_by_label("Revenue:", exact=True).fill(revenue)
        page.get_by_label("Cost of sales:", exact=True).fill(cost)
        page.get_by_label("Employees (FTE):", exact=True).fill("4")
        page.get_by_role("button", name="Save month").click()
        expect(page.get_by_text("saved.")).to_be_visible()
    page.get_by_label("From:", exact=True).fill("2026-07-01")
    page.get_by_label("To (inclusive):", exact=True).fill("2026-09-30")
    page.get_by_label("Competitive notes:", exact=True).fill("A chain café opened nearby.")
    page.get_by_role("button", name="Run the check").click()
    expect(
        page.get_by_role("heading", name="Health check: 1 Jul 2026 – 30 Sep 2026")
    ).to_be_visible()
    expect(page.get_by_text("gross margin 55%")).to_be_visible()
    screenshot(page, "growth-health-check")
    pdf = page.request.get(page.locator("#pdf-link").get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:5] == b"%PDF-"
