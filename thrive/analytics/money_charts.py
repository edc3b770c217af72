"""SVG charts of the dashboard's money cards (forecast, back-test, MRR bridge, model check),
drawn on the server from the snapshot with the report's chart module: no JavaScript."""

from __future__ import annotations

from typing import Any

from django.utils.safestring import SafeString, mark_safe

from thrive.insights.report import charts


def _nan(values: list[Any]) -> list[float]:
    return [float("nan") if v is None else float(v) for v in values]


def _safe(svg: str) -> SafeString:
    return mark_safe(svg)  # noqa: S308 - the chart module escapes every label


def forecast_chart(card: dict[str, Any], currency: str) -> SafeString:
    history, months = card.get("history_months", []), card.get("months", [])
    n = len(history)
    future = [n + i for i in range(len(months))]
    labels = history + months
    ticks = [(float(i), m) for i, m in enumerate(labels) if i % 3 == 0]
    series = [
        charts.Series("Actual revenue", list(range(n)), _nan(card.get("history", []))),
        charts.Series("Forecast, total", future, _nan(card.get("total", []))),
        charts.Series(
            "From customers already here", future, _nan(card.get("existing", [])), dashed=True
        ),
        charts.Series("From new customers", future, _nan(card.get("new", [])), dashed=True),
    ]
    return _safe(
        charts.line_chart(
            "money-forecast",
            "Revenue: the last 24 months and the next 12",
            "Monthly net revenue; after the dashed line, the forecast from the customer base "
            "and its two parts.",
            series,
            x_ticks=ticks,
            marker=(n - 0.5, "forecast"),
            y_label=currency,
        )
    )


def backtest_chart(bt: dict[str, Any], currency: str) -> SafeString:
    return _safe(
        charts.grouped_bar_chart(
            "money-backtest",
            "Back-test: forecast against what happened",
            f"Fitted on the history to {bt.get('cut', '')}, the forecast of each later month "
            "beside the revenue the business actually made.",
            bt.get("months", []),
            [("Actual", _nan(bt.get("actual", []))), ("Forecast", _nan(bt.get("predicted", [])))],
            y_label=currency,
        )
    )


def mrr_chart(card: dict[str, Any], currency: str) -> SafeString:
    months = [m[2:] for m in card.get("months", [])]
    return _safe(
        charts.grouped_bar_chart(
            "money-mrr",
            "MRR movements per month",
            "New, reactivation and expansion add to MRR; contraction and churn take away "
            "(all drawn as amounts).",
            months,
            [
                ("New", _nan(card.get("new", []))),
                ("Reactivation", _nan(card.get("reactivation", []))),
                ("Expansion", _nan(card.get("expansion", []))),
                ("Contraction", _nan(card.get("contraction", []))),
                ("Churn", _nan(card.get("churned", []))),
            ],
            y_label=f"{currency} per month",
        )
    )


def model_chart(check: dict[str, Any]) -> SafeString:
    series = [("Actual", _nan(check.get("actual_by_frequency", [])))]
    series += [(m["name"], _nan(m.get("by_frequency", []))) for m in check.get("models", [])]
    return _safe(
        charts.grouped_bar_chart(
            "money-models",
            "Purchases after the cut, by purchases before it",
            "Mean purchases per customer in the months after the cut, actual and as each "
            "model predicted, for customers grouped by their repeat purchases before it.",
            check.get("bins", []),
            series,
            x_label="repeat purchases before the cut",
            y_label="purchases per customer",
        )
    )


def drawn(money: dict[str, Any] | None) -> dict[str, SafeString]:
    """The money cards' charts, for the cards that have numbers."""
    if not money:
        return {}
    currency = money.get("currency", "")
    out: dict[str, SafeString] = {}
    forecast = money.get("forecast") or {}
    if "months" in forecast:
        out["forecast"] = forecast_chart(forecast, currency)
        if "months" in (forecast.get("backtest") or {}):
            out["backtest"] = backtest_chart(forecast["backtest"], currency)
    if "months" in (money.get("subscriptions") or {}):
        out["mrr"] = mrr_chart(money["subscriptions"], currency)
    if "models" in (money.get("model_check") or {}):
        out["models"] = model_chart(money["model_check"])
    return out
