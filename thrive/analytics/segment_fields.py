"""Segment rules about customer scores: RFM, P(alive), predicted value, churn risk.

Registered with the segment registry at start-up (``AnalyticsConfig.ready``). Score rules
only ever select scored people, including the negative ones ("churn risk is none of
high" means scored customers whose risk is not high), see :mod:`thrive.segments.rules`.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from django.db.models import F, Q

from thrive.contacts.queries import person_in
from thrive.insights.rfm import RFM_SEGMENTS, rfm_segment_name
from thrive.segments.registry import (
    Field,
    ValueKind,
    choice_ops,
    compare_ops,
    register_field,
)
from thrive.segments.sql import compare

from .models import ChurnRisk, CustomerScore


def _score_compiler(column: str, op: str, value: Any, clock: Any) -> Q:
    return _score_q(column, op, value)


def _score_q(column: str, op: str, value: Any) -> Q:
    """Score rules only ever select scored people (see the module docstring)."""
    if op in ("in", "not_in"):
        condition = Q(**{f"{column}__in": value})
        condition = condition if op == "in" else ~condition
    else:
        condition = compare(F(column), op, value)
    return person_in(CustomerScore.objects.filter(condition))


def register() -> None:
    group = "Scores"
    options = {
        "rfm_segment": [(s, rfm_segment_name(s)) for s in RFM_SEGMENTS],
        "churn_risk": list(ChurnRisk.choices),
    }
    register_field(
        Field("rfm_segment", "RFM segment", group, choice_ops(), options="rfm_segment"),
        lambda op, value, clock: _score_q("rfm_segment", op, value),
        options=options,
    )
    for name, label in (
        ("rfm_r", "RFM recency score (1–5)"),
        ("rfm_f", "RFM frequency score (1–5)"),
        ("rfm_m", "RFM monetary score (1–5)"),
    ):
        register_field(
            Field(name, label, group, compare_ops(ValueKind.SCORE)),
            partial(_score_compiler, name),
        )
    register_field(
        Field(
            "p_alive",
            "Chance still a customer (P(alive))",
            group,
            compare_ops(ValueKind.PROBABILITY, equality=False),
        ),
        lambda op, value, clock: _score_q("p_alive", op, float(value)),
    )
    register_field(
        Field(
            "predicted_clv",
            "Predicted value (CLV)",
            group,
            compare_ops(ValueKind.NUMBER),
            money=True,
        ),
        lambda op, value, clock: _score_q("predicted_clv", op, Decimal(str(value))),
    )
    register_field(
        Field("churn_risk", "Churn risk", group, choice_ops(), options="churn_risk"),
        lambda op, value, clock: _score_q("churn_risk", op, value),
    )
