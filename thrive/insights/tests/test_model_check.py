"""Choosing between BG/NBD and Pareto/NBD on their holdout error, by hand."""

from __future__ import annotations

import math

import pytest

from thrive.insights.model_check import choose_model, grouped_error


def test_grouped_error_weights_each_group_by_its_customers() -> None:
    # Groups of 10, 30 and 0 customers; errors 0.2, 0.1 and (empty) 5.
    # (10·0.2 + 30·0.1) / 40 = 0.125
    assert grouped_error([10, 30, 0], [1.2, 2.0, 9.0], [1.0, 2.1, 4.0]) == pytest.approx(0.125)
    assert math.isnan(grouped_error([0, 0], [1, 2], [1, 2]))
    with pytest.raises(ValueError, match="align"):
        grouped_error([1], [1, 2], [1])


def test_the_model_with_the_smaller_error_is_supported_and_near_ties_keep_the_first() -> None:
    assert choose_model({"BG/NBD": 0.30, "Pareto/NBD": 0.20}) == "Pareto/NBD"
    assert choose_model({"BG/NBD": 0.20, "Pareto/NBD": 0.30}) == "BG/NBD"
    # 0.200 against 0.209: within 5% of the larger, a tie.
    assert choose_model({"BG/NBD": 0.209, "Pareto/NBD": 0.200}) == "both"
    assert choose_model({"BG/NBD": float("nan"), "Pareto/NBD": 0.2}) == ""
