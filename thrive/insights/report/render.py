"""Turn a computed :class:`~thrive.insights.report.sections.Report` into one HTML page.

The page has no script and loads nothing: styles are inlined, charts are inline SVG.
Every string that comes from the order file (customer ids, product names, headers, cell
text quoted in skip reasons, the file name, the currency code) passes through
:func:`html.escape` on its way into the markup; the helpers below make that the default by
escaping whatever they are given.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from html import escape

import numpy as np

from thrive.insights.orders_columns import ROLE_USES
from thrive.insights.report import charts
from thrive.insights.report.formatting import (
    compact,
    count,
    money,
    money_compact,
    money_headline,
    nice_ticks,
    percent,
)
from thrive.insights.report.sections import (
    AtRisk,
    Channels,
    ClvSection,
    CohortSection,
    CrossSell,
    CurrencyRow,
    Kpis,
    ModelCheck,
    Report,
    RfmSection,
    SourceInfo,
    Trend,
    Unavailable,
)
from thrive.insights.report.styles import CSS

__all__ = ["render_html"]

ROLE_NAMES = {role: use[:1].upper() + use[1:] for role, use in ROLE_USES.items()}


def esc(value: object) -> str:
    return escape(str(value), quote=True)


def _day(d: date) -> str:
    return f"{d.day} {d.strftime('%b')} {d.year}"


def _table(
    headers: Sequence[tuple[str, str]], rows: Iterable[Sequence[tuple[str, str]]], cls: str = ""
) -> str:
    """A table from (css class, text) cells; texts are escaped here."""
    head = "".join(f'<th scope="col" class="{c}">{esc(t)}</th>' for c, t in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="{c}">{esc(t)}</td>' for c, t in row) + "</tr>" for row in rows
    )
    return (
        f'<div class="scroll"><table class="{cls}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _how(text: str) -> str:
    return f'<p class="how"><strong>How this is computed:</strong> {esc(text)}</p>'


def _section(anchor: str, title: str, body: str) -> str:
    return (
        f'<section id="{anchor}" aria-labelledby="{anchor}-h">'
        f'<h2 id="{anchor}-h">{esc(title)}</h2>{body}</section>'
    )


def _unavailable(item: Unavailable) -> str:
    return f'<p class="unavailable">Not shown: {esc(item.reason)}</p>'


def _figure(
    svg: str,
    caption: str = "",
    *,
    min_width: float | None = None,
    max_width: float | None = None,
) -> str:
    if min_width is not None or max_width is not None:
        style = ""
        if min_width is not None:
            style += f"--min-width:{min_width:.0f}px;"
        if max_width is not None:
            style += f"max-width:{max_width:.0f}px;"
        svg = svg.replace('<svg class="chart"', f'<svg class="chart wide" style="{style}"', 1)
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return f'<figure><div class="scroll">{svg}</div>{cap}</figure>'


def render_html(report: Report) -> str:
    """The whole report as an HTML document (UTF-8 text)."""
    cur = report.currency
    parts = [
        _header(report),
        _kpis(report.kpis, cur, report),
        _trend(report.trend, cur),
        _cohorts(report.cohorts),
        _rfm(report.rfm, cur),
        _clv(report.clv, cur),
        _at_risk(report.at_risk, cur),
        _channels(report.channels, cur),
        _cross_sell(report.cross_sell),
        _model_check(report.model_check),
        _source(report.source),
    ]
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="Thrive">\n'
        f"<title>{esc(report.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(parts)
        + "\n<footer>Made offline by Thrive from the order file alone: no server, no database, "
        "nothing loaded from the internet. Numbers are estimates from the data in the file; "
        "each section says how it was computed.</footer>\n</main>\n</body>\n</html>\n"
    )


def _header(report: Report) -> str:
    k = report.kpis
    src = report.source
    skipped = (
        f' · {count(src.rows_skipped)} rows skipped (see <a href="#data">Data used</a>)'
        if src.rows_skipped
        else ""
    )
    warnings = ""
    if report.warnings:
        items = "".join(f"<li>{esc(w)}</li>" for w in report.warnings)
        warnings = f'<ul class="notes unavailable">{items}</ul>'
    entries = [
        ("kpis", "Headline"),
        ("trend", "Revenue trend"),
        ("cohorts", "Retention"),
        ("segments", "Segments"),
        ("clv", "Customer value"),
        ("at-risk", "At risk"),
        ("channels", "Channels"),
        ("cross-sell", "Cross-sell"),
        ("model-check", "Model check"),
        ("data", "Data used"),
    ]
    if report.channels is None:
        entries.remove(("channels", "Channels"))
    toc = "".join(f'<a href="#{a}">{esc(t)}</a>' for a, t in entries)
    return (
        f"<header><h1>{esc(report.title)}</h1>"
        f'<p class="sub">{esc(src.file_name)} · {esc(_day(k.first_date))} to '
        f"{esc(_day(k.last_date))} · {count(src.rows_accepted)} rows used{skipped} · "
        f"made {esc(report.generated)}</p>{warnings}"
        f'<nav class="toc" aria-label="Sections">{toc}</nav></header>'
    )


def _kpi(label: str, value: str, note: str = "", cls: str = "") -> str:
    extra = f' class="value {cls}"' if cls else ' class="value"'
    note_html = f'<div class="note">{esc(note)}</div>' if note else ""
    return (
        f'<div class="kpi"><div class="label">{esc(label)}</div>'
        f"<div{extra}>{esc(value)}</div>{note_html}</div>"
    )


def _kpis(k: Kpis, cur: str | None, report: Report | None = None) -> str:
    if k.growth is None:
        growth, cls = "–", ""
    else:
        growth = ("+" if k.growth >= 0 else "") + percent(k.growth)
        cls = "up" if k.growth >= 0 else "down"
    cards = "".join(
        [
            _kpi(
                "Revenue",
                money_headline(k.revenue, cur),
                f"{money(k.revenue, cur, 0)} net of refunds"
                if abs(k.revenue) >= 1e6
                else "net of refunds",
            ),
            _kpi("Orders", count(k.orders)),
            _kpi("Customers", count(k.customers)),
            _kpi(
                "Repeat customers",
                percent(k.repeat_rate),
                f"{count(k.repeat_customers)} bought more than once",
            ),
            _kpi("Average order", money(k.average_order_value, cur)),
            _kpi("Revenue growth", growth, k.growth_label, cls),
        ]
    )
    how = (
        "revenue is the sum of all orders less refunds; an order is one order id (or, without "
        "an order column, one customer's purchases on one day); a repeat customer has two or "
        "more orders; average order = revenue ÷ orders; growth as labelled on its card."
    )
    extra = ""
    if report is not None:
        if report.source.revenue_basis:
            extra += f'<p class="basis">{esc(report.source.revenue_basis)}</p>'
        if report.currencies:
            extra += _currencies(report.currencies, report.currency_scope)
    return _section(
        "kpis", "Headline numbers", f'<div class="kpis">{cards}</div>{extra}{_how(how)}'
    )


def _currencies(rows: tuple[CurrencyRow, ...], scope: str) -> str:
    table = _table(
        [("", "Currency"), ("num", "Orders"), ("num", "Customers"), ("num", "Revenue")],
        [
            [
                ("", c.code + (" (main)" if c.main else "")),
                ("num", count(c.orders)),
                ("num", count(c.customers)),
                ("num", money(c.revenue, c.code)),
            ]
            for c in rows
        ],
    )
    return f'<h3>By currency ({len(rows)} in the file)</h3>{table}<p class="scope">{esc(scope)}</p>'


def _trend(t: Trend | Unavailable, cur: str | None) -> str:
    if isinstance(t, Unavailable):
        return _section("trend", "Revenue by month", _unavailable(t))
    n = len(t.months)
    x = list(range(n))
    values = [float(v) for v in t.revenue]
    if t.partial_last_month and n >= 2:
        # The unfinished month is drawn apart (grey, dashed) so it doesn't read as a slump.
        series = [
            charts.Series("Revenue", x[:-1], values[:-1]),
            charts.Series(
                "Month so far", x[-2:], values[-2:], dashed=True, color=charts.PALETTE[6]
            ),
        ]
    else:
        series = [charts.Series("Revenue", x, values)]
    bands: list[charts.Band] = []
    labels = list(t.months)
    start = n - 1 if not t.partial_last_month else n - 2
    if t.forecast is not None:
        fx = [start + 1 + i for i in range(len(t.forecast_months))]
        # Join the forecast line to the last full month so it reads as a continuation.
        series.append(
            charts.Series(
                "Forecast",
                [start, *fx],
                [float(t.revenue[start]), *map(float, t.forecast)],
                dashed=True,
                color=charts.PALETTE[1],
            )
        )
    if t.forecast is not None and t.forecast_low is not None and t.forecast_high is not None:
        bands.append(
            charts.Band(
                t.forecast_band_label or f"{t.forecast_level:.0%} range",
                fx,
                [float(v) for v in t.forecast_low],
                [float(v) for v in t.forecast_high],
                color=charts.PALETTE[1],
            )
        )
    if t.forecast is not None:
        labels = labels[: start + 1] + list(t.forecast_months)
    ticks = [(float(i), _month_label(m)) for i, m in enumerate(labels)]
    svg = charts.line_chart(
        "chart-trend",
        "Revenue by month",
        f"Monthly revenue from {t.months[0]} to {t.months[-1]}"
        + (" with a forecast" if t.forecast is not None else ""),
        series,
        bands=bands,
        x_ticks=ticks,
        y_format=lambda v: money_compact(v, cur),
    )
    caption = ""
    if t.partial_last_month:
        caption = f"{t.months[-1]} is not complete in the file, so it looks lower than it is."
    body = _figure(svg, caption)
    rows = [
        [("", m), ("num", money(float(v), cur, 0))]
        for m, v in zip(t.months, t.revenue, strict=True)
    ]
    body += (
        "<details><summary>Monthly figures</summary>"
        + _table([("", "Month"), ("num", "Revenue")], rows)
        + "</details>"
    )
    if t.forecast_caveat:
        body = f'<p class="unavailable">{esc(t.forecast_caveat)}</p>' + body
    body += _backtest(t, cur)
    how = (
        "orders are summed by calendar month of their date (refunds in the month they were "
        "booked). "
        + (
            "The forecast starts after the last full month"
            + (
                f"; the shaded range is {t.forecast_band_label}. "
                if t.forecast_band_label
                else ". "
            )
            if t.forecast is not None
            else ""
        )
        + t.forecast_note
    )
    return _section("trend", "Revenue by month", body + _how(how.strip()))


def _backtest(t: Trend, cur: str | None) -> str:
    """How the forecasting method did on the file's own last months."""
    if t.backtest_note:
        return f"<p>{esc(t.backtest_note)}</p>"
    if t.backtest_predicted is None or t.backtest_actual is None or t.backtest_error is None:
        return ""
    k = len(t.backtest_months)
    predicted, actual = float(t.backtest_predicted.sum()), float(t.backtest_actual.sum())
    first = _month_label(t.backtest_months[0])
    direction = "above" if predicted >= actual else "below"
    lead = (
        f"<p><strong>Back-test:</strong> fitted on the orders before {esc(first)} only, the "
        f"same method forecast {esc(money(predicted, cur, 0))} for the {k} months that "
        f"followed; they brought {esc(money(actual, cur, 0))}, so it was "
        f"{esc(percent(abs(t.backtest_error)))} {direction}"
        + (
            f" (off by {esc(percent(t.backtest_monthly_error))} a month on average)"
            if t.backtest_monthly_error is not None
            and t.backtest_monthly_error == t.backtest_monthly_error
            else ""
        )
        + ". A forecast is only as good as the assumption that customers keep behaving and "
        "arriving as they recently did.</p>"
    )
    x = list(range(k))
    svg = charts.line_chart(
        "chart-backtest",
        "Back-test: forecast against what happened",
        f"Monthly revenue over the last {k} full months, actual and as forecast from the "
        "months before them",
        [
            charts.Series("Actual", x, [float(v) for v in t.backtest_actual]),
            charts.Series(
                "Forecast",
                x,
                [float(v) for v in t.backtest_predicted],
                dashed=True,
                color=charts.PALETTE[1],
            ),
        ],
        x_ticks=[(float(i), _month_label(m)) for i, m in enumerate(t.backtest_months)],
        y_format=lambda v: money_compact(v, cur),
    )
    return lead + _figure(svg, min_width=420, max_width=680)


