"""The dashboard shows what the insights core computes; a segment is built and counted."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from thrive.analytics.refresh import run_refresh
from thrive.commerce.models import Order
from thrive.contacts.models import Person
from thrive.core.roles import Role
from thrive.insights import customer_lifetime_value, fit_bgnbd, fit_gamma_gamma
from thrive.insights.summary import summarize_transactions
from thrive.segments.models import Segment
from thrive.testing.factories import AssociateFactory

from .conftest import open_section, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
AS_OF = dt.date(2026, 6, 1)


@pytest.fixture
def roastery(settings, tmp_path):
    settings.THRIVE_TIME_ZONE = "UTC"
    settings.DATA_DIR = tmp_path  # the demo writes its sign-in file there
    call_command(
        "demo", people=600, seed=11, as_of=dt.date(2026, 5, 31), no_progress=True, verbosity=0
    )
    AssociateFactory(username="owner1", role=Role.OWNER, first_name="Maya")
    return run_refresh(as_of=AS_OF)


def independent_mean_clv() -> float:
    """Mean predicted 12-month value computed straight from the raw orders, over the
    customers who did not decline profiling (nothing is fitted on the others' data)."""
    from thrive.contacts import profiling

    rows = list(
        Order.objects.filter(currency="USD")
        .exclude(status__in=["voided", "pending"])
        .exclude(person_id__in=profiling.declined_ids())
        .values_list("person_id", "ordered_at", "total", "refunded")
    )
    ids = np.array([r[0] for r in rows])
    dates = np.array([r[1].date() for r in rows], dtype="datetime64[D]")
    net = np.array([float(r[2] - r[3]) for r in rows])
    s = summarize_transactions(ids, dates, net, observation_end=AS_OF - dt.timedelta(days=1))
    fit = fit_bgnbd(s.frequency, s.recency, s.T)
    repeat = s.frequency > 0
    spend = fit_gamma_gamma(s.frequency[repeat], s.monetary_value[repeat])
    clv = customer_lifetime_value(fit, spend, s.frequency, s.recency, s.T, s.monetary_value)
    return float(np.mean(clv))


def test_dashboard_figures_equal_the_insights_core(page, roastery):
    sign_in(page, "owner1")
    card = page.locator("#kpi-clv")
    expect(card).to_be_visible()
    shown = float(card.get_attribute("data-value"))
    assert shown == pytest.approx(independent_mean_clv(), rel=1e-6)
    assert card.locator(".value").inner_text() == f"{shown:,.0f} USD"
    card.get_by_text("How is this computed?").click()
    expect(card.get_by_text("BG/NBD fitted on")).to_be_visible()
    screenshot(page, "dashboard")
    open_section(page, "Customers")
    page.get_by_role("link", name="Ecosystem", exact=True).click()
    expect(page.get_by_role("heading", name="Your ecosystem")).to_be_visible()
    screenshot(page, "ecosystem")


def test_a_figure_opens_the_people_it_counts_and_the_list_shows_the_same_number(
    page, roastery
):
    sign_in(page, "owner1")
    card = page.locator("#kpi-repeat_rate")
    numerator = card.locator(".figure-lists a").nth(1)
    expected = int(numerator.get_attribute("data-count"))
    numerator.click()
    expect(page.locator("#metric-filter")).to_contain_text("bought on more than one day")
    expect(page.locator(".page-head .muted")).to_have_text(f"{expected:,} matching")
    page.go_back()
    page.locator("#kpi-revenue h3 a").click()
    expect(page.get_by_role("heading", name="Orders")).to_be_visible()
    revenue = roastery.payload["kpis"][0]
    expect(page.locator("#orders-count")).to_have_text(f"{revenue['lists'][0]['count']:,} matching")
    screenshot(page, "orders-behind-revenue")


def test_build_a_segment_and_see_its_count(page, roastery):
    expected = Person.objects.filter(stage__in=["client", "advocate"]).count()
    sign_in(page, "owner1")
    page.goto("/segments/new/")
    page.get_by_label("Name").fill("Clients and advocates")
    page.get_by_role("button", name="Add rule").click()
    page.get_by_label("Field").select_option("stage")
    page.get_by_label("Client").check()
    page.get_by_label("Advocate").check()
    expect(page.locator("#segment-status")).to_contain_text(re.compile(rf"\b{expected:,}\b"))
    screenshot(page, "segment-editor")
    page.get_by_role("button", name="Save segment").click()
    segment = Segment.objects.get(name="Clients and advocates")
    assert segment.people().count() == expected
    expect(page.locator("main")).to_contain_text(f"{expected:,}")

    # The list fills in every segment's count on its own; the number opens those people.
    page.goto("/segments/")
    link = page.get_by_role("link", name=f"{expected:,} people in Clients and advocates")
    expect(link).to_have_text(f"{expected:,}")
    for other in Segment.objects.exclude(pk=segment.pk):
        count = other.people().count()
        expect(page.get_by_role("link", name=f"{count:,} people in {other.name}")).to_be_visible()
    screenshot(page, "segment-list")
    link.click()
    expect(page.locator(".page-head .muted")).to_have_text(f"{expected:,} matching")


def test_the_dashboards_refresh_bar_follows_the_worker_and_reloads_when_done(
    page, settings, tmp_path, live_server
):
    from thrive.analytics.models import AnalyticsRefresh

    settings.DATA_DIR = tmp_path
    call_command("demo", people=200, seed=3, as_of=AS_OF, no_progress=True, verbosity=0)
    AssociateFactory(username="owner2", role=Role.OWNER, first_name="Maya")
    sign_in(page, "owner2")
    page.get_by_role("button", name="Refresh now").click()
    bar = page.locator("#refresh-bar")
    expect(bar).to_be_visible()
    expect(page.locator("#refresh-progress")).to_contain_text("Waiting for the background worker")
    run = AnalyticsRefresh.objects.filter(state="queued").get()
    run_refresh(run.pk, as_of=AS_OF)  # what `thrive worker` does with it
    # The shared poller sees the job finish and reloads the page: the bar is gone.
    expect(bar).to_have_count(0, timeout=20_000)
    expect(page.locator("#kpi-clv")).to_be_visible()
