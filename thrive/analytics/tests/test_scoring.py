"""Scores computed from SQL summaries equal the insights core run on the raw orders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from thrive.analytics.models import CustomerScore
from thrive.analytics.scoring import MIN_CUSTOMERS, refresh_scores
from thrive.commerce.models import Order
from thrive.contacts.models import Person
from thrive.insights.bgnbd import fit_bgnbd
from thrive.insights.simulate import simulate_bgnbd
from thrive.insights.summary import summarize_transactions

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 1, 1)


@pytest.fixture
def shop(settings):
    """400 customers whose purchase days come from a BG/NBD process over a year."""
    settings.THRIVE_TIME_ZONE = "UTC"
    rng = np.random.default_rng(7)
    people = Person.objects.bulk_create(
        [Person(first_name=f"C{i}", email=f"c{i}@example.com",
                first_seen_at=dt.datetime(2024, 12, 1, tzinfo=dt.UTC)) for i in range(400)]
    )  # fmt: skip
    sim = simulate_bgnbd(0.5, 4.0, 0.6, 2.5, T=52.0, size=400, seed=3)
    orders = []
    for person, freq, rec in zip(people, sim[0], sim[1], strict=True):
        first = dt.datetime(2025, 1, 1, 10, tzinfo=dt.UTC)
        days = sorted({0, int(round(rec * 7))} | set(rng.integers(0, int(rec * 7) + 1, int(freq))))
        for n, day in enumerate(days):
            when = first + dt.timedelta(days=int(day))
            total = Decimal(str(round(float(rng.gamma(4, 6)), 2)))
            number = f"{person.pk}-{n}"
            orders.append(Order(person=person, number=number, ordered_at=when, total=total))
    Order.objects.bulk_create(orders)
    return people


def test_scores_match_the_insights_core_on_the_raw_orders(shop):
    scoring = refresh_scores(as_of=AS_OF)
    assert scoring.has_predictions
    rows = list(Order.objects.values_list("person_id", "ordered_at", "total"))
    ids = np.array([r[0] for r in rows])
    dates = np.array([r[1].date() for r in rows], dtype="datetime64[D]")
    amounts = np.array([float(r[2]) for r in rows])
    summary = summarize_transactions(
        ids, dates, amounts, observation_end=AS_OF - dt.timedelta(days=1)
    )
    fit = fit_bgnbd(summary.frequency, summary.recency, summary.T)
    stored = dict(CustomerScore.objects.values_list("person_id", "p_alive"))
    assert len(stored) == len(summary)
    np.testing.assert_allclose(
        [stored[int(i)] for i in summary.customer_ids],
        fit.p_alive(summary.frequency, summary.recency, summary.T),
        rtol=1e-6,
    )
    np.testing.assert_allclose(scoring.days.frequency, summary.frequency)


def test_every_score_is_finite_and_in_range(shop):
    refresh_scores(as_of=AS_OF)
    scores = CustomerScore.objects.all()
    assert scores.count() == 400
    for s in scores:
        assert 0.0 <= s.p_alive <= 1.0
        assert s.predicted_clv >= 0 and s.expected_purchases_90d >= 0
        assert s.churn_risk in {"low", "medium", "high"} and 1 <= s.rfm_r <= 5


def test_too_few_customers_gives_no_predictions_and_says_why(db):
    person = Person.objects.create(email="solo@example.com")
    Order.objects.create(person=person, number="1", total=Decimal("5.00"),
                         ordered_at=dt.datetime(2025, 5, 1, tzinfo=dt.UTC))  # fmt: skip
    scoring = refresh_scores(as_of=AS_OF)
    assert not scoring.has_predictions
    assert str(MIN_CUSTOMERS) in scoring.model["reason"]
    assert not CustomerScore.objects.exists()
