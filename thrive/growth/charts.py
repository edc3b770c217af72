"""Server-drawn SVG charts of growth planning (the insights report's chart kit)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from thrive.insights.report import charts

from .queries import GoalStanding


def fmt(value: float | None, unit: str, currency: str = "") -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if unit == "%":
        return f"{value:.1%}"
    if unit == "money":
        return f"{value:,.0f} {currency}".strip()
    if unit == "points":
        return f"{value:,.0f}"
    if unit in {"days", "hours"}:
        return f"{value:,.1f} {unit}"
    return f"{value:,.1f}" if abs(value) < 100 and value != int(value) else f"{value:,.0f}"


def goal_chart(s: GoalStanding, currency: str = "") -> SafeString:
    """Check-ins, the trend line to the deadline with its 80% band, and the target."""
    goal, p = s.goal, s.projection
    end = (goal.deadline - goal.start).days
    xs = [0.0] + [float((c.on - goal.start).days) for c in s.check_ins]
    ys = [goal.baseline] + [c.value for c in s.check_ins]
    grid = [end * i / 20 for i in range(21)]
    band_x, low, high = [], [], []
    for x in grid:
        fit, lo, hi = p.interval_at(x)
        band_x.append(x)
        low.append(lo)
        high.append(hi)
    series = [
        charts.Series("Check-ins", xs, ys, color=charts.PALETTE[0]),
        charts.Series(
            "Trend to the deadline",
            grid,
            [p.intercept + p.slope * x for x in grid],
            dashed=True,
            color=charts.PALETTE[2],
        ),
        charts.Series(
            "Target", [0.0, float(end)], [goal.target, goal.target], color=charts.PALETTE[1]
        ),
    ]
    bands = (
        [charts.Band("80% prediction range", band_x, low, high, charts.PALETTE[2])]
        if (any(math.isfinite(v) for v in low))
        else []
    )
    ticks = []
    month = goal.start.replace(day=1)
    while month <= goal.deadline:
        if month >= goal.start:
            ticks.append((float((month - goal.start).days), month.strftime("%b %Y")))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return mark_safe(  # noqa: S308 - the chart kit escapes every label
        charts.line_chart(
            f"goal-{goal.pk}",
            goal.name,
            f"{goal.metric_label} from {fmt(goal.baseline, goal.unit, currency)} to "
            f"{fmt(goal.target, goal.unit, currency)}: check-ins, trend and target.",
            series,
            x_ticks=ticks,
            bands=bands,
            y_format=lambda v: fmt(v, goal.unit, currency),
            marker=(float((min(timezone.localdate(), goal.deadline) - goal.start).days), "today"),
        )
    )


def arms_chart(
    result: Any,
    bayes: Any,
    unit: str = "%",
    *,
    arms: tuple[str, str] = ("A (control)", "B (variant)"),
) -> SafeString:
    """Each arm's observed rate (or mean) as a bar; the intervals are in the tables."""
    if result is None:
        return mark_safe("")  # noqa: S308 - constant
    rates = hasattr(result, "rate_a")
    values = [result.rate_a, result.rate_b] if rates else [result.mean_a, result.mean_b]
    return mark_safe(  # noqa: S308
        charts.bar_chart(
            "arms",
            "The two arms",
            "Each arm's observed rate or mean.",
            list(arms),
            values,
            value_format=(lambda v: f"{v:.1%}") if rates else (lambda v: f"{v:,.2f}"),
            colors=[charts.PALETTE[6], charts.PALETTE[0]],
        )
    )


def revenue_margin_chart(series: list[dict[str, Any]], currency: str) -> str:
    """Monthly revenue bars and the gross margin as text, for the health report."""
    months = [r["month"] for r in series][-12:]
    revenue = [float(r["revenue"]) for r in series][-12:]
    return charts.grouped_bar_chart(
        "health-revenue",
        "Revenue by month",
        f"Monthly revenue in {currency} from the owner's figures (or orders).",
        [_month(m) for m in months],
        [("Revenue", revenue)],
        y_label=currency,
        height=230,
    )


def _month(iso: str) -> str:
    return dt.date.fromisoformat(iso + "-01").strftime("%b %y")


def margin_chart(series: list[dict[str, Any]]) -> str:
    rows = [r for r in series if r.get("margin") is not None][-12:]
    if not rows:
        return ""
    xs = list(range(len(rows)))
    return charts.line_chart(
        "health-margin",
        "Gross margin by month",
        "Gross margin from the owner's figures.",
        [charts.Series("Gross margin", xs, [r["margin"] for r in rows])],
        x_ticks=[(float(i), _month(r["month"])) for i, r in enumerate(rows)],
        y_format=lambda v: f"{v:.0%}",
        height=190,
    )


def strategy_canvas_chart(canvas: Any, business: str) -> SafeString:
    """The Blue Ocean value curves: the business and each competitor, 0–10 per factor."""
    if not canvas.factors:
        return mark_safe("")  # noqa: S308 - constant
    xs = [float(i) for i in range(len(canvas.factors))]
    series = [
        charts.Series(business, xs, [float(f.our_score) for f in canvas.factors],
                      color=charts.PALETTE[0])
    ]  # fmt: skip
    for n, competitor in enumerate(canvas.competitors, start=1):
        ys = [
            float(canvas.scores.get(f.pk, {}).get(competitor.pk, math.nan)) for f in canvas.factors
        ]
        color = charts.PALETTE[n % len(charts.PALETTE)]
        series.append(charts.Series(competitor.name, xs, ys, dashed=True, color=color))
    return mark_safe(  # noqa: S308 - the chart kit escapes every label
        charts.line_chart(
            "strategy-canvas",
            "Strategy canvas",
            "How the business and its competitors score (0–10) on each factor customers value.",
            series,
            x_ticks=[(float(i), f.name) for i, f in enumerate(canvas.factors)],
            y_format=lambda v: f"{v:.0f}",
            y_label="score 0–10",
            height=280,
        )
    )
