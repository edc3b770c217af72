"""The dashboard's money cards: the forecast on a simulated business whose future is known,
its back-test, the MRR bridge on a hand-made ledger, the model check and the page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from thrive.analytics import refresh
from thrive.analytics.money_dashboard import backtest_length, compute_money
from thrive.commerce.models import Order, Subscription
from thrive.conftest import client_for
from thrive.contacts.models import Person
from thrive.core import business
from thrive.insights.base_forecast import monthly_purchase_revenue
from thrive.insights.tests.test_base_forecast import simulate_business

pytestmark = pytest.mark.django_db

# The simulated shop (see thrive.insights.tests.test_base_forecast): 150 new customers a
# month from January 2022 for 18 months, then none; every customer buys as the BG/NBD
# process says with λ ~ Gamma(0.8, rate 6/week), p ~ Beta(1, 4), spend ~ Gamma-Gamma with
# mean 30. Simulated for 36 months; the dashboard sees the first 24.
AS_OF = dt.date(2024, 1, 1)  # the last complete month is December 2023
# The 12-month total must land within 15% of the simulated truth. Why 15%: over 20 seeds
# of this simulation (0-19), the forecast's error against each seed's truth had mean
# +1.5%, standard deviation 5.8% and at most 10.0% either way; the truth itself varied by
# 4.5% between seeds. 15% is about 2.5 standard deviations: a correct method passes, a
# forecast off by a fifth (a month lost at the edges, spend or purchases miscounted) fails.
TOLERANCE = 0.15


@pytest.fixture
def simulated_shop() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ids, days, amounts = simulate_business(months=36)
    zone = business.zone()
    people = {
        name: Person(first_name="Sim", last_name=str(name), email=f"{name}@sim.example")
        for name in sorted(set(ids))
    }
    Person.objects.bulk_create(people.values())
    Order.objects.bulk_create(
        Order(
            person=people[name],
            number=f"S{i}",
            ordered_at=dt.datetime.combine(day.astype(dt.date), dt.time(12), tzinfo=zone),
            currency=business.currency(),
            total=Decimal(f"{amount:.2f}"),
            source="test",
        )
        for i, (name, day, amount) in enumerate(zip(ids, days, amounts, strict=True))
    )
    return ids, days, amounts


def test_forecast_back_test_and_model_check_on_a_shop_whose_future_is_known(simulated_shop):
    ids, days, amounts = simulated_shop
    money = compute_money(as_of=AS_OF)
    _the_twelve_month_forecast_lands_near_the_simulated_truth(money, ids, days, amounts)
    _the_back_test_forecasts_the_last_six_months_from_the_data_before_them(money, days, amounts)
    _the_model_check_compares_both_models_with_the_purchases_after_the_cut(money, ids, days)


def _the_twelve_month_forecast_lands_near_the_simulated_truth(money, ids, days, amounts):
    forecast = money["forecast"]
    assert forecast["months"] == [f"2024-{m:02d}" for m in range(1, 13)]
    assert forecast["as_of"] == "2023-12-31"
    # Nobody new in the last three months: the new-customer part is zero.
    assert forecast["acquisition_per_month"] == 0 and forecast["sum_new"] == 0
    truth = monthly_purchase_revenue(days, amounts, np.arange("2024-01", "2025-01", dtype="M8[M]"))
    assert forecast["sum"] == pytest.approx(float(truth.sum()), rel=TOLERANCE)
    # The history is the business's own orders, to the cent.
    history = monthly_purchase_revenue(
        days, amounts, np.array(forecast["history_months"], dtype="M8[M]")
    )
    np.testing.assert_allclose(forecast["history"], history, rtol=1e-9)
    assert forecast["history_link"].endswith("&start=2023-01-01&end=2023-12-31")


def _the_back_test_forecasts_the_last_six_months_from_the_data_before_them(money, days, amounts):
    bt = money["forecast"]["backtest"]
    assert bt["cut"] == "2023-06-30"
    assert bt["months"] == [f"2023-{m:02d}" for m in range(7, 13)]
    actual = monthly_purchase_revenue(days, amounts, np.array(bt["months"], dtype="M8[M]"))
    np.testing.assert_allclose(bt["actual"], actual, rtol=1e-9)
    # Fitted in June 2023, when 150 customers a month were still arriving, the method
    # expects them to keep coming and over-forecasts: the back-test shows exactly that.
    assert bt["total_error"] == pytest.approx((sum(bt["predicted"]) - actual.sum()) / actual.sum())
    assert bt["total_error"] > 0.3
    assert bt["link"].endswith("&start=2023-07-01&end=2023-12-31")


def _the_model_check_compares_both_models_with_the_purchases_after_the_cut(money, ids, days):
    check = money["model_check"]
    cut, end = np.datetime64("2023-06-30"), np.datetime64("2023-12-31")
    known = set(ids[days <= cut])
    later = {(c, d) for c, d in zip(ids, days, strict=True) if cut < d <= end and c in known}
    assert check["actual"] == len(later)
    assert check["customers"] == len(known)
    assert [m["name"] for m in check["models"]] == ["BG/NBD", "Pareto/NBD"]
    for model in check["models"]:
        # Both are fitted to data from the BG/NBD process: each predicts the total within 20%.
        assert abs(model["total_error"]) < 0.2
    assert check["supported"] in {"both", "BG/NBD", "Pareto/NBD"} and check["words"]


def test_back_test_length_keeps_two_thirds_of_a_short_history():
    assert [backtest_length(n) for n in (2, 6, 12, 18, 40)] == [1, 2, 4, 6, 6]


def _sub(person, start, end, amount):
    return Subscription.objects.create(
        person=person, plan="Beans", monthly_amount=Decimal(amount), started_on=start,
        ended_on=end, currency=business.currency(),
    )  # fmt: skip


def test_the_mrr_bridge_card_adds_up_a_small_ledger():
    c1, c2, c3, c4, c5 = (Person.objects.create(first_name=f"C{i}") for i in range(5))
    d = dt.date
    _sub(c1, d(2024, 1, 15), None, "10")
    _sub(c1, d(2024, 3, 10), None, "5")
    _sub(c2, d(2024, 1, 5), d(2024, 2, 20), "20")
    _sub(c2, d(2024, 4, 2), None, "20")
    _sub(c3, d(2023, 4, 1), None, "30")
    _sub(c3, d(2023, 12, 1), d(2024, 3, 15), "10")
    _sub(c4, d(2024, 4, 10), None, "8")
    _sub(c5, d(2023, 3, 1), d(2023, 9, 1), "12")  # gone before the months below
    card = compute_money(as_of=d(2024, 5, 1))["subscriptions"]
    assert card["months"][-4:] == ["2024-01", "2024-02", "2024-03", "2024-04"]
    last = card["last"]
    # April: 45 + 8 new + 20 back = 73.
    assert (last["opening"], last["new"], last["reactivation"], last["closing"]) == (45, 8, 20, 73)
    assert card["churned"][-3] == 20 and card["expansion"][-2] == 5
    assert card["contraction"][-2] == 10
    assert card["nrr"][-2] == pytest.approx(0.9) and card["grr"][-2] == pytest.approx(0.8)
    assert card["active"] == 5
    # The year: paying on 30 April 2023 were c3 (30) and c5 (12); on 30 April 2024 c3
    # pays 30 and c5 nothing: NRR = GRR = 30 / 42.
    assert card["year"]["from"] == "2023-04"
    assert card["year"]["nrr"] == pytest.approx(30 / 42)
    assert card["year"]["grr"] == pytest.approx(30 / 42)


def test_without_subscriptions_the_card_says_so():
    card = compute_money(as_of=dt.date(2024, 5, 1))["subscriptions"]
    assert card["reason"].startswith("No subscriptions recorded")


def test_the_dashboard_shows_the_cards_from_the_background_refresh(simulated_shop, read_only):
    client = client_for(read_only)
    refresh.run_refresh(as_of=AS_OF)
    page = client.get("/").content.decode()
    assert "Revenue forecast, next 12 months" in page
    assert 'id="money-forecast"' in page and 'id="money-backtest"' in page
    assert "Back-test on this business" in page and "Fitted on the orders up to 2023-06-30" in page
    assert "Model check: BG/NBD or Pareto/NBD?" in page and 'data-model="Pareto/NBD"' in page
    assert "No subscriptions recorded" in page
    assert "How is this computed?" in page
