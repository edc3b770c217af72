"""The journey map drawn as a process map (server-side SVG): steps left to right in the
order people usually reach them, arrows for the paths between them (thicker = more
people, labelled with people and median time), the slowest path and the leakiest step in
red. Every label is escaped."""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_EDGES = 16
NODE_W, NODE_H, GAP = 128.0, 58.0, 36.0
RED, INK, LINE = "#b91c1c", "#222", "#1f5f99"


def duration(hours: float | None) -> str:
    if hours is None:
        return "—"
    if hours < 1:
        return f"{hours * 60:.0f} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"


def process_map(payload: dict[str, Any]) -> SafeString:
    steps = payload.get("steps") or []
    if not steps:
        return mark_safe("")  # noqa: S308 - constant
    index = {s["kind"]: i for i, s in enumerate(steps)}
    labels = {s["kind"]: s["label"] for s in steps}
    edges = [t for t in payload.get("transitions", []) if t["from"] in index and t["to"] in index]
    edges = edges[:MAX_EDGES]
    slowest = tuple(payload.get("slowest") or ())
    leakiest = payload.get("leakiest")
    most = max((t["people"] for t in edges), default=1)
    span = max((index[t["to"]] - index[t["from"]] for t in edges), default=1)
    back = max((index[t["from"]] - index[t["to"]] for t in edges), default=0)
    lift = 34.0
    top = 30.0 + lift * max(span, 1)
    width = 20 + len(steps) * (NODE_W + GAP)
    height = top + NODE_H + 20 + lift * max(back, 0)
    y_mid = top + NODE_H / 2

    def cx(i: int) -> float:
        return 20 + i * (NODE_W + GAP) + NODE_W / 2

    out = [
        f'<svg id="journey-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} '
        f'{height:.0f}" width="{width:.0f}" height="{height:.0f}" role="img" '
        'aria-labelledby="journey-map-title">'
        '<title id="journey-map-title">Customer journey found in the timeline</title>'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="10" '
        'markerHeight="10" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" '
        'fill="context-stroke"/></marker></defs>'
    ]
    for t in edges:
        a, b = index[t["from"]], index[t["to"]]
        forward = b > a
        hop = abs(b - a)
        x1 = cx(a) + (NODE_W / 4 if forward else -NODE_W / 4)
        x2 = cx(b) - (NODE_W / 4 if forward else -NODE_W / 4)
        y = top if forward else top + NODE_H
        bend = y - lift * hop if forward else y + lift * hop
        red = (t["from"], t["to"]) == slowest
        stroke = RED if red else LINE
        w = 1.2 + 6 * t["people"] / most
        out.append(
            f'<path d="M{x1:.1f},{y:.1f} Q{(x1 + x2) / 2:.1f},{bend:.1f} {x2:.1f},{y:.1f}" '
            f'fill="none" stroke="{stroke}" stroke-width="{w:.1f}" stroke-opacity="0.7" '
            f'marker-end="url(#arrow)"><title>{escape(labels[t["from"]])} → '
            f"{escape(labels[t['to']])}: {t['people']} people, median "
            f"{escape(duration(t['median_hours']))}</title></path>"
        )
        ty = (y + bend) / 2 - (3 if forward else -11)
        out.append(
            f'<text x="{(x1 + x2) / 2:.1f}" y="{ty:.1f}" text-anchor="middle" font-size="11" '
            f'fill="{stroke}">{t["people"]} · {escape(duration(t["median_hours"]))}'
            f"{' · slowest' if red else ''}</text>"
        )
    for i, s in enumerate(steps):
        x = 20 + i * (NODE_W + GAP)
        leak = s["kind"] == leakiest
        border = RED if leak else "#888"
        out.append(
            f'<rect x="{x:.1f}" y="{top:.1f}" width="{NODE_W:.0f}" height="{NODE_H:.0f}" '
            f'rx="8" fill="#fff" stroke="{border}" stroke-width="{2.5 if leak else 1}"/>'
        )
        out.append(
            f'<text x="{x + NODE_W / 2:.1f}" y="{y_mid - 9:.1f}" text-anchor="middle" '
            f'font-size="13" font-weight="bold" fill="{INK}">{escape(s["label"])}</text>'
        )
        out.append(
            f'<text x="{x + NODE_W / 2:.1f}" y="{y_mid + 7:.1f}" text-anchor="middle" '
            f'font-size="11" fill="{INK}">{s["reached"]} reached</text>'
        )
        stalled = f"{s['stalled']} stalled ({s['leak']:.0%})" if s["stalled"] else "none stalled"
        out.append(
            f'<text x="{x + NODE_W / 2:.1f}" y="{y_mid + 21:.1f}" text-anchor="middle" '
            f'font-size="11" fill="{RED if leak else INK}">{stalled}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every label above is escaped
