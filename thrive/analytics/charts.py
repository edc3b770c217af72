"""SVG charts for the workspace, drawn on the server from snapshot data (no JavaScript)."""

from __future__ import annotations

from typing import Any

from django.utils.safestring import SafeString, mark_safe

from thrive.insights.report import charts


def sparkline(values: list[float | None], *, label: str) -> SafeString:
    """A tiny trend line with an accessible name; empty when fewer than two points."""
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(points) < 2:
        return mark_safe("")  # noqa: S308 - constant
    lo = min(v for _, v in points)
    hi = max(v for _, v in points)
    span = (hi - lo) or 1.0
    width, height = 120.0, 28.0
    step = width / max(len(values) - 1, 1)
    path = " ".join(
        f"{'M' if n == 0 else 'L'}{i * step:.1f},{height - 2 - (v - lo) / span * (height - 4):.1f}"
        for n, (i, v) in enumerate(points)
    )
    from html import escape

    return mark_safe(  # noqa: S308 - numbers and an escaped label only
        f'<svg class="spark" viewBox="0 0 {width:.0f} {height:.0f}" width="120" height="28" '
        f'role="img" aria-label="{escape(label)}"><path d="{path}" fill="none" '
        f'stroke="#0f766e" stroke-width="2"/></svg>'
    )


def revenue_by_channel(data: dict[str, Any], currency: str) -> SafeString:
    months = [m[2:] for m in data.get("months", [])]
    series = [(s["name"], s["values"]) for s in data.get("series", [])][:6]
    return mark_safe(  # noqa: S308 - the chart module escapes every label
        charts.grouped_bar_chart(
            "revenue-by-channel",
            "Revenue by acquisition channel",
            f"Monthly net revenue in {currency} for the last 12 months, one bar per channel.",
            months,
            series,
            y_label=currency,
        )  # fmt: skip
    )


def cohort_heat_map(data: dict[str, Any]) -> SafeString:
    if not data.get("rows"):
        return mark_safe("")  # noqa: S308 - constant
    values = [[float("nan") if v is None else v for v in row] for row in data["values"]]
    return mark_safe(  # noqa: S308
        charts.heat_map(
            "cohorts",
            "Customer retention by cohort",
            "Share of each month's new customers who bought again N months later.",
            [f"{r} ({n})" for r, n in zip(data["rows"], data["sizes"], strict=True)],
            [str(c) for c in data["cols"]],
            values,
            value_format=lambda v: f"{v:.0%}",
            scale_max=1.0,
            x_label="months since first order",
        )  # fmt: skip
    )


def funnel_chart(data: dict[str, Any]) -> SafeString:
    labels = [s.capitalize() for s in data.get("stages", [])]
    return mark_safe(  # noqa: S308
        charts.bar_chart(
            "funnel",
            "The funnel",
            "People who ever reached each stage.",
            labels,
            [float(v) for v in data.get("reached", [])],
            value_format=lambda v: f"{v:,.0f}",
        )  # fmt: skip
    )


def clv_histogram(data: dict[str, Any], currency: str) -> SafeString:
    return mark_safe(  # noqa: S308
        charts.histogram(
            "clv",
            "Predicted 12-month value per customer",
            "How many customers fall in each predicted-value band (top 2% in the last bar).",
            data.get("edges", []),
            data.get("counts", []),
            x_label=currency,
        )  # fmt: skip
    )
