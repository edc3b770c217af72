"""The dashboard's voice KPIs: NPS over the last 90 days and idea time to market.

Analytics composes the dashboard but sits below voice; it asks for these through the KPI
sources voice registers at start-up (``VoiceConfig.ready``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from thrive.analytics.dashboard import as_float, kpi

from . import queries as voice


def voice_kpis(
    cur_start: dt.datetime, cur_end: dt.datetime, prev_start: dt.datetime, prev_end: dt.datetime
) -> list[dict[str, Any]]:
    """NPS from the survey answers in the window (math in insights.nps), and how long
    shipped ideas took."""
    kpis: list[dict[str, Any]] = []
    nps_now = voice.nps_between(cur_start, cur_end)
    nps_prev = voice.nps_between(prev_start, prev_end)
    nps_months = voice.nps_by_month(voice.responses())[-12:]
    kpis.append(kpi(
        "nps", "Net Promoter Score, last 90 days", nps_now.score if nps_now else None,
        previous=nps_prev.score if nps_prev else None, unit="points",
        formula="% promoters (9–10) − % detractors (0–6), with a 95% adjusted-Wald interval "
        "(Rocks 2016).",
        data=(f"{nps_now.n} answers: {nps_now.promoters} promoters, {nps_now.passives} "
              f"passives, {nps_now.detractors} detractors; 95% interval "
              f"{nps_now.adjusted_ci_low:+.0f} to {nps_now.adjusted_ci_high:+.0f}."
              if nps_now else "No survey answers in the last 90 days."),
        link="/voice/surveys/", spark=[as_float(r.score) for _, r in nps_months],
    ))  # fmt: skip
    ttm = voice.idea_time_to_market()
    kpis.append(kpi(
        "time_to_market", "Idea time to market, median days",
        ttm.median_days if ttm.n_done else None, better="down",
        formula="Median days from an idea's creation to “done”, over shipped ideas; per "
        "month of completion in the sparkline.",
        data=f"{ttm.n_done} shipped, {ttm.n_open} open (declined and merged ideas excluded).",
        link="/voice/", spark=[as_float(v) for v in ttm.monthly_median_days[-12:]],
    ))  # fmt: skip
    return kpis
