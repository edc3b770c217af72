"""Small, dependency-free SVG charts for the offline report.

Every chart is a self-contained ``<svg>`` string with ``role="img"``, a ``<title>`` and a
``<desc>`` (read out by screen readers and shown as a tooltip), a ``viewBox`` so it scales to
the page, and no script, font or image from outside. Every piece of text that may come from
the data (labels, series names) is escaped here, so callers pass plain strings.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from thrive.insights.report.formatting import compact, nice_ticks

__all__ = [
    "PALETTE",
    "Band",
    "Series",
    "bar_chart",
    "category_labels",
    "grouped_bar_chart",
    "heat_map",
    "histogram",
    "label_width",
    "line_chart",
]

# Colour-blind-safe picks (Okabe–Ito order), dark enough for white text where needed.
PALETTE = ("#1f5f99", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#6b6b6b")
_INK = "#222"
_GRID = "#e3e3e3"
_AXIS = "#888"
_FONT = 13

Formatter = Callable[[float], str]


@dataclass(frozen=True)
class Series:
    """One line: x positions, y values (NaN leaves a gap) and how to draw it."""

    name: str
    x: Sequence[float]
    y: Sequence[float]
    dashed: bool = False
    color: str | None = None


@dataclass(frozen=True)
class Band:
    """A shaded interval (e.g. a forecast's 80% range) drawn under the lines."""

    name: str
    x: Sequence[float]
    low: Sequence[float]
    high: Sequence[float]
    color: str = PALETTE[0]


def _attr(value: str) -> str:
    return escape(value, quote=True)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _open(chart_id: str, width: float, height: float, title: str, desc: str) -> list[str]:
    cid = _attr(chart_id)
    return [
        f'<svg class="chart" id="{cid}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="{_num(width)}" '
        f'height="{_num(height)}" role="img" aria-labelledby="{cid}-t {cid}-d" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" '
        f'font-size="{_FONT}" fill="{_INK}">',
        f'<title id="{cid}-t">{escape(title)}</title>',
        f'<desc id="{cid}-d">{escape(desc)}</desc>',
    ]


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    size: int | None = None,
    color: str | None = None,
    weight: str | None = None,
    baseline: str | None = None,
) -> str:
    extra = ""
    if size:
        extra += f' font-size="{size}"'
    if color:
        extra += f' fill="{color}"'
    if weight:
        extra += f' font-weight="{weight}"'
    if baseline:
        extra += f' dominant-baseline="{baseline}"'
    return f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


def _legend(items: Sequence[tuple[str, str, bool]], x: float, y: float, width: float) -> list[str]:
    """Swatches with names, wrapping onto a new line when the width runs out."""
    parts: list[str] = []
    cx, cy = x, y
    for name, color, dashed in items:
        item_width = 28 + 7.2 * len(name) + 18
        if cx + item_width > x + width and cx > x:
            cx, cy = x, cy + 20
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        parts.append(
            f'<line x1="{_num(cx)}" y1="{_num(cy - 4)}" x2="{_num(cx + 22)}" y2="{_num(cy - 4)}" '
            f'stroke="{color}" stroke-width="3"{dash}/>'
        )
        parts.append(_text(cx + 28, cy, name))
        cx += item_width
    return parts


def _legend_height(names: Sequence[str], width: float) -> float:
    lines, used = 1, 0.0
    for name in names:
        w = 28 + 7.2 * len(name) + 18
        if used + w > width and used > 0:
            lines, used = lines + 1, 0.0
        used += w
    return 20.0 * lines


def _finite(values: Sequence[float]) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(float(v))]


