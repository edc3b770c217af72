"""Reads of the assessment: the SWOT by quadrant, the strategy canvas, cash and runway."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from thrive.analytics.aggregates import monthly_revenue

from .models import (
    BusinessStrategy,
    CanvasAction,
    CanvasFactor,
    CashMonth,
    Competitor,
    Quadrant,
    Resource,
    SwotItem,
)

RUNWAY_MONTHS = 3
PLURALS = {"strength": "Strengths", "weakness": "Weaknesses", "opportunity": "Opportunities",
           "threat": "Threats"}  # fmt: skip


def swot() -> list[tuple[str, str, list[SwotItem]]]:
    items = list(SwotItem.objects.select_related("goal", "experiment"))
    return [(q.value, str(q.label), [i for i in items if i.quadrant == q.value]) for q in Quadrant]


@dataclass(frozen=True)
class Canvas:
    factors: list[CanvasFactor]
    competitors: list[Competitor]
    # factor pk → competitor pk → score
    scores: dict[int, dict[int, int]]
    # (action label, factors) for eliminate, reduce, raise, create
    grid: list[tuple[str, list[CanvasFactor]]]

    def rows(self) -> list[tuple[CanvasFactor, list[tuple[Competitor, int | None]]]]:
        return [
            (f, [(c, self.scores.get(f.pk, {}).get(c.pk)) for c in self.competitors])
            for f in self.factors
        ]


def canvas() -> Canvas:
    factors = list(CanvasFactor.objects.prefetch_related("scores"))
    competitors = list(Competitor.objects.all())
    scores = {f.pk: {s.competitor_id: s.score for s in f.scores.all()} for f in factors}
    grid = [
        (str(a.label), [f for f in factors if f.action == a.value])
        for a in CanvasAction
        if a != CanvasAction.KEEP
    ]
    return Canvas(factors, competitors, scores, grid)


@dataclass(frozen=True)
class CashRow:
    month: dt.date
    cash_in: float
    cash_out: float
    net_burn: float  # cash out − cash in; negative means cash grew
    cash_on_hand: float


@dataclass(frozen=True)
class Runway:
    rows: list[CashRow]  # every entered month, oldest first
    used: list[CashRow]  # the months the average is taken over
    cash: float | None
    average_burn: float | None
    months: float | None  # None when not burning or unknown

    @property
    def burning(self) -> bool:
        return self.average_burn is not None and self.average_burn > 0

    def words(self, currency: str) -> str:
        if not self.used or self.cash is None or self.average_burn is None:
            return "Enter cash out and cash on hand for at least one month to see the runway."
        last = self.used[-1].month.strftime("%B %Y")
        n = len(self.used)
        span = "the last month" if n == 1 else f"the last {n} months"
        if not self.burning:
            return (
                f"Not burning: over {span} more cash came in from orders than went out "
                f"(on average {-self.average_burn:,.0f} {currency} a month), so the "
                f"{self.cash:,.0f} {currency} on hand at the end of {last} is not running down."
            )
        return (
            f"{self.cash:,.0f} {currency} on hand at the end of {last}, burning on average "
            f"{self.average_burn:,.0f} {currency} a month over {span} (cash out minus cash in "
            f"from orders): about {self.months:.1f} months of runway at that pace."
        )


def cash_in_by_month(until: dt.date) -> dict[dt.date, float]:
    """Net order revenue per month up to (and including) the month of ``until``."""
    end = (until.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    months, amounts = monthly_revenue(as_of=end)
    return {
        dt.date.fromisoformat(str(m) + "-01"): float(a)
        for m, a in zip(months, amounts, strict=True)
    }


def runway() -> Runway:
    """Runway = cash on hand at the end of the latest entered month ÷ the average net burn
    (cash out − cash in from orders) of the latest three entered months."""
    entered = list(CashMonth.objects.order_by("month"))
    if not entered:
        return Runway([], [], None, None, None)
    cash_in = cash_in_by_month(entered[-1].month)
    rows = [
        CashRow(
            month=c.month,
            cash_in=cash_in.get(c.month, 0.0),
            cash_out=float(c.cash_out),
            net_burn=float(c.cash_out) - cash_in.get(c.month, 0.0),
            cash_on_hand=float(c.cash_on_hand),
        )
        for c in entered
    ]
    used = rows[-RUNWAY_MONTHS:]
    average = sum(r.net_burn for r in used) / len(used)
    cash = used[-1].cash_on_hand
    months = cash / average if average > 0 else None
    return Runway(rows, used, cash, average, months)


def resources() -> list[Resource]:
    return list(Resource.objects.select_related("owner"))


def strategy() -> BusinessStrategy | None:
    return BusinessStrategy.objects.select_related("updated_by").first()


def assessment() -> dict[str, Any]:
    """Everything the assessment page and the printed report show."""
    return {
        "swot": swot(),
        "canvas": canvas(),
        "runway": runway(),
        "resources": resources(),
        "strategy": strategy(),
    }
