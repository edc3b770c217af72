"""Tests for thrive.insights.subscriptions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thrive.insights.subscriptions import cohort_retention, subscription_metrics

D = "datetime64[D]"
MONTHS = np.arange("2024-01", "2024-05", dtype="datetime64[M]")


def test_hand_computed_bridge() -> None:
    # Customer A: sub 10/month from Jan 10 (open) + add-on 5/month from Feb 15 (open).
    # Customer B: 20/month from Jan 1, ends Mar 1 (exclusive: last paid day Feb 29).
    # Customer C: 8/month from Mar 5 to Apr 10.
    m = subscription_metrics(
        np.array(["2024-01-10", "2024-01-01", "2024-02-15", "2024-03-05"], dtype=D),
        np.array(["NaT", "2024-03-01", "NaT", "2024-04-10"], dtype=D),
        np.array([10.0, 20.0, 5.0, 8.0]),
        months=MONTHS,
        customer_ids=np.array(["A", "B", "A", "C"]),
    )
    # Snapshots (last day): Dec 0 | Jan A10 B20 | Feb A15 B20 | Mar A15 C8 | Apr A15
    assert m.mrr.tolist() == [30, 35, 23, 15]
    assert m.opening_mrr.tolist() == [0, 30, 35, 23]
    assert m.new_mrr.tolist() == [30, 0, 8, 0]
    assert m.expansion_mrr.tolist() == [0, 5, 0, 0]
    assert m.contraction_mrr.tolist() == [0, 0, 0, 0]
    assert m.churned_mrr.tolist() == [0, 0, 20, 8]
    assert m.customers.tolist() == [2, 2, 2, 1]
    assert m.opening_customers.tolist() == [0, 2, 2, 2]
    assert m.churned_customers.tolist() == [0, 0, 1, 1]
    np.testing.assert_allclose(m.customer_churn_rate, [np.nan, 0, 0.5, 0.5])
    # NRR Feb = (30 + 5)/30; Mar = (35 - 20)/35; Apr = (23 - 8)/23
    np.testing.assert_allclose(m.net_revenue_retention, [np.nan, 35 / 30, 15 / 35, 15 / 23])
    np.testing.assert_allclose(m.gross_revenue_retention, [np.nan, 1, 15 / 35, 15 / 23])


def test_contraction_and_per_subscription_default() -> None:
    # One customer downgrades: 50 until Feb 1, then 30 from Feb 1.
    starts = np.array(["2024-01-01", "2024-02-01"], dtype=D)
    ends = np.array(["2024-02-01", "NaT"], dtype=D)
    per_customer = subscription_metrics(
        starts, ends, [50.0, 30.0], months=MONTHS[:2], customer_ids=[1, 1]
    )
    assert per_customer.contraction_mrr.tolist() == [0, 20]
    assert per_customer.churned_mrr.tolist() == [0, 0]
    assert per_customer.gross_revenue_retention[1] == pytest.approx(30 / 50)
    assert per_customer.net_revenue_retention[1] == pytest.approx(30 / 50)
    # without customer ids each subscription is its own customer: churn 50, new 30
    per_sub = subscription_metrics(starts, ends, [50.0, 30.0], months=MONTHS[:2])
    assert per_sub.churned_mrr.tolist() == [0, 50]
    assert per_sub.new_mrr.tolist() == [50, 30]
    assert per_sub.customer_churn_rate[1] == 1.0


def test_end_is_exclusive_and_short_subscriptions_are_invisible() -> None:
    m = subscription_metrics(
        np.array(["2024-01-01", "2024-02-03"], dtype=D),
        np.array(["2024-01-31", "2024-02-20"], dtype=D),  # ends before the Jan 31 snapshot
        [10.0, 99.0],
        months=MONTHS[:2],
    )
    assert m.mrr.tolist() == [0, 0]
    inclusive = subscription_metrics(
        np.array(["2024-01-01"], dtype=D),
        np.array(["2024-02-01"], dtype=D),
        [10.0],
        months=MONTHS[:2],
    )
    assert inclusive.mrr.tolist() == [10, 0]


def test_empty_and_invalid() -> None:
    empty = subscription_metrics(
        np.array([], dtype=D), np.array([], dtype=D), np.array([]), months=MONTHS
    )
    assert empty.mrr.tolist() == [0, 0, 0, 0]
    assert np.isnan(empty.net_revenue_retention).all()
    assert np.isnan(empty.customer_churn_rate).all()
    one = np.array(["2024-01-01"], dtype=D)
    with pytest.raises(ValueError, match="months"):
        subscription_metrics(one, one, [1.0], months=np.array([], dtype="datetime64[M]"))
    with pytest.raises(ValueError, match="precedes"):
        subscription_metrics(one, one - np.timedelta64(1, "D"), [1.0], months=MONTHS)
    with pytest.raises(ValueError, match="non-negative"):
        subscription_metrics(one, one + np.timedelta64(5, "D"), [-1.0], months=MONTHS)
    with pytest.raises(ValueError, match="NaT"):
        subscription_metrics(np.array(["NaT"], dtype=D), one, [1.0], months=MONTHS)


@settings(max_examples=60, deadline=None)
@given(
    subs=st.lists(
        st.tuples(
            st.integers(0, 400),
            st.one_of(st.none(), st.integers(0, 400)),
            st.floats(0, 500),
            st.integers(0, 5),
        ),
        max_size=40,
    )
)
def test_bridge_identity_and_ranges(subs: list) -> None:
    base = np.datetime64("2023-06-01")
    start = base + np.array([s[0] for s in subs], dtype="timedelta64[D]")
    end = np.array(
        [
            np.datetime64("NaT", "D") if s[1] is None else start[i] + np.timedelta64(s[1], "D")
            for i, s in enumerate(subs)
        ],
        dtype=D,
    )
    months = np.arange("2023-06", "2024-09", dtype="datetime64[M]")
    m = subscription_metrics(
        start, end, [s[2] for s in subs], months=months, customer_ids=[s[3] for s in subs]
    )
    bridge = m.opening_mrr + m.new_mrr + m.expansion_mrr - m.contraction_mrr - m.churned_mrr
    np.testing.assert_allclose(bridge, m.mrr, atol=1e-6)
    np.testing.assert_allclose(m.opening_mrr[1:], m.mrr[:-1])
    for arr in (m.new_mrr, m.expansion_mrr, m.contraction_mrr, m.churned_mrr, m.mrr):
        assert np.all(arr >= 0)
    ok = ~np.isnan(m.gross_revenue_retention)
    assert np.all((m.gross_revenue_retention[ok] >= 0) & (m.gross_revenue_retention[ok] <= 1))
    # NRR can be NaN where GRR is not only when the ratio overflows (absurdly tiny bases)
    both = ok & ~np.isnan(m.net_revenue_retention)
    assert np.all(m.net_revenue_retention[both] >= m.gross_revenue_retention[both] - 1e-12)
    assert not np.isinf(m.net_revenue_retention).any()
    rate = m.customer_churn_rate[~np.isnan(m.customer_churn_rate)]
    assert np.all((rate >= 0) & (rate <= 1))


def test_mrr_bridge_on_a_small_ledger_separates_reactivation_from_first_time_new() -> None:
    # c1: 10 from 15 Jan, +5 add-on from 10 Mar (expansion in March).
    # c2: 20 from 5 Jan to 20 Feb (churn in February), back with 20 from 2 Apr (reactivation).
    # c3: 30 from 1 Dec, and a 10 add-on from 1 Dec to 15 Mar (contraction in March).
    # c4: 8 from 10 Apr (first-time new in April).
    d = np.datetime64
    nat = np.datetime64("NaT", "D")
    m = subscription_metrics(
        np.array([d("2024-01-15"), d("2024-03-10"), d("2024-01-05"), d("2024-04-02"),
                  d("2023-12-01"), d("2023-12-01"), d("2024-04-10")]),
        np.array([nat, nat, d("2024-02-20"), nat, nat, d("2024-03-15"), nat]),
        np.array([10.0, 5.0, 20.0, 20.0, 30.0, 10.0, 8.0]),
        months=np.arange(d("2024-01", "M"), d("2024-05", "M")),
        customer_ids=np.array(["c1", "c1", "c2", "c2", "c3", "c3", "c4"]),
    )  # fmt: skip
    assert m.opening_mrr.tolist() == [40, 70, 50, 45]
    assert m.mrr.tolist() == [70, 50, 45, 73]
    assert m.new_mrr.tolist() == [30, 0, 0, 28]
    assert m.reactivation_mrr.tolist() == [0, 0, 0, 20]
    assert m.first_time_mrr.tolist() == [30, 0, 0, 8]
    assert m.expansion_mrr.tolist() == [0, 0, 5, 0]
    assert m.contraction_mrr.tolist() == [0, 0, 10, 0]
    assert m.churned_mrr.tolist() == [0, 20, 0, 0]
    assert m.customer_churn_rate[1] == pytest.approx(1 / 3)
    # March: NRR = (50 − 10 + 5) ÷ 50, GRR = (50 − 10) ÷ 50; February: (70 − 20) ÷ 70.
    assert m.net_revenue_retention[2] == pytest.approx(0.9)
    assert m.gross_revenue_retention[2] == pytest.approx(0.8)
    assert m.net_revenue_retention[1] == pytest.approx(50 / 70)
    bridge = (
        m.opening_mrr + m.first_time_mrr + m.reactivation_mrr + m.expansion_mrr
        - m.contraction_mrr - m.churned_mrr
    )  # fmt: skip
    assert bridge.tolist() == m.mrr.tolist()


def test_cohort_retention_over_months_on_the_small_ledger() -> None:
    d = np.datetime64
    nat = np.datetime64("NaT", "D")
    ledger = dict(
        start_dates=np.array([d("2024-01-15"), d("2024-03-10"), d("2024-01-05"),
                              d("2024-04-02"), d("2023-12-01"), d("2023-12-01"),
                              d("2024-04-10")]),
        end_dates=np.array([nat, nat, d("2024-02-20"), nat, nat, d("2024-03-15"), nat]),
        monthly_amounts=np.array([10.0, 5.0, 20.0, 20.0, 30.0, 10.0, 8.0]),
        customer_ids=np.array(["c1", "c1", "c2", "c2", "c3", "c3", "c4"]),
    )  # fmt: skip
    # Paying on 31 Jan: c1 10, c2 20, c3 40 (70). On 30 Apr: c1 15, c2 20 (back), c3 30;
    # c4 joined later and is not in the cohort. NRR 65/70; GRR (10 + 20 + 30)/70.
    nrr, grr = cohort_retention(**ledger, from_day=d("2024-01-31"), to_day=d("2024-04-30"))
    assert nrr == pytest.approx(65 / 70)
    assert grr == pytest.approx(60 / 70)
    # Paying on 31 Dec: only c3 (40), who pays 30 on 30 Apr.
    assert cohort_retention(
        **ledger, from_day=d("2023-12-31"), to_day=d("2024-04-30")
    ) == pytest.approx((0.75, 0.75))
    nobody = cohort_retention(**ledger, from_day=d("2023-01-31"), to_day=d("2024-04-30"))
    assert all(np.isnan(nobody))
