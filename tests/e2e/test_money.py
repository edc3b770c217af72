"""The owner reads the money: the dashboard's forecast with its back-test, the MRR bridge
and the model check, then the demo campaign against its holdout, and the experiment that
judges its variants on revenue."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from thrive.analytics.refresh import run_refresh
from thrive.core.roles import Role
from thrive.demo.proof import CAMPAIGN
from thrive.growth.demo import SUBJECT_TEST
from thrive.testing.factories import AssociateFactory

from .conftest import open_section, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def roastery(settings, tmp_path):
    settings.THRIVE_TIME_ZONE = "UTC"
    settings.DATA_DIR = tmp_path
    call_command(
        "demo", people=600, seed=11, as_of=dt.date(2026, 5, 31), no_progress=True, verbosity=0
    )
    AssociateFactory(username="owner1", role=Role.OWNER, first_name="Maya")
    return run_refresh(as_of=dt.date(2026, 6, 1))


def test_the_owner_reads_the_forecast_the_mrr_bridge_and_the_campaign_against_its_holdout(
    page, roastery
):
    money = roastery.payload["money"]
    sign_in(page, "owner1")
    forecast = page.locator("#money-forecast-card")
    expect(forecast.get_by_role("heading", name="Revenue forecast, next 12 months")).to_be_visible()
    assert float(forecast.locator(".value").get_attribute("data-value")) == pytest.approx(
        money["forecast"]["sum"]
    )
    expect(forecast.locator("svg#money-forecast")).to_be_visible()
    forecast.get_by_text("How is this computed?").click()
    expect(forecast.get_by_text("Unlike a trend line")).to_be_visible()
    backtest = page.locator("#money-backtest-card")
    expect(backtest.locator("svg#money-backtest")).to_be_visible()
    bt = money["forecast"]["backtest"]
    expect(backtest).to_contain_text(f"Fitted on the orders up to {bt['cut']}")
    bridge = page.locator("#money-mrr-card")
    expect(bridge.get_by_text("= Closing MRR")).to_be_visible()
    expect(page.locator("#money-models-card tr[data-model='Pareto/NBD']")).to_be_visible()
    screenshot(page, "dashboard-money")
    # The back-test's actual revenue opens the orders it counts.
    backtest.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(rf"status=revenue.*start={bt['months'][0]}-01"))

    open_section(page, "Reach")
    page.get_by_role("link", name="Outreach", exact=True).click()
    page.get_by_role("link", name=CAMPAIGN).click()
    section = page.locator("#money")
    expect(section.get_by_role("heading", name="Judged on money")).to_be_visible()
    expect(section.get_by_role("rowheader", name="Holdout (sent nothing)")).to_be_visible()
    expect(section.get_by_text("Variant A", exact=False).first).to_be_visible()
    section.get_by_label("Orders within").select_option("60")
    section.get_by_role("button", name="Show").click()
    expect(page.locator("#money-days")).to_have_value("60")
    verdicts = page.locator("#money li[data-verdict]")
    expect(verdicts).to_have_count(3)  # A, B and all variants
    screenshot(page, "campaign-money")

    open_section(page, "Grow")
    page.get_by_role("link", name="Experiments", exact=True).click()
    page.get_by_role("link", name=SUBJECT_TEST).first.click()
    expect(page.locator("#exp-outcome")).to_contain_text("Revenue per person")
    expect(page.get_by_text("is variant A")).to_be_visible()
    expect(page.locator("#money")).to_be_visible()