def line_chart(
    chart_id: str,
    title: str,
    desc: str,
    series: Sequence[Series],
    *,
    x_ticks: Sequence[tuple[float, str]],
    y_format: Formatter = compact,
    bands: Sequence[Band] = (),
    marker: tuple[float, str] | None = None,
    y_label: str = "",
    x_label: str = "",
    width: float = 640,
    height: float = 300,
) -> str:
    """Lines over a shared numeric x axis, with optional shaded bands and a vertical marker.

    ``x_ticks`` gives (position, label) pairs for the x axis; labels are thinned to fit.
    ``marker`` draws a dashed vertical line with a label (e.g. the end of calibration).
    """
    xs = [float(v) for s in series for v in s.x] + [float(v) for b in bands for v in b.x]
    ys = [v for s in series for v in _finite(s.y)]
    ys += [v for b in bands for v in _finite(b.low) + _finite(b.high)]
    if not xs or not ys:
        return _empty(chart_id, title, desc, width)
    names = [b.name for b in bands] + [s.name for s in series]
    legend_h = _legend_height(names, width - 20) if len(names) > 1 else 0.0
    left = 72.0 if y_label else 62.0
    right, top, bottom = 18.0, 14.0 + legend_h, 50.0 if x_label else 34.0
    x0, x1 = min(xs), max(xs)
    if x1 == x0:
        x1 = x0 + 1
    ticks = nice_ticks(min(0.0, min(ys)), max(ys))
    y0, y1 = ticks[0], ticks[-1]
    pw, ph = width - left - right, height - top - bottom

    def px(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * pw

    def py(y: float) -> float:
        return top + ph - (y - y0) / (y1 - y0) * ph

    out = _open(chart_id, width, height, title, desc)
    if legend_h:
        items = [(b.name, b.color + "55", False) for b in bands]
        items += [
            (s.name, s.color or PALETTE[i % len(PALETTE)], s.dashed) for i, s in enumerate(series)
        ]
        out += _legend(items, 10, 16, width - 20)
    for t in ticks:
        out.append(
            f'<line x1="{_num(left)}" x2="{_num(left + pw)}" y1="{_num(py(t))}" '
            f'y2="{_num(py(t))}" stroke="{_GRID}"/>'
        )
        out.append(_text(left - 6, py(t) + 4, y_format(t), anchor="end", size=12))
    if y_label:
        out.append(_y_label(y_label, top + ph / 2))
    out += _x_axis(x_ticks, px, left, top + ph, pw)
    if x_label:
        out.append(_text(left + pw / 2, height - 6, x_label, anchor="middle", size=12))
    for b in bands:
        pts = [
            (px(x), py(lo), py(hi))
            for x, lo, hi in zip(b.x, b.low, b.high, strict=True)
            if math.isfinite(lo) and math.isfinite(hi)
        ]
        if pts:
            upper = " ".join(f"{_num(x)},{_num(h)}" for x, _, h in pts)
            lower = " ".join(f"{_num(x)},{_num(lo)}" for x, lo, _ in reversed(pts))
            out.append(f'<polygon points="{upper} {lower}" fill="{b.color}" opacity="0.18"/>')
    if marker is not None:
        mx = px(marker[0])
        out.append(
            f'<line x1="{_num(mx)}" x2="{_num(mx)}" y1="{_num(top)}" y2="{_num(top + ph)}" '
            f'stroke="{_AXIS}" stroke-dasharray="4 4"/>'
        )
        out.append(_text(mx + 4, top + 12, marker[1], size=12, color="#555"))
    for i, s in enumerate(series):
        color = s.color or PALETTE[i % len(PALETTE)]
        dash = ' stroke-dasharray="7 5"' if s.dashed else ""
        for run in _runs(s.x, s.y):
            points = " ".join(f"{_num(px(x))},{_num(py(y))}" for x, y in run)
            if len(run) == 1:
                x, y = run[0]
                out.append(f'<circle cx="{_num(px(x))}" cy="{_num(py(y))}" r="3" fill="{color}"/>')
            else:
                out.append(
                    f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2.5" '
                    f'stroke-linejoin="round"{dash}/>'
                )
    out.append("</svg>")
    return "\n".join(out)


def _runs(xs: Sequence[float], ys: Sequence[float]) -> list[list[tuple[float, float]]]:
    """Split a series at NaN values so gaps show as gaps."""
    runs: list[list[tuple[float, float]]] = [[]]
    for x, y in zip(xs, ys, strict=True):
        if y is None or not math.isfinite(float(y)):
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append((float(x), float(y)))
    return [r for r in runs if r]


def _x_axis(
    ticks: Sequence[tuple[float, str]],
    px: Callable[[float], float],
    left: float,
    base: float,
    pw: float,
) -> list[str]:
    out = [
        f'<line x1="{_num(left)}" x2="{_num(left + pw)}" y1="{_num(base)}" y2="{_num(base)}" '
        f'stroke="{_AXIS}"/>'
    ]
    if not ticks:
        return out
    longest = max(len(label) for _, label in ticks)
    room = max(1, int(pw // (7.0 * longest + 14)))
    step = max(1, math.ceil(len(ticks) / room))
    for x, label in list(ticks)[::step]:
        out.append(
            f'<line x1="{_num(px(x))}" x2="{_num(px(x))}" y1="{_num(base)}" '
            f'y2="{_num(base + 5)}" stroke="{_AXIS}"/>'
        )
        out.append(_text(px(x), base + 19, label, anchor="middle", size=12))
    return out


def _empty(chart_id: str, title: str, desc: str, width: float) -> str:
    out = _open(chart_id, width, 60, title, desc)
    out.append(_text(width / 2, 34, "No data to draw", anchor="middle", color="#777"))
    out.append("</svg>")
    return "\n".join(out)


def bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    value_format: Formatter = compact,
    colors: Sequence[str] | None = None,
    width: float = 640,
) -> str:
    """Horizontal bars, one per label, each with its value written at the end."""
    if not labels:
        return _empty(chart_id, title, desc, width)
    row_h = 26.0
    label_w = min(220.0, 12 + 7.0 * max(len(label) for label in labels))
    value_w = 12 + 7.5 * max(len(value_format(v)) for v in values)
    top, bottom = 8.0, 8.0
    height = top + bottom + row_h * len(labels)
    pw = width - label_w - value_w - 10
    vmax = max(max(values), 0.0) or 1.0
    out = _open(chart_id, width, height, title, desc)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + i * row_h
        color = colors[i % len(colors)] if colors else PALETTE[0]
        bw = max(0.0, value) / vmax * pw
        fits = int((label_w - 12) / 7.0)
        shown = label if len(label) <= fits else label[: fits - 1] + "…"
        out.append(f"<g><title>{escape(label)}: {escape(value_format(value))}</title>")
        out.append(_text(label_w - 8, y + row_h / 2 + 4.5, shown, anchor="end"))
        out.append(
            f'<rect x="{_num(label_w)}" y="{_num(y + 4)}" width="{_num(max(bw, 1.5))}" '
            f'height="{_num(row_h - 8)}" rx="2" fill="{color}"/>'
        )
        out.append(_text(label_w + bw + 6, y + row_h / 2 + 4.5, value_format(value)))
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


# A generous width of one character of label text at the chart's font size (wide fonts
# such as DejaVu Sans, which a PDF falls back to, average about 0.6 em).
CHAR_WIDTH = 0.65 * _FONT
LABEL_GAP = 6.0


def label_width(label: str) -> float:
    return CHAR_WIDTH * len(label)


def category_labels(
    categories: Sequence[str], left: float, group_w: float
) -> list[tuple[float, str]]:
    """The category labels to draw under bars, centred on their group: every one when they
    fit, otherwise every second, third … (the last category always among them), so that
    no two labels come closer than the wider one's width plus a gap."""
    if not categories:
        return []
    longest = max(label_width(c) for c in categories) + LABEL_GAP
    step = max(1, math.ceil(longest / group_w))
    last = len(categories) - 1
    keep = [i for i in range(last, -1, -step)][::-1]
    return [(left + (i + 0.5) * group_w, categories[i]) for i in keep]


def grouped_bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    y_format: Formatter = compact,
    x_label: str = "",
    y_label: str = "",
    width: float = 640,
    height: float = 300,
) -> str:
    """Vertical bars: for each category, one bar per series side by side, with a legend."""
    values = [v for _, vs in series for v in _finite(vs)]
    if not categories or not values:
        return _empty(chart_id, title, desc, width)
    legend_h = _legend_height([name for name, _ in series], width - 20)
    left = 68.0 if y_label else 56.0
    right, top, bottom = 14.0, 14.0 + legend_h, 46.0 if x_label else 30.0
    ticks = nice_ticks(0.0, max(values))
    y1 = ticks[-1]
    pw, ph = width - left - right, height - top - bottom
    group_w = pw / len(categories)
    bar_w = group_w * 0.8 / len(series)
    out = _open(chart_id, width, height, title, desc)
    out += _legend(
        [(name, PALETTE[i % len(PALETTE)], False) for i, (name, _) in enumerate(series)],
        10,
        16,
        width - 20,
    )
    for t in ticks:
        y = top + ph - t / y1 * ph
        out.append(
            f'<line x1="{_num(left)}" x2="{_num(left + pw)}" y1="{_num(y)}" y2="{_num(y)}" '
            f'stroke="{_GRID}"/>'
        )
        out.append(_text(left - 6, y + 4, y_format(t), anchor="end", size=12))
    for c, category in enumerate(categories):
        gx = left + c * group_w + group_w * 0.1
        for i, (name, vs) in enumerate(series):
            v = float(vs[c])
            if not math.isfinite(v):
                continue
            h = max(0.0, v) / y1 * ph
            out.append(
                f'<rect x="{_num(gx + i * bar_w)}" y="{_num(top + ph - h)}" '
                f'width="{_num(bar_w * 0.92)}" height="{_num(h)}" '
                f'fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(category)} · '
                f"{escape(name)}: {escape(y_format(v))}</title></rect>"
            )
    for x, category in category_labels(categories, left, group_w):
        out.append(_text(x, top + ph + 18, category, anchor="middle"))
    out.append(
        f'<line x1="{_num(left)}" x2="{_num(left + pw)}" y1="{_num(top + ph)}" '
        f'y2="{_num(top + ph)}" stroke="{_AXIS}"/>'
    )
    if x_label:
        out.append(_text(left + pw / 2, height - 6, x_label, anchor="middle", size=12))
    if y_label:
        out.append(_y_label(y_label, top + ph / 2))
    out.append("</svg>")
    return "\n".join(out)


def _y_label(label: str, middle: float) -> str:
    return (
        f'<text transform="translate(14 {_num(middle)}) rotate(-90)" '
        f'text-anchor="middle" font-size="12">{escape(label)}</text>'
    )


def _mix(share: float) -> str:
    """A colour from near-white to deep blue for ``share`` in [0, 1]."""
    share = min(1.0, max(0.0, share))
    start, end = (0xF2, 0xF6, 0xFB), (0x0B, 0x3C, 0x73)
    rgb = (round(a + (b - a) * share) for a, b in zip(start, end, strict=True))
    return "#" + "".join(f"{c:02x}" for c in rgb)


def heat_map(
    chart_id: str,
    title: str,
    desc: str,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    values: Sequence[Sequence[float]],
    *,
    value_format: Formatter,
    scale_max: float | None = None,
    x_label: str = "",
    cell_w: float = 44,
    cell_h: float = 24,
) -> str:
    """A grid of shaded cells (darker = higher) with each value written inside.

    NaN cells (periods not reached yet) stay blank. ``scale_max`` fixes the value that gets
    the darkest colour; by default it is the largest value.
    """
    if not row_labels or not col_labels:
        return _empty(chart_id, title, desc, 640)
    flat = [v for row in values for v in _finite(row)]
    top_value = scale_max if scale_max is not None else (max(flat) if flat else 1.0)
    top_value = top_value or 1.0
    label_w = 14 + 7.0 * max(len(label) for label in row_labels)
    top = 36.0 if x_label else 22.0
    width = label_w + cell_w * len(col_labels) + 8
    height = top + cell_h * len(row_labels) + 6
    out = _open(chart_id, width, height, title, desc)
    if x_label:
        out.append(_text(label_w, 13, x_label, size=12, color="#555"))
    for j, col in enumerate(col_labels):
        out.append(_text(label_w + (j + 0.5) * cell_w, top - 6, col, anchor="middle", size=12))
    for i, (label, row) in enumerate(zip(row_labels, values, strict=True)):
        y = top + i * cell_h
        out.append(_text(label_w - 8, y + cell_h / 2 + 4.5, label, anchor="end", size=12))
        for j, v in enumerate(row):
            if v is None or not math.isfinite(float(v)):
                continue
            share = float(v) / top_value
            text_color = "#fff" if share > 0.45 else _INK
            x = label_w + j * cell_w
            out.append(
                f"<g><title>{escape(label)}, {escape(col_labels[j])}: "
                f"{escape(value_format(float(v)))}</title>"
                f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(cell_w - 2)}" '
                f'height="{_num(cell_h - 2)}" fill="{_mix(share)}"/>'
                + _text(
                    x + (cell_w - 2) / 2,
                    y + cell_h / 2 + 3.5,
                    value_format(float(v)),
                    anchor="middle",
                    size=11,
                    color=text_color,
                )
                + "</g>"
            )
    out.append("</svg>")
    return "\n".join(out)


