"""NPS charts for the surveys pages, drawn on the server as SVG (no JavaScript).

* :func:`nps_over_time` — the monthly NPS as a line with its 95% confidence interval
  (adjusted Wald, Rocks 2016) as a shaded band; a month without answers is a gap, and
  a month alone between gaps is a dot with its interval as a bar.
* :func:`nps_intervals` — one row per group (segment, acquisition channel): the NPS as
  a dot and its interval as a whisker on a fixed −100…+100 axis, so groups with few
  answers show plainly how little they say.

Labels are escaped here; callers pass plain strings.
"""

from __future__ import annotations

import datetime as dt
import math
from html import escape

from django.utils.safestring import SafeString, mark_safe

from thrive.insights.nps import NPSResult
from thrive.insights.report.formatting import nice_ticks

ACCENT = "#0f766e"
INK, GRID, AXIS, MUTED = "#222", "#e3e3e3", "#888", "#6b7280"


def _signed(value: float) -> str:
    return f"{value:+.0f}" if round(value) else "0"


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _month_label(index: int) -> str:
    return dt.date(index // 12, index % 12 + 1, 1).strftime("%b %y")


def nps_over_time(by_month: list[tuple[dt.date, NPSResult]], *, width: float = 640) -> SafeString:
    """Monthly NPS with its 95% interval band, months from the first answer to the last.

    A month without answers leaves a gap in both the line and the band (nothing is
    known about it, so nothing is drawn)."""
    if not by_month:
        return mark_safe("")  # noqa: S308 - constant
    known = {_month_index(month): result for month, result in by_month}
    months = list(range(min(known), max(known) + 1))
    latest = by_month[-1][1]
    desc = (
        f"Net Promoter Score by month from {_month_label(months[0])} to "
        f"{_month_label(months[-1])}; the shaded band is the 95% interval. Latest month: "
        f"{_signed(latest.score)} from {latest.n} answers "
        f"(interval {_signed(latest.adjusted_ci_low)} to {_signed(latest.adjusted_ci_high)})."
    )
    height, left, right, top, bottom = 260.0, 56.0, 30.0, 28.0, 34.0
    values = [v for r in known.values() for v in (r.score, r.adjusted_ci_low, r.adjusted_ci_high)]
    ticks = nice_ticks(min(0.0, min(values)), max(0.0, max(values)))
    y0, y1 = ticks[0], ticks[-1]
    pw, ph = width - left - right, height - top - bottom
    step = pw / max(len(months) - 1, 1)

    def px(m: int) -> float:
        return left + (m - months[0]) * step if len(months) > 1 else left + pw / 2

    def py(v: float) -> float:
        return top + ph - (v - y0) / ((y1 - y0) or 1) * ph

    cid = "nps-by-month"
    out = [
        f'<svg class="chart" id="{cid}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" '
        f'aria-labelledby="{cid}-t {cid}-d" font-family="system-ui, sans-serif" '
        f'font-size="13" fill="{INK}">',
        f'<title id="{cid}-t">NPS by month</title><desc id="{cid}-d">{escape(desc)}</desc>',
        f'<rect x="{left:.0f}" y="6" width="22" height="10" fill="{ACCENT}" opacity="0.18"/>'
        f'<text x="{left + 28:.0f}" y="15" font-size="12">95% interval</text>'
        f'<line x1="{left + 130:.0f}" x2="{left + 152:.0f}" y1="11" y2="11" '
        f'stroke="{ACCENT}" stroke-width="2.5"/>'
        f'<text x="{left + 158:.0f}" y="15" font-size="12">NPS</text>',
    ]
    for t in ticks:
        color = AXIS if t == 0 else GRID
        out.append(f'<line x1="{left:.1f}" x2="{left + pw:.1f}" y1="{py(t):.1f}" '
                   f'y2="{py(t):.1f}" stroke="{color}"/>')  # fmt: skip
        out.append(f'<text x="{left - 6:.1f}" y="{py(t) + 4:.1f}" text-anchor="end" '
                   f'font-size="12">{_signed(t)}</text>')  # fmt: skip
    every = max(1, math.ceil(len(months) / max(1, int(pw // 56))))
    for m in months[::every]:
        out.append(f'<text x="{px(m):.1f}" y="{height - 12:.1f}" text-anchor="middle" '
                   f'font-size="12">{_month_label(m)}</text>')  # fmt: skip
    for run in _runs(months, known):
        upper = " ".join(f"{px(m):.1f},{py(known[m].adjusted_ci_high):.1f}" for m in run)
        lower = " ".join(f"{px(m):.1f},{py(known[m].adjusted_ci_low):.1f}" for m in reversed(run))
        if len(run) == 1:  # a lone month: its interval as a bar
            m = run[0]
            high, low = py(known[m].adjusted_ci_high), py(known[m].adjusted_ci_low)
            out.append(f'<rect x="{px(m) - 6:.1f}" y="{high:.1f}" width="12" '
                       f'height="{low - high:.1f}" fill="{ACCENT}" opacity="0.18"/>')  # fmt: skip
        else:
            out.append(f'<polygon points="{upper} {lower}" fill="{ACCENT}" opacity="0.18"/>')
            line = " ".join(f"{px(m):.1f},{py(known[m].score):.1f}" for m in run)
            out.append(f'<polyline points="{line}" fill="none" stroke="{ACCENT}" '
                       f'stroke-width="2.5" stroke-linejoin="round"/>')  # fmt: skip
        for m in run:
            r = known[m]
            out.append(
                f'<circle cx="{px(m):.1f}" cy="{py(r.score):.1f}" r="3.5" fill="{ACCENT}">'
                f"<title>{_month_label(m)}: NPS {_signed(r.score)} from {r.n} answers "
                f"(interval {_signed(r.adjusted_ci_low)} to {_signed(r.adjusted_ci_high)})"
                "</title></circle>"
            )
    out.append("</svg>")
    return mark_safe("\n".join(out))  # noqa: S308 - numbers and fixed words only


def _runs(months: list[int], known: dict[int, NPSResult]) -> list[list[int]]:
    """Consecutive months with answers."""
    runs: list[list[int]] = []
    for m in months:
        if m not in known:
            continue
        if runs and runs[-1][-1] == m - 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    return runs


def nps_intervals(
    chart_id: str, title: str, rows: list[tuple[str, NPSResult]], *, width: float = 480
) -> SafeString:
    """A dot (the NPS) and a whisker (its 95% interval) per group, on −100…+100."""
    if not rows:
        return mark_safe("")  # noqa: S308 - constant
    row_h, top, bottom = 30.0, 8.0, 30.0
    label_w = min(200.0, 12 + 7.0 * max(len(name) for name, _ in rows))
    value_w = 96.0
    left, right = label_w, width - value_w
    height = top + row_h * len(rows) + bottom

    def px(value: float) -> float:
        return left + (max(-100.0, min(100.0, value)) + 100.0) / 200.0 * (right - left)

    desc = "; ".join(
        f"{name}: {_signed(r.score)} ({r.n} answers, interval {_signed(r.adjusted_ci_low)} "
        f"to {_signed(r.adjusted_ci_high)})"
        for name, r in rows
    )
    cid = escape(chart_id, quote=True)
    out = [
        f'<svg class="chart" id="{cid}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" '
        f'aria-labelledby="{cid}-t {cid}-d" font-family="system-ui, sans-serif" '
        f'font-size="13" fill="{INK}">',
        f'<title id="{cid}-t">{escape(title)}</title><desc id="{cid}-d">{escape(desc)}</desc>',
    ]
    base = top + row_h * len(rows)
    for tick in (-100, -50, 0, 50, 100):
        x = px(tick)
        color = AXIS if tick == 0 else GRID
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top:.1f}" y2="{base:.1f}" '
                   f'stroke="{color}"/>')  # fmt: skip
        out.append(f'<text x="{x:.1f}" y="{base + 18:.1f}" text-anchor="middle" '
                   f'font-size="12" fill="{MUTED}">{_signed(tick)}</text>')  # fmt: skip
    for i, (name, r) in enumerate(rows):
        y = top + i * row_h + row_h / 2
        fits = int((label_w - 12) / 7.0)
        shown = name if len(name) <= fits else name[: fits - 1] + "…"
        lo, hi = r.adjusted_ci_low, r.adjusted_ci_high
        out.append(f"<g><title>{escape(name)}: NPS {_signed(r.score)}, {r.n} answers</title>")
        out.append(f'<text x="{label_w - 8:.1f}" y="{y + 4.5:.1f}" '
                   f'text-anchor="end">{escape(shown)}</text>')  # fmt: skip
        if math.isfinite(lo) and math.isfinite(hi):
            out.append(f'<line x1="{px(lo):.1f}" x2="{px(hi):.1f}" y1="{y:.1f}" y2="{y:.1f}" '
                       f'stroke="{ACCENT}" stroke-width="3" opacity="0.35" '
                       f'stroke-linecap="round"/>')  # fmt: skip
        out.append(f'<circle cx="{px(r.score):.1f}" cy="{y:.1f}" r="5" fill="{ACCENT}"/>')
        out.append(f'<text x="{right + 10:.1f}" y="{y + 4.5:.1f}">{_signed(r.score)} <tspan '
                   f'fill="{MUTED}" font-size="12">n = {r.n}</tspan></text></g>')  # fmt: skip
    out.append("</svg>")
    return mark_safe("\n".join(out))  # noqa: S308 - every label is escaped above
