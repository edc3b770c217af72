"""The pipeline's arithmetic, free of the database so it can be checked by hand: win rates
per stage with a Wilson interval, the month-by-month forecast, and how long deals usually
stay in a stage.

Weighted forecast: for each month, the sum over open deals expected to close in it of
value × the stage's win probability (or the deal's own probability when one is set).

Historical forecast: the same sum with the business's own win rate for the deal's stage:
of the closed deals that ever reached the stage, the share that was won (k won of n).
Its interval uses the Wilson score interval of each rate at 95% (z = 1.96):
(p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n), and adds up every deal at the low ends
and at the high ends: a cautious range, as if all stages were lucky or unlucky together.
A stage with no closed deals yet has no rate of its own: its probability stands in and
its range is 0–100%.

Stuck: a deal is stuck when it has been in its stage longer than 1.5 × the median time
deals spent in that stage before moving on; a stage needs at least three finished stays
to have a usual time.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

Z95 = 1.96
STUCK_FACTOR = 1.5
MIN_STAYS = 3
CENT = Decimal("0.01")


def wilson_interval(won: int, total: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a share ``won`` / ``total`` (0–1 when total is 0)."""
    if total <= 0:
        return 0.0, 1.0
    p = won / total
    denominator = 1 + z * z / total
    centre = p + z * z / (2 * total)
    spread = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return max(0.0, (centre - spread) / denominator), min(1.0, (centre + spread) / denominator)


@dataclass(frozen=True)
class DealPath:
    """The stages one deal ever entered, and how it ended (None while open)."""

    reached: frozenset[int]
    won: bool | None


@dataclass(frozen=True)
class StageRate:
    stage_id: int
    won: int
    closed: int
    fallback: Decimal

    @property
    def rate(self) -> Decimal:
        if self.closed == 0:
            return self.fallback
        return Decimal(self.won) / Decimal(self.closed)

    @property
    def interval(self) -> tuple[Decimal, Decimal]:
        low, high = wilson_interval(self.won, self.closed)
        return Decimal(str(round(low, 6))), Decimal(str(round(high, 6)))


def stage_rates(paths: Iterable[DealPath], fallbacks: dict[int, Decimal]) -> dict[int, StageRate]:
    """For each stage: of the closed deals that ever reached it, how many were won."""
    won: dict[int, int] = defaultdict(int)
    closed: dict[int, int] = defaultdict(int)
    for path in paths:
        if path.won is None:
            continue
        for stage_id in path.reached:
            closed[stage_id] += 1
            won[stage_id] += int(path.won)
    return {pk: StageRate(pk, won[pk], closed[pk], fallback) for pk, fallback in fallbacks.items()}


@dataclass(frozen=True)
class OpenDeal:
    value: Decimal
    currency: str
    stage_id: int
    probability: Decimal
    expected_close: dt.date | None


@dataclass
class ForecastRow:
    month: dt.date | None  # the first of the month; None for deals without a close date
    currency: str
    deals: int = 0
    pipeline: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)
    historical: Decimal = Decimal(0)
    low: Decimal = Decimal(0)
    high: Decimal = Decimal(0)
    stages: set[int] = field(default_factory=set)

    def rounded(self) -> ForecastRow:
        for name in ("pipeline", "weighted", "historical", "low", "high"):
            setattr(self, name, getattr(self, name).quantize(CENT))
        return self


def forecast(deals: Iterable[OpenDeal], rates: dict[int, StageRate]) -> list[ForecastRow]:
    """Rows by expected-close month and currency, soonest first (no date last)."""
    rows: dict[tuple[dt.date | None, str], ForecastRow] = {}
    for deal in deals:
        month = deal.expected_close.replace(day=1) if deal.expected_close else None
        row = rows.setdefault((month, deal.currency), ForecastRow(month, deal.currency))
        rate = rates[deal.stage_id]
        low, high = rate.interval
        row.deals += 1
        row.pipeline += deal.value
        row.weighted += deal.value * deal.probability
        row.historical += deal.value * rate.rate
        row.low += deal.value * low
        row.high += deal.value * high
        row.stages.add(deal.stage_id)
    return [
        rows[key].rounded()
        for key in sorted(rows, key=lambda k: (k[0] is None, k[0] or dt.date.min, k[1]))
    ]


def stays(history: Sequence[tuple[int, dt.datetime]]) -> list[tuple[int, dt.timedelta]]:
    """The finished stays of one deal: (stage, time spent) from its ordered moves."""
    return [(stage_id, history[i + 1][1] - at) for i, (stage_id, at) in enumerate(history[:-1])]


def usual_limits(
    durations: dict[int, list[dt.timedelta]],
) -> dict[int, dt.timedelta]:
    """Per stage, 1.5 × the median stay, for stages with at least three finished stays."""
    limits = {}
    for stage_id, values in durations.items():
        if len(values) >= MIN_STAYS:
            median = statistics.median(v.total_seconds() for v in values)
            limits[stage_id] = dt.timedelta(seconds=median * STUCK_FACTOR)
    return limits
