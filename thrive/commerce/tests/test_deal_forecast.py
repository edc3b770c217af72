"""The pipeline's arithmetic against cases worked out by hand: Wilson intervals, win rates
per stage, the month-by-month forecast and the "longer than usual" limit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from thrive.commerce import deal_forecast as fc

A, B, WON, LOST = 1, 2, 3, 4


def test_the_wilson_interval_of_three_won_of_four_is_30_to_95_percent():
    # p = .75, z² = 3.8416: (1.2302 ± 1.96·√(.046875 + .060025)) / 1.9604
    low, high = fc.wilson_interval(3, 4)
    assert low == pytest.approx(0.30064, abs=1e-5)
    assert high == pytest.approx(0.95441, abs=1e-5)


def test_a_stage_without_closed_deals_has_the_whole_range():
    assert fc.wilson_interval(0, 0) == (0.0, 1.0)
    assert fc.wilson_interval(0, 5)[0] == 0.0


def paths():
    return [
        fc.DealPath(frozenset({A, B, WON}), True),
        fc.DealPath(frozenset({A, B, WON}), True),
        fc.DealPath(frozenset({A, LOST}), False),
        fc.DealPath(frozenset({A, B, LOST}), False),
        fc.DealPath(frozenset({A}), None),  # still open: not counted
    ]


FALLBACK = {A: Decimal("0.2"), B: Decimal("0.5"), WON: Decimal(1), LOST: Decimal(0)}


def test_a_stages_win_rate_is_the_share_of_closed_deals_that_reached_it_and_were_won():
    rates = fc.stage_rates(paths(), FALLBACK)
    assert (rates[A].won, rates[A].closed, rates[A].rate) == (2, 4, Decimal("0.5"))
    assert (rates[B].won, rates[B].closed) == (2, 3)
    assert rates[B].rate == Decimal(2) / Decimal(3)


def test_a_stage_nobody_closed_from_falls_back_to_its_probability():
    rates = fc.stage_rates([fc.DealPath(frozenset({A}), None)], FALLBACK)
    assert rates[A].closed == 0 and rates[A].rate == Decimal("0.2")
    assert rates[A].interval == (Decimal(0), Decimal(1))


def test_the_forecast_sums_value_times_probability_and_times_win_rate_per_month():
    rates = fc.stage_rates(paths(), FALLBACK)
    deals = [
        fc.OpenDeal(Decimal("1000"), "USD", A, Decimal("0.2"), dt.date(2027, 1, 15)),
        fc.OpenDeal(Decimal("3000"), "USD", B, Decimal("0.5"), dt.date(2027, 1, 31)),
        fc.OpenDeal(Decimal("600"), "USD", B, Decimal("0.5"), dt.date(2027, 2, 3)),
        fc.OpenDeal(Decimal("50"), "USD", A, Decimal("0.2"), None),
    ]
    january, february, undated = fc.forecast(deals, rates)
    assert (january.month, january.deals, january.pipeline) == (
        dt.date(2027, 1, 1), 2, Decimal("4000.00"),
    )  # fmt: skip
    # 1000 × 0.2 + 3000 × 0.5
    assert january.weighted == Decimal("1700.00")
    # 1000 × 2/4 + 3000 × 2/3
    assert january.historical == Decimal("2500.00")
    # 1000 × Wilson(2/4) + 3000 × Wilson(2/3), low ends .150036 and .207655, high ends
    # .849964 and .938510
    assert january.low == Decimal("773.00")
    assert january.high == Decimal("3665.49")
    assert (february.weighted, february.historical) == (Decimal("300.00"), Decimal("400.00"))
    assert (february.low, february.high) == (Decimal("124.59"), Decimal("563.11"))
    assert undated.month is None and undated.weighted == Decimal("10.00")


def test_currencies_are_never_added_together():
    rates = fc.stage_rates([], FALLBACK)
    day = dt.date(2027, 3, 9)
    rows = fc.forecast(
        [fc.OpenDeal(Decimal("100"), "USD", A, Decimal("0.2"), day),
         fc.OpenDeal(Decimal("100"), "EUR", A, Decimal("0.2"), day)], rates,
    )  # fmt: skip
    assert [(r.currency, r.weighted) for r in rows] == [
        ("EUR", Decimal("20.00")), ("USD", Decimal("20.00"))
    ]  # fmt: skip


def test_a_stay_lasts_until_the_next_move():
    t0 = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    history = [(A, t0), (B, t0 + dt.timedelta(days=2)), (WON, t0 + dt.timedelta(days=7))]
    assert fc.stays(history) == [(A, dt.timedelta(days=2)), (B, dt.timedelta(days=5))]


def test_longer_than_usual_is_one_and_a_half_times_the_median_stay_from_three_stays():
    days = dt.timedelta(days=1)
    limits = fc.usual_limits({A: [2 * days, 4 * days, 10 * days], B: [days, 9 * days]})
    # median of 2, 4, 10 is 4 days: the limit is 6; B has only two stays, so no limit.
    assert limits == {A: 6 * days}