def _month_label(month: str) -> str:
    # "1997-03" -> "Mar 97": short enough for a phone-width axis.
    try:
        y, m = month.split("-")
        return f"{date(int(y), int(m), 1).strftime('%b')} {y[2:]}"
    except ValueError:
        return month


def _cohorts(c: CohortSection | Unavailable) -> str:
    title = "Retention by first-order month"
    if isinstance(c, Unavailable):
        return _section("cohorts", title, _unavailable(c))
    rows = [f"{_month_label(m)} ({count(s)})" for m, s in zip(c.cohorts, c.sizes, strict=True)]
    svg = charts.heat_map(
        "chart-cohorts",
        title,
        "Share of each month's new customers who ordered again in each later month",
        rows,
        [str(p) for p in c.periods],
        c.retention.tolist(),
        value_format=lambda v: f"{v * 100:.0f}%",
        # Month 0 is 100% by definition; scaling to the later months keeps their
        # differences visible instead of washing them all out to near-white.
        scale_max=_later_months_max(c),
        x_label="months after the first order →",
    )
    natural = 14 + 7.0 * max(len(r) for r in rows) + 44 * len(c.periods)
    caption = "Rows: month of first order (number of new customers). Darker = more returned."
    if c.hidden_cohorts:
        caption += f" The {c.hidden_cohorts} oldest cohorts are left out to keep it readable."
    if c.partial_month_left_out and c.through is not None:
        caption += (
            f" Counted to {_day(c.through)}, the end of the last full month in the file, so "
            "a month with missing days doesn't look like a drop."
        )
    how = (
        "each customer belongs to the month of their first order; a cell is the share of that "
        "month's customers with at least one order N months later (month 0 is always 100%). "
        "Blank cells are months the file doesn't reach yet."
    )
    return _section(
        "cohorts",
        title,
        _figure(svg, caption, min_width=min(natural * 0.8, 900), max_width=natural * 1.1)
        + _how(how),
    )


