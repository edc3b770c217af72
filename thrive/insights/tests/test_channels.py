import numpy as np
import pytest

from thrive.insights import (
    cac_by_channel,
    clv_cac_ratio,
    cohort_matrix,
    group_economics,
    payback_months,
)


def test_group_economics_lines_up_the_insights_core_per_channel():
    # Two customers from ads (spend 300 → CAC 150), one organic.
    labels = np.array(["ads", "ads", "organic"])
    clv = np.array([600.0, 300.0, 90.0])
    cac_table = cac_by_channel(
        np.array(["ads"]), np.array(["2025-01"], dtype="datetime64[M]"), np.array([300.0]),
        labels, np.array(["2025-01", "2025-01", "2025-02"], dtype="datetime64[M]"),
    )  # fmt: skip
    by = dict(zip(cac_table.channels.tolist(), cac_table.channel_cac.tolist(), strict=True))
    cost = np.array([by[x] for x in labels])
    margin = np.array([30.0, 20.0, 10.0])
    revenue = np.array([120.0, 60.0, 40.0])
    # Purchase months: ads#1 buys in Jan and Feb, ads#2 only Jan, organic Feb and Mar.
    ids = np.array([1, 1, 2, 3, 3])
    dates = np.array(["2025-01-05", "2025-02-03", "2025-01-09", "2025-02-01", "2025-03-02"],
                     dtype="datetime64[D]")  # fmt: skip
    chan = np.array(["ads", "ads", "ads", "organic", "organic"])
    cohorts = cohort_matrix(ids, dates, np.ones(5), channels=chan, as_of="2025-03-31")
    econ = group_economics(labels, clv, cost, margin, revenue, cohorts=cohorts,
                           retention_offset=1)  # fmt: skip
    assert econ.groups.tolist() == ["ads", "organic"]
    assert econ.customers.tolist() == [2, 1]
    assert econ.mean_clv.tolist() == [450.0, 90.0]
    assert econ.cac[0] == pytest.approx(150.0)
    assert econ.cac[1] == 0.0
    assert econ.clv_cac[0] == pytest.approx(clv_cac_ratio(450.0, 150.0)) == pytest.approx(3.0)
    assert np.isnan(econ.clv_cac[1])  # no spend: CLV:CAC undefined, not infinite
    assert econ.payback_months[0] == pytest.approx(payback_months(150.0, 25.0))
    assert econ.payback_months[1] == 0.0
    # One month on: of the two ads customers one came back; the organic one did.
    assert econ.retention.tolist() == [0.5, 1.0]
    assert econ.revenue.tolist() == [180.0, 40.0]


def test_retention_is_unknown_when_no_cohort_is_old_enough():
    ids, dates = np.array([1]), np.array(["2025-03-02"], dtype="datetime64[D]")
    cohorts = cohort_matrix(ids, dates, np.ones(1), channels=np.array(["ads"]))
    econ = group_economics(np.array(["ads"]), [10.0], [np.nan], [1.0], [10.0],
                           cohorts=cohorts, retention_offset=3)  # fmt: skip
    assert np.isnan(econ.retention[0]) and np.isnan(econ.cac[0]) and np.isnan(econ.clv_cac[0])


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="lengths differ"):
        group_economics(np.array(["a", "b"]), [1.0], [1.0], [1.0], [1.0])
