"""The A/B calculator page: sample sizes for rates and means, and an ad-hoc comparison."""

from __future__ import annotations

import math

import pytest
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

from thrive.conftest import client_for

pytestmark = pytest.mark.django_db


def test_sample_sizes_on_the_page_equal_statsmodels(read_only):
    query = "rate_a=28&rate_b=35&alpha=0.05&power=0.8&delta=2&sd=10&m_alpha=0.05&m_power=0.9"
    body = client_for(read_only).get(f"/growth/ab/?{query}").content.decode()
    rates = NormalIndPower().solve_power(proportion_effectsize(0.35, 0.28), alpha=0.05, power=0.8)
    means = NormalIndPower().solve_power(0.2, alpha=0.05, power=0.9)
    assert f"<strong>{math.ceil(rates)}</strong> people in each arm" in body
    assert f"<strong>{math.ceil(means)}</strong> observations in each arm" in body


def test_bad_input_is_named_not_a_server_error(read_only):
    client = client_for(read_only)
    body = client.get("/growth/ab/?rate_a=10&rate_b=10&delta=0&sd=5").content.decode()
    assert "Choose a rate different from the current one." in body
    assert "Choose a difference other than zero." in body
    body = client.get("/growth/ab/?n_a=10&x_a=12&n_b=10&x_b=1").content.decode()
    assert "More successes than people in A." in body
    assert client.get("/growth/ab/?n_a=abc").status_code == 200
