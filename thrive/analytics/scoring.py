"""Per-customer predictions (BG/NBD + Gamma-Gamma) and RFM, stored as CustomerScore rows.

The database summarises orders into one row per customer; the insights core fits the
models on those arrays; the results go back in bulk. Nothing iterates over orders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from thrive.contacts import profiling
from thrive.contacts.models import ChurnRisk, Person, Stage
from thrive.insights.bgnbd import fit_bgnbd
from thrive.insights.clv import churn_risk_band, customer_lifetime_value
from thrive.insights.gammagamma import fit_gamma_gamma
from thrive.insights.rfm import rfm_scores, rfm_segments

from .aggregates import CustomerPurchaseDays, customer_purchase_days
from .models import CustomerScore

UNIT_DAYS = 7.0
# Below this many customers (or repeat customers) the models have too little to learn
# from; the dashboard says so instead of showing noise.
MIN_CUSTOMERS = 30
MIN_REPEATERS = 10


@dataclass(frozen=True)
class Scoring:
    """What one scoring run produced, for the dashboard and the tests."""

    as_of: dt.date
    days: CustomerPurchaseDays
    p_alive: np.ndarray | None
    expected_90d: np.ndarray | None
    clv: np.ndarray | None
    rfm_segment: np.ndarray
    model: dict[str, Any]  # parameters, log-likelihood, or why there is no model

    @property
    def has_predictions(self) -> bool:
        return self.clv is not None


def score_customers(days: CustomerPurchaseDays, *, as_of: dt.date) -> Scoring:
    """Fit the models on ``days`` and score every customer in it (no database access)."""
    n = days.person_ids.size
    as_of64 = np.datetime64(as_of, "D")
    recency_days = (as_of64 - days.last_day).astype(np.int64)
    if n:
        rfm = rfm_scores(recency_days.astype(float), days.purchase_days.astype(float), days.revenue)
        segments = rfm_segments(rfm)
    else:
        rfm, segments = None, np.array([], dtype=str)
    frequency = days.frequency.astype(np.float64)
    span_days = (days.last_day - days.first_day).astype(np.int64)
    recency = span_days.astype(np.float64) / UNIT_DAYS
    # T runs to the last observed day, as in the insights core's summaries (the CDNOW
    # convention: first seen 1 Jan, observed to 30 Sep, T = 272 days).
    observation_end = as_of64 - np.timedelta64(1, "D")
    age_days = (observation_end - days.first_day).astype(np.int64)
    age = age_days.astype(np.float64) / UNIT_DAYS
    repeaters = frequency > 0
    if n < MIN_CUSTOMERS or int(repeaters.sum()) < MIN_REPEATERS:
        reason = (
            f"Predictions need at least {MIN_CUSTOMERS} customers and {MIN_REPEATERS} repeat "
            f"customers; there are {n} and {int(repeaters.sum())}."
        )
        return Scoring(as_of, days, None, None, None, segments, {"reason": reason, "rfm": rfm})
    fit = fit_bgnbd(frequency, recency, age)
    monetary = days.repeat_average()
    spend = fit_gamma_gamma(frequency[repeaters], monetary[repeaters])
    # One call: the inputs are checked and P(alive) computed once for both; whole day
    # counts spare it finding out that the ages are whole days (same values).
    p_alive, expected = fit.p_alive_and_expected_purchases_days(
        90.0 / UNIT_DAYS, days.frequency, span_days, age_days, days_per_unit=UNIT_DAYS
    )
    p_alive = np.clip(p_alive, 0.0, 1.0)
    clv = customer_lifetime_value(
        fit, spend, frequency, recency, age, monetary,
        horizon_months=12, monthly_discount_rate=0.01,
        margin=float(getattr(settings, "THRIVE_GROSS_MARGIN", 1.0)), unit_days=UNIT_DAYS,
    )  # fmt: skip
    model = {
        "transactions": {"name": "BG/NBD", **{k: float(v) for k, v in fit.params.items()},
                         "log_likelihood": float(fit.log_likelihood)},
        "spend": {"name": "Gamma-Gamma", **{k: float(v) for k, v in spend.params.items()},
                  "log_likelihood": float(spend.log_likelihood)},
        "margin": float(getattr(settings, "THRIVE_GROSS_MARGIN", 1.0)),
        "rfm": rfm,
    }  # fmt: skip
    return Scoring(as_of, days, p_alive, expected, clv, segments, model)


def refresh_scores(
    *, as_of: dt.date, progress: Callable[[int], None] | None = None, chunk: int = 5000
) -> Scoring:
    """Recompute every CustomerScore from the orders before ``as_of`` and store them.
    People who declined profiling are left out: nothing is fitted on or predicted about
    them (``thrive.contacts.profiling``)."""
    days = customer_purchase_days(as_of=as_of).without(profiling.declined_ids())
    scoring = score_customers(days, as_of=as_of)
    if progress:
        progress(40)
    now = timezone.now()
    rfm = scoring.model.get("rfm")
    risk = (
        churn_risk_band(scoring.p_alive)
        if scoring.p_alive is not None
        else np.full(days.person_ids.size, "", dtype=object)
    )
    as_of64 = np.datetime64(as_of, "D")
    recency_days = (as_of64 - days.last_day).astype(np.int64)
    tenure_days = (as_of64 - days.first_day).astype(np.int64)
    # People in the Lost stage have gone already: their risk is "lost", not a band, so
    # no at-risk list offers them (the person page and the list filter say the same).
    lost = set(Person.objects.filter(stage=Stage.LOST).values_list("pk", flat=True))
    if lost:
        risk = np.array(
            [ChurnRisk.LOST.value if int(p) in lost else str(r) for p, r in
             zip(days.person_ids, risk, strict=True)], dtype=object,
        )  # fmt: skip
    with transaction.atomic():
        CustomerScore.objects.all().delete()
        p_alive, expected, clv = scoring.p_alive, scoring.expected_90d, scoring.clv
        if p_alive is not None and expected is not None and clv is not None and rfm is not None:
            total = days.person_ids.size
            for start in range(0, total, chunk):
                stop = min(start + chunk, total)
                CustomerScore.objects.bulk_create(
                    [
                        CustomerScore(
                            person_id=int(days.person_ids[i]),
                            computed_at=now,
                            frequency=int(days.frequency[i]),
                            recency_days=max(int(recency_days[i]), 0),
                            tenure_days=max(int(tenure_days[i]), 0),
                            revenue=Decimal(str(round(float(days.revenue[i]), 2))),
                            p_alive=float(p_alive[i]),
                            expected_purchases_90d=float(expected[i]),
                            predicted_clv=Decimal(str(round(float(clv[i]), 2))),
                            churn_risk=str(risk[i]),
                            rfm_r=int(rfm.recency[i]),
                            rfm_f=int(rfm.frequency[i]),
                            rfm_m=int(rfm.monetary[i]),
                            rfm_segment=str(scoring.rfm_segment[i]),
                        )
                        for i in range(start, stop)
                    ],
                    batch_size=1000,
                )
                if progress:
                    progress(40 + 60 * stop // max(total, 1))
    return scoring
