"""Customer summaries from raw transactions."""

from __future__ import annotations

import numpy as np
import pytest

from thrive.insights.summary import (
    calibration_holdout_split,
    holdout_length,
    summarize_transactions,
)


def _days(*values: str) -> np.ndarray:
    return np.array(values, dtype="datetime64[D]")


def test_same_day_purchases_merge_and_the_first_purchase_is_not_a_repeat() -> None:
    ids = np.array(["b", "a", "a", "a", "a", "b"])
    dates = _days("2024-01-01", "2024-01-01", "2024-01-01", "2024-01-08", "2024-01-22",
                  "2024-01-15")  # fmt: skip
    amounts = np.array([5.0, 10.0, 2.0, 30.0, 50.0, 7.0])
    s = summarize_transactions(ids, dates, amounts, observation_end="2024-01-29")
    assert list(s.customer_ids) == ["a", "b"]
    np.testing.assert_array_equal(s.frequency, [2.0, 1.0])
    np.testing.assert_allclose(s.recency, [3.0, 2.0])
    np.testing.assert_allclose(s.T, [4.0, 4.0])
    np.testing.assert_allclose(s.monetary_value, [40.0, 7.0])
    np.testing.assert_array_equal(s.first_purchase, _days("2024-01-01", "2024-01-01"))


def test_customers_without_repeats_have_zero_recency_and_monetary_value() -> None:
    s = summarize_transactions([1, 1], _days("2024-03-01", "2024-03-01"), [3.0, 4.0],
                               observation_end="2024-03-15", unit_days=1.0)  # fmt: skip
    assert (s.frequency[0], s.recency[0], s.T[0], s.monetary_value[0]) == (0.0, 0.0, 14.0, 0.0)


def test_transactions_after_observation_end_are_ignored() -> None:
    s = summarize_transactions([1, 1, 2], _days("2024-01-01", "2024-02-01", "2024-02-02"),
                               [1.0, 1.0, 1.0], observation_end="2024-01-31")  # fmt: skip
    assert list(s.customer_ids) == [1]
    assert s.frequency[0] == 0


def test_holdout_counts_are_transaction_days_aligned_with_the_summary() -> None:
    ids = np.array([1, 2, 1, 1, 1, 3])
    dates = _days("2024-01-01", "2024-01-02", "2024-01-20", "2024-02-03", "2024-02-03",
                  "2024-02-05")  # fmt: skip
    s, holdout = calibration_holdout_split(ids, dates, np.ones(6), calibration_end="2024-01-31",
                                           observation_end="2024-02-29")  # fmt: skip
    assert list(s.customer_ids) == [1, 2]
    np.testing.assert_array_equal(holdout, [1.0, 0.0])
    assert holdout_length("2024-01-31", "2024-02-29", unit_days=1.0) == 29.0


def test_cdnow_calibration_summary_matches_the_papers(cdnow_calibration) -> None:  # type: ignore[no-untyped-def]
    s = cdnow_calibration.summary
    assert len(s) == 2357
    assert int((s.frequency > 0).sum()) == 946
    assert s.frequency.sum() == 2457
    assert s.frequency.mean() == pytest.approx(1.0424, abs=1e-4)
    # T runs from the first purchase (1997-01-01 .. 1997-03-31) to 1997-09-30.
    assert s.T.max() == pytest.approx(272 / 7)
    assert s.T.min() >= 183 / 7
    assert cdnow_calibration.holdout_counts.sum() == 1882
    assert holdout_length("1997-09-30", "1998-06-30") == pytest.approx(39.0)


def test_invalid_inputs_are_rejected() -> None:
    with pytest.raises(ValueError):
        summarize_transactions([1], _days("2024-01-01"), [np.nan], observation_end="2024-02-01")
    with pytest.raises(ValueError):
        summarize_transactions([1], _days("2024-01-01"), [1.0], observation_end="2024-02-01",
                               unit_days=0)  # fmt: skip
    with pytest.raises(ValueError):
        calibration_holdout_split([1], _days("2024-01-01"), [1.0], calibration_end="2024-02-01",
                                  observation_end="2024-01-01")  # fmt: skip
