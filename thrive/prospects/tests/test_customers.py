import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from thrive.analytics.models import CustomerScore
from thrive.analytics.refresh import run_refresh
from thrive.commerce.models import MarketingSpend
from thrive.conftest import client_for
from thrive.contacts.models import Organization
from thrive.insights import cohort_matrix, group_retention
from thrive.prospects.clients import client_table, size_class
from thrive.prospects.economics import channel_table
from thrive.prospects.profile import compute_profile, refresh_profile
from thrive.testing.factories import (
    ChannelFactory,
    OrderFactory,
    OrderLineFactory,
    PersonFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 7, 1)


def _business() -> None:
    """40 customers: 20 from paid ads, 20 from friends; every third buys again monthly."""
    ads = ChannelFactory(slug="ads", name="Ads")
    friends = ChannelFactory(slug="friends", name="Friends")
    beans, gift = ProductFactory(name="Beans"), ProductFactory(name="Gift box")
    big = Organization.objects.create(name="Big Co", employees=120, industry="Offices")
    for i in range(40):
        channel = ads if i < 20 else friends
        person = PersonFactory(acquisition_channel=channel, region="North" if i % 4 else "South",
                               organization=big if i % 5 == 0 else None)  # fmt: skip
        start = dt.datetime(2026, 1 + i % 4, 3 + i % 20, 10, tzinfo=dt.UTC)
        visits = 1 + (4 if i % 3 == 0 else 0)
        for v in range(visits):
            order = OrderFactory(person=person, ordered_at=start + dt.timedelta(days=31 * v),
                                 total=Decimal(40 + 10 * (i % 7)))  # fmt: skip
            OrderLineFactory(order=order, product=gift if i % 2 else beans,
                             unit_price=order.total, line_total=order.total)  # fmt: skip
    for month in (1, 2, 3, 4):
        MarketingSpend.objects.create(channel=ads, month=dt.date(2026, month, 1),
                                      amount=Decimal("250.00"), currency="USD")  # fmt: skip


def test_the_channel_table_equals_the_dashboards_cac_and_the_insights_core():
    _business()
    snapshot = run_refresh(as_of=AS_OF)
    assert CustomerScore.objects.count() == 40
    table = channel_table(as_of=AS_OF)
    rows = {r["group"]: r for r in table["channels"]}
    kpis = {k["key"]: k for k in snapshot.payload["kpis"]}
    dashboard = {c["channel"]: c for c in kpis["cac"]["detail"]}
    ratios = {c["channel"]: c["ratio"] for c in kpis["clv_cac"]["detail"]}
    assert rows["Ads"]["cac"] == pytest.approx(dashboard["ads"]["cac"]) == pytest.approx(50.0)
    # The stored scores are rounded to the cent; the dashboard averages unrounded values.
    assert rows["Ads"]["clv"] == pytest.approx(dashboard["ads"]["clv"], abs=0.005)
    assert rows["Ads"]["clv_cac"] == pytest.approx(ratios["ads"], abs=0.005 / 50)
    assert rows["Friends"]["cac"] == 0.0 and rows["Friends"]["clv_cac"] is None
    # Mean CLV and revenue straight from the stored scores.
    scores = CustomerScore.objects.filter(person__acquisition_channel__slug="friends")
    clvs = [float(s.predicted_clv) for s in scores]
    assert rows["Friends"]["clv"] == pytest.approx(np.mean(clvs))
    assert rows["Friends"]["revenue"] == pytest.approx(sum(float(s.revenue) for s in scores))
    # Retention three months on, from the insights core's cohort matrix by hand.
    ids, months, chans = [], [], []
    for s in CustomerScore.objects.select_related("person__acquisition_channel"):
        for o in s.person.orders.filter(ordered_at__date__lt=AS_OF):
            ids.append(s.person_id)
            months.append(np.datetime64(o.ordered_at.date(), "D"))
            chans.append(s.person.acquisition_channel.name)
    matrix = cohort_matrix(np.array(ids), np.array(months), np.ones(len(ids)),
                           channels=np.array(chans), as_of="2026-06-30")  # fmt: skip
    expected = group_retention(matrix, 3)
    assert rows["Ads"]["retention"] == pytest.approx(expected["Ads"])
    assert rows["Friends"]["retention"] == pytest.approx(expected["Friends"])
    products = {r["group"] for r in table["products"]}
    assert products == {"Beans", "Gift box"}


def test_the_profile_compares_the_top_tenth_with_everyone_by_hand():
    _business()
    run_refresh(as_of=AS_OF)
    clients = client_table(as_of=AS_OF)
    payload = compute_profile(clients, min_members=2)
    assert payload["clients"] == 40 and payload["top"] == 4
    top = set(CustomerScore.objects.order_by("-predicted_clv", "person_id")
              .values_list("person_id", flat=True)[:4])  # fmt: skip
    by_channel = {
        r["value"]: r for r in payload["lifts"] if r["attribute"] == "acquisition channel"
    }
    ads = CustomerScore.objects.filter(person_id__in=top, person__acquisition_channel__slug="ads")
    ads_top = ads.count()
    assert by_channel["Ads"]["top_members"] == ads_top
    assert by_channel["Ads"]["lift"] == pytest.approx((ads_top / 20) / 0.1)
    assert by_channel["Ads"]["sentence"].startswith("Clients whose acquisition channel is Ads")
    assert "top tenth" in by_channel["Ads"]["sentence"]
    sizes = {r["value"] for r in payload["lifts"] if r["attribute"] == "company size"}
    assert sizes == {"50–249 people"}


def test_size_classes_follow_the_headcount():
    assert [size_class(n) for n in (None, 0, 1, 9, 10, 49, 50, 249, 250)] == [
        "", "", "1–9 people", "1–9 people", "10–49 people", "10–49 people",
        "50–249 people", "50–249 people", "250 people or more",
    ]  # fmt: skip


def test_too_few_clients_gives_a_reason_instead_of_a_profile(persona):
    profile = refresh_profile()
    assert profile.payload["reason"].startswith("The profile needs at least 30 clients")
    page = client_for(persona).get("/reach/")
    assert page.status_code == 200 and "The profile needs at least 30" in page.content.decode()


def test_the_reach_page_shows_both_tables(owner):
    _business()
    run_refresh(as_of=AS_OF)
    refresh_profile(as_of=AS_OF)
    page = client_for(owner).get("/reach/").content.decode()
    assert "By acquisition channel" in page and "By first product" in page
    assert "Gift box" in page and "Ads" in page
