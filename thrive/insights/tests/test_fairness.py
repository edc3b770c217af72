"""The fairness report by group, against numbers worked out by hand."""

from __future__ import annotations

import pytest

from thrive.insights.fairness import fairness_report


def _case():
    # A: 20 people, ten at 0.4 and ten at 0.2 (mean 0.3), 6 became clients (0.3).
    # B: 25 people all at 0.2 (mean 0.2), 10 became clients (0.4).
    # C: 5 people at 0.9 — the highest mean, but too few to be the yardstick.
    # Not recorded: 3 people at 0.1, none became clients.
    groups = ["A"] * 20 + ["B"] * 25 + ["C"] * 5 + [None, "", None]
    p = [0.4] * 10 + [0.2] * 10 + [0.2] * 25 + [0.9] * 5 + [0.1] * 3
    y = [True] * 6 + [False] * 14 + [True] * 10 + [False] * 15 + [True] * 5 + [False] * 3
    return groups, p, y


def test_rates_calibration_and_the_four_fifths_ratio_by_hand():
    report = fairness_report("faith", *_case())
    by = {g.value: g for g in report.groups}
    assert [g.value for g in report.groups] == ["B", "A", "C", "Not recorded"]  # largest first
    assert report.best == "A"
    a, b, c, unknown = by["A"], by["B"], by["C"], by["Not recorded"]
    assert (a.count, a.mean_predicted, a.actual_rate) == (20, pytest.approx(0.3), 0.3)
    assert (b.count, b.mean_predicted, b.actual_rate) == (25, pytest.approx(0.2), 0.4)
    assert a.ratio_to_best == pytest.approx(1.0)
    assert b.ratio_to_best == pytest.approx(0.2 / 0.3)  # 0.667 < 0.8
    assert b.below_four_fifths and not a.below_four_fifths
    # Wilson interval of 10/25 at z = 1.96: centre 0.41332, half 0.17929.
    assert b.actual_low == pytest.approx(0.234031, abs=1e-5)
    assert b.actual_high == pytest.approx(0.592609, abs=1e-5)
    assert b.gap == pytest.approx(-0.2)
    assert b.calibration == "under"  # 0.2 lies below 0.234
    assert a.calibration == "in line"  # 0.3 is its own actual rate
    assert c.too_small and c.ratio_to_best is None and c.calibration == ""
    assert unknown.count == 3 and unknown.mean_predicted == pytest.approx(0.1)


def test_the_explanation_names_the_under_rated_group_and_the_small_ones():
    words = " ".join(fairness_report("faith", *_case()).sentences())
    assert "the model gives the highest chance to A" in words
    assert "B: the model's chance is 67% of A's, below four-fifths" in words
    assert "20.0% predicted, 40.0% actual): the model under-rates this group" in words
    assert "Too few people to judge (2 groups under 20): C, Not recorded." in words


def test_a_group_as_low_in_fact_as_predicted_is_a_real_difference_not_an_under_rating():
    groups = ["X"] * 30 + ["Y"] * 30
    p = [0.5] * 30 + [0.1] * 30
    y = [True] * 15 + [False] * 15 + [True] * 3 + [False] * 27
    report = fairness_report("channel", groups, p, y)
    y_group = next(g for g in report.groups if g.value == "Y")
    assert y_group.ratio_to_best == pytest.approx(0.2)
    assert y_group.calibration == "in line"
    words = " ".join(report.sentences())
    assert "Y: the model's chance is 20% of X's, below four-fifths; 10.0% became clients " in words
    assert "against 50.0% of X, so the model reflects a real difference" in words


def test_a_group_ranked_low_that_converted_as_well_as_the_best_is_called_out():
    # Z: predicted 0.2 against X's 0.5 (ratio 0.4), but 9 of 30 became clients (0.3)
    # against X's 10 of 30 (0.333): 0.3 ≥ 0.8 × 0.333, and 0.2 lies inside Z's Wilson
    # interval (0.167, 0.479), so only the comparison with X shows the unfairness.
    groups = ["X"] * 30 + ["Z"] * 30
    p = [0.5] * 30 + [0.2] * 30
    y = [True] * 10 + [False] * 20 + [True] * 9 + [False] * 21
    report = fairness_report("channel", groups, p, y)
    z = next(g for g in report.groups if g.value == "Z")
    assert z.calibration == "in line" and z.below_four_fifths
    words = " ".join(report.sentences())
    assert "though 30.0% became clients against 33.3% of X: the model ranks this group " in words


def test_without_outcomes_only_predicted_rates_are_compared():
    report = fairness_report("country", ["DE"] * 20 + ["FR"] * 20, [0.3] * 20 + [0.27] * 20)
    fr = next(g for g in report.groups if g.value == "FR")
    assert fr.actual_rate is None and fr.calibration == ""
    assert fr.ratio_to_best == pytest.approx(0.9) and not fr.below_four_fifths
    assert report.sentences()[-1].startswith("No group is below four-fifths")


def test_every_group_too_small_is_said_not_judged():
    report = fairness_report("country", ["DE"] * 3 + ["FR"] * 2, [0.5] * 5, [True] * 5)
    assert report.best == "" and all(g.ratio_to_best is None for g in report.groups)
    assert "too few to judge" in report.sentences()[0]


def test_bad_input_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="2 groups for 3 predictions"):
        fairness_report("x", ["a", "b"], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="between 0 and 1"):
        fairness_report("x", ["a"], [1.5])
    with pytest.raises(ValueError, match="1 outcomes for 2 predictions"):
        fairness_report("x", ["a", "b"], [0.1, 0.2], [True])