def _later_months_max(c: CohortSection) -> float | None:
    later = c.retention[:, 1:]
    finite = later[np.isfinite(later)]
    if finite.size == 0 or finite.max() <= 0:
        return None
    return float(finite.max())


def _rfm(r: RfmSection | Unavailable, cur: str | None) -> str:
    title = "Customer segments (RFM)"
    if isinstance(r, Unavailable):
        return _section("segments", title, _unavailable(r))
    shown = [s for s in r.segments if s.customers > 0]
    shown.sort(key=lambda s: -s.revenue)
    svg = charts.bar_chart(
        "chart-rfm",
        "Revenue by customer segment",
        "Revenue of each RFM segment, largest first",
        [s.name for s in shown],
        [s.revenue for s in shown],
        value_format=lambda v: money_compact(v, cur),
    )
    # The meaning sits under the name rather than in its own column, so the numbers stay
    # on screen on a phone.
    body = "".join(
        f'<tr><td><strong>{esc(s.name)}</strong><div class="meaning">{esc(s.meaning)}</div>'
        f'</td><td class="num">{esc(count(s.customers))}</td>'
        f'<td class="num">{esc(money(s.revenue, cur, 0))}</td>'
        f'<td class="num">{esc(percent(s.share_of_revenue))}</td></tr>'
        for s in shown
    )
    table = (
        '<div class="scroll"><table><thead><tr><th scope="col">Segment and what it means</th>'
        '<th scope="col" class="num">Customers</th><th scope="col" class="num">Revenue</th>'
        '<th scope="col" class="num">Share</th></tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )
    how = (
        "each customer gets a 1–5 score for recency (days since last order, to "
        f"{_day(r.as_of)}), frequency (orders) and monetary value (net spend), by quintile "
        "within your customers; the segment comes from the recency score and the average of "
        "the frequency and monetary scores."
    )
    return _section(
        "segments", title, _figure(svg, min_width=420, max_width=680) + table + _how(how)
    )


def _clv(c: ClvSection | Unavailable, cur: str | None) -> str:
    title = "Predicted customer value"
    if isinstance(c, Unavailable):
        return _section("clv", title, _unavailable(c))
    svg = charts.histogram(
        "chart-clv",
        f"Predicted {c.horizon_months}-month value per customer",
        "How many customers fall in each band of predicted value",
        c.edges.tolist(),
        c.counts.tolist(),
        x_format=lambda v: money_compact(v, cur),
        x_label=f"predicted value over the next {c.horizon_months} months",
    )
    lead = (
        f'<p class="lead">Your {count(c.customers)} customers are expected to bring '
        f"<strong>{esc(money(c.total, cur, 0))}</strong> over the next {c.horizon_months} "
        f"months: {esc(money(c.mean, cur))} on average, {esc(money(c.median, cur))} for the "
        f"median customer. The top 10% of customers account for "
        f"{esc(percent(c.top_decile_share))} of it.</p>"
    )
    caption = ""
    if c.clipped_above:
        caption = (
            f"The last bar also holds the {count(c.clipped_above)} customers above "
            f"{money_compact(float(c.edges[-1]), cur)}."
        )
    params = ", ".join(f"{k} = {v:.3g}" for k, v in c.parameters.items())
    how = (
        f"a {c.model} model of how often each customer buys and whether they are still "
        "active, times a Gamma-Gamma model of how much they spend per order, summed over "
        f"the next {c.horizon_months} months with a 1% monthly discount; fitted on this "
        f"file ({params})."
    )
    caveat = f'<p class="unavailable">{esc(c.caveat)}</p>' if c.caveat else ""
    if c.spend_note:
        how += " " + c.spend_note
    return _section("clv", title, lead + caveat + _figure(svg, caption) + _how(how))


def _at_risk(a: AtRisk | Unavailable, cur: str | None) -> str:
    title = "Valuable customers at risk"
    if isinstance(a, Unavailable):
        return _section("at-risk", title, _unavailable(a))
    if not a.customers:
        body = "<p>No repeat customer currently looks likely to have stopped buying.</p>"
    else:
        headers = [
            ("", "Customer"),
            ("num", "P(active)"),
            ("", "Risk"),
            ("num", "Predicted value"),
            ("num", "Worth if active"),
            ("num", "Orders"),
            ("num", "Spent so far"),
            ("num", "Last order"),
        ]
        head = "".join(f'<th scope="col" class="{c}">{esc(t)}</th>' for c, t in headers)
        trs = "".join(
            f'<tr><td class="id">{_who(c.name, c.customer_id)}</td>'
            + "".join(
                f'<td class="{cls}">{esc(text)}</td>'
                for cls, text in (
                    ("num", percent(c.p_alive, 0)),
                    ("", c.risk),
                    ("num", money(c.predicted_value, cur)),
                    ("num", money(c.value_if_active, cur)),
                    ("num", count(c.orders)),
                    ("num", money(c.spent, cur)),
                    ("num", _day(c.last_order)),
                )
            )
            + "</tr>"
            for c in a.customers
        )
        body = (
            f"<p>The {count(len(a.customers))} most valuable of the {count(a.candidates)} "
            f"repeat customers whose chance of still being active is below "
            f"{a.threshold:.0%}. They are the first people to contact personally.</p>"
            f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{trs}</tbody></table></div>"
        )
    how = (
        "P(active) is the BG/NBD probability that the customer has not quietly left, given "
        "how often they bought and how long it has been (risk is high below 30%); customers "
        'are ranked by predicted value over the next 12 months; "worth if active" is that '
        "value divided by P(active): what they would bring if they are still with you."
    )
    return _section("at-risk", title, body + _how(how))


def _who(name: str, customer_id: str) -> str:
    """A customer cell: the name when the file has one, with the id or e-mail below it.

    The id line never wraps mid-word (see ``td.id .email`` in the styles): a long e-mail is
    cut with an ellipsis and the whole of it is in the title, shown on hover.
    """
    ident = f'<span class="email" title="{esc(customer_id)}">{esc(customer_id)}</span>'
    if name and name != customer_id:
        return f'<span class="who">{esc(name)}</span>{ident}'
    return ident


def _channels(c: Channels | None, cur: str | None) -> str:
    if c is None:
        return ""
    with_value = any(r.average_value is not None for r in c.rows)
    headers = [("", "Channel"), ("num", "Customers"), ("num", "Revenue"), ("num", "Repeat")]
    if with_value:
        headers.append(("num", f"Predicted value / customer ({c.horizon_months} mo)"))
    rows = []
    for r in c.rows:
        row = [
            ("", r.channel),
            ("num", count(r.customers)),
            ("num", money(r.revenue, cur, 0)),
            ("num", percent(r.repeat_rate)),
        ]
        if with_value:
            value = r.average_value
            row.append(("num", money(value, cur) if value is not None else "–"))
        rows.append(row)
    how = (
        "each customer counts for the channel of their first order; revenue is everything "
        "they spent since; repeat = share with two or more orders"
        + ('; predicted value as in "Predicted customer value".' if with_value else ".")
    )
    return _section("channels", "Where customers come from", _table(headers, rows) + _how(how))


def _cross_sell(x: CrossSell | Unavailable) -> str:
    title = "Bought together (cross-sell)"
    if isinstance(x, Unavailable):
        return _section("cross-sell", title, _unavailable(x))
    if not x.rules:
        body = f"<p>{esc(cross_sell_finding(x))}</p>"
    else:
        rows = [
            [
                ("", " + ".join(r.antecedent)),
                ("", " + ".join(r.consequent)),
                ("num", percent(r.support)),
                ("num", percent(r.confidence, 0)),
                ("num", f"{r.lift:.2f}"),
            ]
            for r in x.rules
        ]
        body = (
            "<p>Customers who buy the first product(s) often also buy the second: good "
            'candidates for bundles and "you may also like".</p>'
            + _table(
                [
                    ("", "Who buys"),
                    ("", "also buys"),
                    ("num", "Support"),
                    ("num", "Confidence"),
                    ("num", "Lift"),
                ],
                rows,
            )
        )
    if x.cut:
        body += f'<p class="unavailable">Cut to bound the work: {esc(x.cut)}</p>'
    how = (
        f"over {count(x.baskets)} baskets: support = share of baskets with all the products; "
        "confidence = share of baskets with the first product(s) that also have the second; "
        "lift = confidence ÷ how common the second is overall (above 1 = bought together more "
        f"than chance). Only sets in at least {percent(x.min_support)} of baskets are used."
    )
    return _section("cross-sell", title, body + _how(how))


def cross_sell_finding(x: CrossSell) -> str:
    """What the basket analysis found when it has no rule to show, in one sentence."""
    at_least = f"at least {count(x.min_baskets)} times" if x.min_baskets else "often enough"
    if x.baskets < 10:
        return (
            f"Only {count(x.baskets)} baskets have a product: a rule needs a set of products "
            "bought together in at least 10 baskets."
        )
    if x.pairs_found == 0:
        return (
            f"No pair of products was bought together {at_least} "
            f"({percent(x.min_support)} of the {count(x.baskets)} baskets), so there is "
            "nothing to base a rule on."
        )
    pairs = f"{count(x.pairs_found)} pair{'s' if x.pairs_found != 1 else ''}"
    if x.best_lift is not None and x.best_lift <= 1.0:
        return (
            f"{pairs} of products were bought together {at_least} among "
            f"{count(x.baskets)} baskets, none more often than chance "
            f"(lift ≤ {x.best_lift:.2f}): no product makes another more likely."
        )
    return (
        f"{pairs} of products were bought together {at_least} among {count(x.baskets)} "
        f"baskets; those bought together more often than chance (lift up to "
        f"{x.best_lift or 0:.2f}) follow the first product in under "
        f"{percent(x.min_confidence, 0)} of its baskets, too rarely to suggest."
    )


def _model_check(m: ModelCheck | Unavailable) -> str:
    title = "Model check against a holdout"
    if isinstance(m, Unavailable):
        return _section("model-check", title, _unavailable(m))
    bars = charts.grouped_bar_chart(
        "chart-holdout-bins",
        "Repeat purchases in the holdout, by purchases in the calibration period",
        "Average repeat purchases per customer in the holdout period, actual and predicted by "
        "the model, grouped by how many repeat purchases customers made during calibration",
        list(m.frequency_labels),
        [("Actual", m.actual.tolist()), ("Predicted", m.predicted.tolist())],
        y_format=compact,
        x_label="repeat purchases during calibration",
        y_label="per customer, in holdout",
    )
    first_week, last_week = float(m.weeks[0]), float(m.weeks[-1])
    ticks = [
        (t, f"{t:.0f}")
        for t in nice_ticks(first_week, last_week, target=8)
        if first_week <= t <= last_week
    ]
    line = charts.line_chart(
        "chart-tracking",
        "Cumulative repeat purchases, actual and predicted",
        "Cumulative repeat purchases week by week; the dashed vertical line marks the end of "
        "the calibration period",
        [
            charts.Series("Actual", m.weeks.tolist(), m.cumulative_actual.tolist()),
            charts.Series(
                "Predicted",
                m.weeks.tolist(),
                m.cumulative_predicted.tolist(),
                dashed=True,
                color=charts.PALETTE[1],
            ),
        ],
        x_ticks=ticks,
        x_label=f"weeks since {_day(m.calibration_start)}",
        y_label="repeat purchases",
        marker=(m.calibration_weeks, "end of calibration"),
    )
    direction = "more" if m.holdout_error > 0 else "fewer"
    total_note = (
        f"Over the {m.holdout_weeks:.0f}-week holdout the model predicted "
        f"{percent(abs(m.holdout_error))} {direction} repeat purchases than customers made."
    )
    counts_row = ", ".join(
        f"{label}: {count(n)}"
        for label, n in zip(m.frequency_labels, m.customers_per_bin, strict=True)
    )
    body = (
        (f'<p class="unavailable">{esc(m.caveat)}</p>' if m.caveat else "")
        + f"<p>The BG/NBD model was fitted again on orders from {esc(_day(m.calibration_start))} "
        f"to {esc(_day(m.calibration_end))} only, then asked to predict the "
        f"{m.holdout_weeks:.0f} weeks after, which it had not seen. {esc(total_note)}</p>"
        "<h3>Holdout purchases per customer, by purchases during calibration</h3>"
        + _figure(bars, f"Customers per group — {counts_row}.")
        + "<h3>Cumulative repeat purchases, week by week</h3>"
        + _figure(line)
    )
    if len(m.alternatives) > 1:
        rows = [
            [
                ("", name),
                ("num", f"{ll:,.0f}"),
                ("num", ("+" if err > 0 else "") + percent(err) if err == err else "–"),
            ]
            for name, ll, err in m.alternatives
        ]
        body += (
            "<h3>A second model for comparison</h3>"
            "<p>The Pareto/NBD model makes a different assumption about when customers "
            "leave (at any moment rather than right after a purchase). Similar numbers "
            "mean the conclusions don't hinge on that choice; a higher log-likelihood is "
            "a better fit to the calibration period.</p>"
            + _table(
                [
                    ("", "Model"),
                    ("num", "Log-likelihood (calibration)"),
                    ("num", "Holdout purchases, predicted vs actual"),
                ],
                rows,
            )
        )
    how = (
        "the model is fitted to the calibration period alone; for each group of customers "
        "(by repeat purchases during calibration) we compare its expected holdout purchases "
        "with what they actually did, and track cumulative repeat purchases of all customers "
        "week by week across both periods."
    )
    return _section("model-check", title, body + _how(how))


def _source(s: SourceInfo) -> str:
    cols = [[("", label), ("", ROLE_NAMES.get(role, role))] for role, label in s.columns.items()]
    delimiter = {"\t": "tab", "whitespace": "spaces"}.get(s.delimiter, s.delimiter)
    facts = [
        f"{count(s.rows_read)} data rows read, {count(s.rows_accepted)} used, "
        f"{count(s.rows_skipped)} skipped"
        + (f", {count(s.blank_lines)} blank lines ignored" if s.blank_lines else "")
        + ".",
        f"Encoding {s.encoding}, columns separated by {delimiter!r}, dates read as "
        f"{s.date_format}.",
    ]
    if s.refund_lines:
        facts.append(
            f"{count(s.refund_lines)} refund lines were netted into their orders; "
            f"{count(s.fully_refunded_orders)} orders were fully refunded and are not counted "
            f"as purchases; {count(s.refund_only_orders)} refunds booked as orders of their own "
            "reduce revenue only."
        )
    if s.repeated_totals:
        facts.append(
            f"{count(s.repeated_totals)} later lines of orders repeated the order's amount; "
            "it was counted once per order."
        )
    facts.extend(s.notes)
    ignored = ""
    if s.ignored_columns:
        ignored = (
            f"<h3>Columns ignored ({count(len(s.ignored_columns))})</h3><p>Nothing is read "
            "from these columns: "
            + ", ".join(f"<code>{esc(c)}</code>" for c in s.ignored_columns)
            + ". Name one with a flag (such as --product) to use it.</p>"
        )
    body = (
        "<h3>Columns used</h3>"
        + _table([("", "Column in the file"), ("", "Used as")], cols)
        + ignored
        + (f'<p class="basis">{esc(s.revenue_basis)}</p>' if s.revenue_basis else "")
        + '<ul class="notes">'
        + "".join(f"<li>{esc(f)}</li>" for f in facts)
        + "</ul>"
    )
    if s.rows_skipped:
        reasons = [[("", reason), ("num", count(n))] for reason, n in s.skipped_by_reason.items()]
        body += "<h3>Skipped rows by reason</h3>" + _table(
            [("", "Column: reason"), ("num", "Rows")], reasons
        )
        listed = [[("num", str(r.row)), ("", r.column or "–"), ("", r.reason)] for r in s.skipped]
        more = s.rows_skipped - len(s.skipped)
        body += (
            f"<h3>First {count(len(s.skipped))} skipped rows</h3>"
            + _table([("num", "Row"), ("", "Column"), ("", "Reason")], listed, "skipped")
            + (f"<p>…and {count(more)} more.</p>" if more > 0 else "")
        )
    how = (
        "row numbers are as a spreadsheet shows them (the header is row 1). A row is skipped "
        "only with a reason: an unreadable date, a missing or non-numeric amount, a refund "
        "without an order to net it into, a voided order, another currency."
    )
    return _section("data", "Data used", body + _how(how))