def histogram(
    chart_id: str,
    title: str,
    desc: str,
    edges: Sequence[float],
    counts: Sequence[float],
    *,
    x_format: Formatter = compact,
    x_label: str = "",
    y_label: str = "customers",
    width: float = 640,
    height: float = 280,
) -> str:
    """Adjacent bars for ``counts`` over bins ``edges[i]..edges[i+1]``."""
    if len(counts) == 0 or sum(counts) == 0:
        return _empty(chart_id, title, desc, width)
    left, right, top, bottom = 62.0, 16.0, 12.0, 46.0 if x_label else 30.0
    pw, ph = width - left - right, height - top - bottom
    ticks = nice_ticks(0.0, float(max(counts)))
    y1 = ticks[-1]
    n = len(counts)
    bw = pw / n
    out = _open(chart_id, width, height, title, desc)
    for t in ticks:
        y = top + ph - t / y1 * ph
        out.append(
            f'<line x1="{_num(left)}" x2="{_num(left + pw)}" y1="{_num(y)}" y2="{_num(y)}" '
            f'stroke="{_GRID}"/>'
        )
        out.append(_text(left - 6, y + 4, compact(t), anchor="end", size=12))
    for i, c in enumerate(counts):
        h = float(c) / y1 * ph
        out.append(
            f'<rect x="{_num(left + i * bw + 0.5)}" y="{_num(top + ph - h)}" '
            f'width="{_num(max(bw - 1, 0.5))}" height="{_num(h)}" fill="{PALETTE[0]}">'
            f"<title>{escape(x_format(edges[i]))}–{escape(x_format(edges[i + 1]))}: "
            f"{escape(compact(float(c)))} {escape(y_label)}</title></rect>"
        )
    out.append(
        f'<line x1="{_num(left)}" x2="{_num(left + pw)}" y1="{_num(top + ph)}" '
        f'y2="{_num(top + ph)}" stroke="{_AXIS}"/>'
    )
    longest = max(len(x_format(e)) for e in edges)
    room = max(1, int(pw // (7.0 * longest + 16)))
    # Label every k-th edge with k from a round series, so labels land on round values.
    every = next((k for k in (1, 2, 4, 5, 10, 20, 25, 50) if len(edges) / k <= room), 100)
    for i in range(0, len(edges), every):
        x = left + i * bw
        out.append(
            f'<line x1="{_num(x)}" x2="{_num(x)}" y1="{_num(top + ph)}" y2="{_num(top + ph + 5)}" '
            f'stroke="{_AXIS}"/>'
        )
        out.append(_text(x, top + ph + 19, x_format(edges[i]), anchor="middle", size=12))
    if x_label:
        out.append(_text(left + pw / 2, height - 6, x_label, anchor="middle", size=12))
    out.append(_y_label(y_label, top + ph / 2))
    out.append("</svg>")
    return "\n".join(out)
