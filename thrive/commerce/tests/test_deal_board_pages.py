"""The deal board and its pages for each role, and bad input answered in words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from thrive.commerce import services
from thrive.commerce.models import Deal, DealStage, DealStageChange, LostReason, Order
from thrive.conftest import client_for
from thrive.contacts.models import Activity, ActivityKind
from thrive.tasks.models import Task
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stages():
    make = DealStage.objects.create
    return {
        "lead": make(name="Lead", position=1, probability=Decimal("0.1")),
        "proposal": make(name="Proposal", position=2, probability=Decimal("0.5")),
        "won": make(name="Won", position=3, probability=Decimal("1"), is_won=True),
        "lost": make(name="Lost", position=4, probability=Decimal("0"), is_lost=True),
    }


@pytest.fixture
def deal(stages):
    person = PersonFactory(first_name="Ada", last_name="Brewer")
    return services.save_deal(
        None, actor=None, title="Café Lune house espresso", person=person,
        stage=stages["lead"], value="3200", currency="USD",
        expected_close=dt.date(2027, 2, 10),
    )  # fmt: skip


def test_everyone_signed_in_sees_the_board_with_its_cards(read_only, deal):
    page = client_for(read_only).get("/deals/").content.decode()
    for text in (
        "Lead",
        "Proposal",
        "Café Lune house espresso",
        "Ada Brewer",
        "3,200.00 USD",
        "Expected to close 10 Feb 2027",
        "No next step",
    ):
        assert text in page
    # A reader gets no forms to change anything.
    assert "Move to…" not in page and "Add a deal to" not in page


def test_the_board_is_in_the_navigation(member, deal):
    page = client_for(member).get("/").content.decode()
    assert 'href="/deals/"' in page


@pytest.mark.parametrize(
    "url", ["/deals/{pk}/move/", "/deals/add/", "/deals/{pk}/next-step/", "/deals/{pk}/order/"]
)
def test_a_reader_cannot_change_deals(read_only, deal, stages, url):
    response = client_for(read_only).post(
        url.format(pk=deal.pk), {"stage": stages["proposal"].pk, "title": "x", "person": "1",
                                 "value": "1", "currency": "USD", "next_step": "Call",
                                 "next_step_due": "2027-01-01"},
    )  # fmt: skip
    assert response.status_code == 403
    deal.refresh_from_db()
    assert deal.stage == stages["lead"] and Deal.objects.count() == 1 and not Task.objects.exists()


def test_a_member_moves_a_card_with_the_form_and_it_is_on_the_timeline(member, deal, stages):
    client = client_for(member)
    response = client.post(f"/deals/{deal.pk}/move/", {"stage": stages["proposal"].pk})
    assert response.status_code == 302 and response["Location"] == f"/deals/#deal-{deal.pk}"
    deal.refresh_from_db()
    assert deal.stage == stages["proposal"]
    person_page = client.get(f"/people/{deal.person_id}/").content.decode()
    assert "Deal “Café Lune house espresso” moved from Lead to Proposal" in person_page


def test_the_boards_script_moves_a_card_and_gets_json(member, deal, stages):
    response = client_for(member).post(
        f"/deals/{deal.pk}/move/",
        {"stage": stages["won"].pk},
        headers={"Accept": "application/json"},
    )
    assert response.json() == {"ok": True, "deal": deal.pk, "stage": stages["won"].pk,
                               "message": "“Café Lune house espresso” moved to Won."}  # fmt: skip


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"stage": "99999"}, "There is no such stage"),
        ({"stage": "lost"}, "Say why the deal was lost"),
        ({}, "Choose the stage."),
    ],
)
def test_a_bad_move_is_refused_in_words_and_changes_nothing(member, deal, stages, data, message):
    if data.get("stage") == "lost":
        data = {"stage": stages["lost"].pk}
    response = client_for(member).post(f"/deals/{deal.pk}/move/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Café Lune house espresso" in response.content.decode()
    deal.refresh_from_db()
    assert deal.stage == stages["lead"] and DealStageChange.objects.count() == 1


def test_a_bad_json_move_answers_its_reason(member, deal, stages):
    response = client_for(member).post(
        f"/deals/{deal.pk}/move/",
        {"stage": stages["lost"].pk},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        "Lost because: Say why the deal was lost: choose a reason or write one."
    ]


def test_a_lost_reason_is_chosen_from_the_owners_list_or_written(member, deal, stages):
    LostReason.objects.create(label="Price", position=1)
    client = client_for(member)
    client.post(f"/deals/{deal.pk}/move/", {"stage": stages["lost"].pk, "lost_reason": "Price"})
    deal.refresh_from_db()
    assert deal.lost_reason == "Price"
    client.post(f"/deals/{deal.pk}/move/", {"stage": stages["lead"].pk})
    client.post(f"/deals/{deal.pk}/move/", {"stage": stages["lost"].pk, "lost_reason": "Price",
                                           "lost_reason_other": "Moved away"})  # fmt: skip
    deal.refresh_from_db()
    assert deal.lost_reason == "Moved away"
    entries = Activity.objects.filter(kind=ActivityKind.DEAL).order_by("id")
    assert [e.subject for e in entries][-1] == "Deal “Café Lune house espresso” lost (Moved away)"


def test_quick_add_puts_a_deal_in_the_column(member, stages):
    person = PersonFactory(email="ben@example.com")
    response = client_for(member).post("/deals/add/", {
        "stage": stages["proposal"].pk, "title": "Filter program", "person": "ben@example.com",
        "value": "780", "currency": "eur", "expected_close": "2027-03-01",
    })  # fmt: skip
    assert response.status_code == 302
    deal = Deal.objects.get()
    assert (deal.person, deal.stage, deal.value, deal.currency, deal.owner) == (
        person, stages["proposal"], Decimal("780.00"), "EUR", member
    )  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"value": "-5"}, "Value: Cannot be negative."),
        ({"person": "nobody@example.com"}, "There is no person nobody@example.com"),
        ({"stage": "99999"}, "There is no such stage"),
        ({"expected_close": "2027-02-31"}, "Expected close: Enter a date as YYYY-MM-DD."),
        ({"title": ""}, "Title: Give the deal a title."),
    ],
)
def test_bad_quick_add_input_is_named_and_nothing_is_saved(member, stages, overrides, message):
    PersonFactory(email="ben@example.com")
    data = {"stage": stages["lead"].pk, "title": "Filter", "person": "ben@example.com",
            "value": "10", "currency": "USD", "expected_close": ""}  # fmt: skip
    data.update(overrides)
    response = client_for(member).post("/deals/add/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Deal.objects.exists()


def test_a_next_step_from_the_card_becomes_a_task(member, deal):
    client = client_for(member)
    step = {"next_step": "Bring samples", "next_step_due": "2027-01-20"}
    response = client.post(f"/deals/{deal.pk}/next-step/", step)
    assert response.status_code == 302
    assert Task.objects.get().title == "Bring samples"
    page = client.get("/deals/").content.decode()
    assert "Next: Bring samples · due 20 Jan, 09:00" in page
    bad = client.post(f"/deals/{deal.pk}/next-step/", {"next_step": "Call", "next_step_due": ""})
    assert bad.status_code == 400 and "Give the next step a due date." in bad.content.decode()


def test_a_won_deal_becomes_an_order_from_its_card_once(member, deal, stages):
    client = client_for(member)
    client.post(f"/deals/{deal.pk}/move/", {"stage": stages["won"].pk})
    assert "Make it an order" in client.get("/deals/").content.decode()
    response = client.post(f"/deals/{deal.pk}/order/")
    order = Order.objects.get()
    assert response["Location"] == f"/orders/{order.pk}/"
    again = client.post(f"/deals/{deal.pk}/order/", follow=True)
    assert "This deal is already an order." in again.content.decode()
    assert Order.objects.count() == 1
    assert f'Order <a href="/orders/{order.pk}/">{order.number}</a>' in again.content.decode()


def test_only_the_owner_manages_stages_and_lost_reasons(owner, member, read_only, stages):
    for user in (member, read_only):
        client = client_for(user)
        assert client.get("/deals/stages/").status_code == 403
        assert (
            client.post("/deals/stages/", {"new-name": "X", "new-probability": "5"}).status_code
            == 403
        )
        assert client.post("/deals/reasons/", {"label": "Price"}).status_code == 403
    client = client_for(owner)
    assert client.get("/deals/stages/").status_code == 200
    client.post("/deals/stages/", {"new-name": "Tasting", "new-probability": "30"})
    assert DealStage.objects.get(name="Tasting").probability == Decimal("0.300")
    stage = stages["proposal"]
    renamed = {f"s{stage.pk}-name": "Proposal sent", f"s{stage.pk}-probability": "55"}
    client.post(f"/deals/stages/{stage.pk}/", {**renamed, "action": "save"})
    stage.refresh_from_db()
    assert (stage.name, stage.probability) == ("Proposal sent", Decimal("0.550"))
    client.post(f"/deals/stages/{stage.pk}/", {"action": "up"})
    assert list(DealStage.objects.values_list("name", flat=True))[:2] == ["Proposal sent", "Lead"]
    client.post("/deals/reasons/", {"label": "Went with a cheaper roaster"})
    assert LostReason.objects.get().label == "Went with a cheaper roaster"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"new-name": "Lead", "new-probability": "10"}, "There is already a stage called “Lead”."),
        ({"new-name": "Maybe", "new-probability": "150"}, "from 0 to 100 percent"),
        ({"new-name": "Maybe", "new-probability": "lots"}, "“lots” is not a percentage"),
        (
            {"new-name": "Both", "new-probability": "5", "new-is_won": "on", "new-is_lost": "on"},
            "A stage is won or lost, not both.",
        ),
    ],
)
def test_a_bad_stage_is_refused_in_words(owner, stages, data, message):
    response = client_for(owner).post("/deals/stages/", data)
    assert response.status_code == 400 and message in response.content.decode()
    assert DealStage.objects.count() == 4


def test_the_forecast_page_shows_both_forecasts_and_explains_them(read_only, deal, stages):
    page = client_for(read_only).get("/deals/forecast/").content.decode()
    assert 'data-month="2027-02"' in page and 'data-weighted="320.00"' in page
    # No closed deal yet: Lead's probability stands in, with the whole range.
    assert 'data-historical="320.00"' in page and 'data-high="3200.00"' in page
    assert "Wilson" in page and "share that was won" in page


def test_the_attention_page_lists_deals_without_a_next_step(read_only, deal):
    page = client_for(read_only).get("/deals/attention/").content.decode()
    assert "Deals with no next step (1)" in page and f'href="/deals/#deal-{deal.pk}"' in page
    assert "1.5 × the median time" in page


def test_the_edit_page_asks_for_the_lost_reason_too(member, deal, stages):
    data = {"title": deal.title, "person": str(deal.person_id), "organization": "",
            "value": "3200", "currency": "USD", "stage": str(stages["lost"].pk),
            "expected_close": "", "owner": "", "next_step": "", "next_step_due": "",
            "lost_reason": ""}  # fmt: skip
    client = client_for(member)
    response = client.post(f"/deals/{deal.pk}/edit/", data)
    assert response.status_code == 400
    assert "Say why the deal was lost: choose a reason or write one." in response.content.decode()
    assert (
        client.post(f"/deals/{deal.pk}/edit/", {**data, "lost_reason": "Moved"}).status_code == 302
    )
    deal.refresh_from_db()
    assert (deal.stage, deal.lost_reason) == (stages["lost"], "Moved")
