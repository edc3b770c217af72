"""Every dashboard figure opens the list it counts, and that list shows the same count.

The cards come from the dashboard's own payload: a new card without a list fails here."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from thrive.analytics.refresh import run_refresh
from thrive.conftest import client_for

from .business import build_business

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 12, 7)


def _people_count(body: str) -> int:
    found = re.search(r'id="people-count"[^>]*>([\d,]+) (?:matching|in your ecosystem)</p>', body)
    assert found, "the people list shows no count"
    return int(found.group(1).replace(",", ""))


def _orders_totals(body: str) -> tuple[int, Decimal]:
    found = re.search(r'id="orders-count">([\d,]+) ', body)
    assert found, "the orders list shows no count"
    net = re.search(r'data-currency="USD" data-net="([-\d.]+)"', body)
    return int(found.group(1).replace(",", "")), Decimal(net.group(1)) if net else Decimal(0)


def _follow(client, item: dict) -> None:
    response = client.get(item["link"])
    assert response.status_code == 200, item["link"]
    body = response.content.decode()
    if item["kind"] == "people":
        assert _people_count(body) == item["count"], item
    elif item["kind"] == "orders":
        count, net = _orders_totals(body)
        assert count == item["count"], item
        assert net == Decimal(str(item["net"])).quantize(Decimal("0.01")), item
    elif item["kind"] == "touches":
        found = re.search(r'data-automated="(\d+)" data-total="(\d+)"', body)
        assert found, "the automations page shows no automation rate"
        assert (int(found.group(1)), int(found.group(2))) == (item["automated"], item["count"])
    elif item["kind"] == "processes":
        found = re.search(r'id="process-rate" data-automated="(\d+)" data-total="(\d+)"', body)
        shown = (int(found.group(1)), int(found.group(2))) if found else (0, 0)
        assert shown == (item["automated"], item["count"]), item
    elif item["kind"] == "ideas":
        assert (
            body.count('href="/voice/ideas/') - body.count('href="/voice/ideas/new')
            == item["count"]
        )
    elif item["kind"] == "conversations":
        found = re.search(r'id="conversations-count">([\d,]+) conversation', body)
        assert found, "the inbox shows no count"
        assert int(found.group(1).replace(",", "")) == item["count"], item
    else:
        pytest.fail(f"a list of unknown kind {item['kind']!r}")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_dashboard_figure_opens_a_list_showing_the_count_it_used(seed, owner, read_only):
    build_business(seed, as_of=AS_OF, actor=owner)
    snapshot = run_refresh(as_of=AS_OF)
    client = client_for(read_only)
    dashboard = client.get("/").content.decode()
    cards = snapshot.payload["kpis"]
    assert len(cards) >= 16
    for card in cards:
        assert card["lists"], f"the card {card['key']!r} opens no list"
        assert card["link"] == card["lists"][0]["link"]
        assert f'href="{card["link"]}"'.replace("&", "&amp;") in dashboard, card["key"]
        for item in card["lists"]:
            _follow(client, item)


def test_ratios_are_their_lists_counts_divided(owner):
    build_business(7, as_of=AS_OF, actor=owner)
    payload = run_refresh(as_of=AS_OF).payload
    cards = {c["key"]: c for c in payload["kpis"]}
    # The lists' counts agree with the insights core's own cohort matrix and funnel.
    assert cards["retention_m3"]["value"] == pytest.approx(payload["charts"]["cohorts"]["mean"][3])
    assert cards["funnel"]["value"] == pytest.approx(payload["funnel"]["suspect_to_client"])
    for key in ("repeat_rate", "retention_m3", "funnel", "participation"):
        whole, part = cards[key]["lists"][0]["count"], cards[key]["lists"][1]["count"]
        assert part <= whole
        assert cards[key]["value"] == pytest.approx(part / whole), key
    revenue = cards["revenue"]
    assert revenue["value"] == pytest.approx(revenue["lists"][0]["net"])
