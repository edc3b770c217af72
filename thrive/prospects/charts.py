"""The reliability diagram of the lead model as server-rendered SVG."""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

W, H, PAD = 320, 320, 40


def reliability_chart(rows: list[dict[str, Any]]) -> SafeString:
    """Predicted (x) against observed (y) per decile, on a 0..top scale with the diagonal
    of perfect calibration; each dot's area follows its count."""
    top = max(0.05, *(max(r["predicted"], r["observed"]) for r in rows))
    top = min(1.0, round(top * 1.15 + 0.005, 2))
    span = W - 2 * PAD

    def x(v: float) -> str:
        return f"{PAD + span * v / top:.1f}"

    def y(v: float) -> str:
        return f"{H - PAD - span * v / top:.1f}"

    dots = format_html_join(
        "", '<circle cx="{}" cy="{}" r="5" fill="#0f766e"><title>{}</title></circle>',
        ((x(r["predicted"]), y(r["observed"]),
          f"predicted {r['predicted']:.1%}, observed {r['observed']:.1%} of {r['count']}")
         for r in rows),
    )  # fmt: skip
    ticks = format_html_join(
        "", '<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>'
        '<text x="{}" y="{}" font-size="11" text-anchor="end">{}</text>',
        ((x(t), H - PAD + 16, f"{t:.0%}", PAD - 6, f"{float(y(t)) + 4:.1f}", f"{t:.0%}")
         for t in (0, top / 2, top)),
    )  # fmt: skip
    return format_html(
        '<svg viewBox="0 0 {} {}" width="320" height="320" role="img" class="reliability" '
        'aria-label="Reliability: predicted against observed share becoming clients">'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#9ca3af" stroke-dasharray="4 4"/>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#374151"/>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#374151"/>'
        "{}{}"
        '<text x="{}" y="{}" font-size="12" text-anchor="middle">predicted chance</text>'
        '<text x="12" y="{}" font-size="12" transform="rotate(-90 12 {})" '
        'text-anchor="middle">observed share</text></svg>',
        W, H, PAD, H - PAD, x(top), y(top), PAD, H - PAD, W - PAD, H - PAD,
        PAD, PAD, PAD, H - PAD, dots, ticks, W // 2, H - 6, H // 2, H // 2,
    ) if rows else mark_safe("")  # fmt: skip
