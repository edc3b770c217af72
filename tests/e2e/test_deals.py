"""The deal pipeline in a real browser: Maya drags a card to the next stage, moves
another by keyboard with the card's form, is asked for a reason when she drops a card on
the lost column, and sees each move on the person's timeline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from thrive.commerce import services
from thrive.commerce.models import Deal, DealStage, LostReason
from thrive.core.roles import Role
from thrive.testing.factories import AssociateFactory, PersonFactory

from .conftest import open_section, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pipeline():
    AssociateFactory(username="maya", first_name="Maya", last_name="Okafor", role=Role.OWNER)
    make = DealStage.objects.create
    stages = {
        "lead": make(name="Lead", position=1, probability=Decimal("0.1")),
        "proposal": make(name="Proposal", position=2, probability=Decimal("0.5")),
        "won": make(name="Won", position=3, probability=Decimal("1"), is_won=True),
        "lost": make(name="Lost", position=4, probability=Decimal("0"), is_lost=True),
    }
    LostReason.objects.create(label="Price", position=1)
    deals = {}
    for title, first in (("Café Lune espresso", "Ada"), ("Hotel blend", "Ben"),
                         ("Office coffee", "Cy")):  # fmt: skip
        deals[title] = services.save_deal(
            None, actor=None, title=title, person=PersonFactory(first_name=first),
            stage=stages["lead"], value="1200", currency="USD",
            expected_close=timezone.localdate() + dt.timedelta(days=20),
        )  # fmt: skip
    return stages, deals


def column(page, name):  # type: ignore[no-untyped-def]
    return page.locator(".deal-column", has=page.get_by_role("heading", name=name))


def test_maya_moves_deals_by_drag_and_by_keyboard_and_sees_the_timeline(page, pipeline):
    stages, deals = pipeline
    sign_in(page, "maya")
    open_section(page, "Customers")
    page.locator(".mainnav").get_by_role("link", name="Deals").click()
    page.get_by_role("heading", name="Deals", exact=True).wait_for()
    expect(column(page, "Lead").locator(".deal-card")).to_have_count(3)
    screenshot(page, "deals-board-1280")

    # Drag: the card lands in Proposal and the board reloads with it there.
    card = page.locator(f"#deal-{deals['Café Lune espresso'].pk}")
    card.drag_to(column(page, "Proposal").locator(".deal-cards"))
    expect(
        column(page, "Proposal").locator(f"#deal-{deals['Café Lune espresso'].pk}")
    ).to_be_visible()
    assert Deal.objects.get(pk=deals["Café Lune espresso"].pk).stage == stages["proposal"]

    # Keyboard: open "Move to…", choose Won, press Enter.
    hotel = page.locator(f"#deal-{deals['Hotel blend'].pk}")
    hotel.locator("summary", has_text="Move to…").focus()
    page.keyboard.press("Enter")
    hotel.get_by_label("Stage", exact=True).focus()
    hotel.get_by_label("Stage", exact=True).select_option(label="Won")
    hotel.get_by_role("button", name="Move").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("“Hotel blend” moved to Won.")).to_be_visible()
    expect(column(page, "Won").locator(f"#deal-{deals['Hotel blend'].pk}")).to_be_visible()
    expect(column(page, "Won").get_by_role("button", name="Make it an order")).to_be_visible()

    # Dropping on the lost column asks for the reason first; nothing moves until then.
    office = page.locator(f"#deal-{deals['Office coffee'].pk}")
    office.drag_to(column(page, "Lost").locator(".deal-cards"))
    expect(page.get_by_text("Say why the deal was lost, then press Move.")).to_be_visible()
    assert Deal.objects.get(pk=deals["Office coffee"].pk).stage == stages["lead"]
    expect(office.get_by_label("Lost because")).to_be_focused()
    office.get_by_label("Lost because").select_option("Price")
    office.get_by_role("button", name="Move").click()
    expect(column(page, "Lost").locator(f"#deal-{deals['Office coffee'].pk}")).to_contain_text(
        "Price"
    )
    screenshot(page, "deals-board-after-moves-1280")

    # Each move is on the person's timeline.
    page.goto(f"/people/{deals['Café Lune espresso'].person_id}/")
    expect(
        page.get_by_text("Deal “Café Lune espresso” moved from Lead to Proposal")
    ).to_be_visible()
    screenshot(page, "deals-person-timeline-1280")


def test_a_won_deal_becomes_an_order_and_the_forecast_explains_itself(page, pipeline):
    stages, deals = pipeline
    services.save_deal(deals["Hotel blend"], actor=None, stage=stages["won"])
    sign_in(page, "maya")
    page.goto("/deals/")
    column(page, "Won").get_by_role("button", name="Make it an order").click()
    expect(page.get_by_text("recorded for “Hotel blend” (pending)")).to_be_visible()
    page.goto("/deals/")
    page.get_by_role("link", name="Forecast by month").click()
    expect(page.locator("#forecast tbody tr")).to_have_count(1)
    expect(page.get_by_text("Wilson interval", exact=False)).to_be_visible()
    screenshot(page, "deals-forecast-1280")


def test_the_deal_pages_fit_a_phone_without_script_errors(page, pipeline):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "maya")
    for path in ("/deals/", "/deals/forecast/", "/deals/attention/", "/deals/stages/"):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner + 1, f"{path} is {scroll}px wide on a phone"
    page.goto("/deals/")
    screenshot(page, "deals-board-390")
    assert errors == []
