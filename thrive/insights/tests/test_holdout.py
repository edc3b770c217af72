"""Holdout validation helpers on CDNOW (Fader, Hardie & Lee 2005, Figures 3 and 4)."""

from __future__ import annotations

import numpy as np
import pytest

from thrive.insights.bgnbd import fit_bgnbd
from thrive.insights.holdout import cumulative_tracking, repeat_purchases_by_frequency
from thrive.insights.summary import holdout_length


def test_conditional_expectations_track_holdout_purchases_by_frequency(cdnow_calibration) -> None:  # type: ignore[no-untyped-def]
    s, holdout = cdnow_calibration.summary, cdnow_calibration.holdout_counts
    fit = fit_bgnbd(s.frequency, s.recency, s.T)
    length = holdout_length("1997-09-30", "1998-06-30")
    table = repeat_purchases_by_frequency(fit, s, holdout, length)
    np.testing.assert_array_equal(table.bins, np.arange(8))
    assert table.n.sum() == 2357
    assert table.n[0] == 1411
    np.testing.assert_allclose(table.actual_mean @ table.n, 1882)
    # FHL 2005, Figure 4: predictions increase with frequency and stay close to actuals.
    assert np.all(np.diff(table.predicted_mean) > 0)
    assert np.all(np.abs(table.predicted_mean - table.actual_mean) < 0.4)
    # BG/NBD under-predicts the CDNOW holdout total by about a tenth.
    assert table.predicted_mean @ table.n == pytest.approx(1882, rel=0.15)


def test_cumulative_tracking_reproduces_the_weekly_repeat_transaction_curve(
    cdnow_calibration,
) -> None:  # type: ignore[no-untyped-def]
    tx = cdnow_calibration.transactions
    s = cdnow_calibration.summary
    fit = fit_bgnbd(s.frequency, s.recency, s.T)
    weeks, actual, expected = cumulative_tracking(
        fit, tx.customer_ids, tx.dates, start="1997-01-01", end="1998-06-30"
    )
    np.testing.assert_array_equal(weeks, np.arange(1, 79))
    assert actual[38] == 2457  # end of the calibration period (1997-09-30)
    assert actual[-1] == 2457 + 1882
    assert np.all(np.diff(actual) >= 0) and np.all(np.diff(expected) > 0)
    # The model fitted to weeks 1-39 tracks the calibration period closely and
    # extrapolates the holdout within a few percent (FHL 2005, Figure 3).
    assert expected[38] == pytest.approx(actual[38], rel=0.03)
    assert expected[-1] == pytest.approx(actual[-1], rel=0.06)


def test_cumulative_tracking_expectation_sums_the_cohort_curves() -> None:
    from thrive.insights.bgnbd import BGNBDFit

    fit = BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=0, aic=0, bic=0,
                   n_customers=1)  # fmt: skip
    ids = np.array([1, 2, 2, 3])
    dates = np.array(["2024-01-01", "2024-01-03", "2024-01-10", "2024-01-03"], "datetime64[D]")
    result = cumulative_tracking(fit, ids, dates, start="2024-01-01", end="2024-01-14")
    np.testing.assert_array_equal(result.actual, [0.0, 1.0])
    expected_week_2 = fit.expected_purchases_new(13 / 7) + 2 * fit.expected_purchases_new(11 / 7)
    assert result.expected[1] == pytest.approx(float(expected_week_2), rel=1e-12)
