"""The dashboard's voice KPIs: NPS over the last 90 days and idea time to market.

Analytics composes the dashboard but sits below voice; it asks for these through the KPI
sources voice registers at start-up (``VoiceConfig.ready``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from thrive.analytics import figures
from thrive.analytics.dashboard import as_float, kpi
from thrive.contacts.models import Person

from . import queries as voice
from .models import SurveyResponse


def nps_respondents(as_of: dt.date) -> QuerySet[Person]:
    """The people who answered in the 90 days the NPS card counts."""
    start, end = figures.window(as_of)
    answered = SurveyResponse.objects.filter(answered_at__gte=start, answered_at__lt=end)
    return Person.objects.filter(pk__in=answered.values("person_id"))


def voice_kpis(
    cur_start: dt.datetime, cur_end: dt.datetime, prev_start: dt.datetime, prev_end: dt.datetime
) -> list[dict[str, Any]]:
    """NPS from the survey answers in the window (math in insights.nps), and how long
    shipped ideas took."""
    kpis: list[dict[str, Any]] = []
    as_of = cur_end.astimezone(figures.commerce_queries.business_zone()).date()
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
        spark=[as_float(r.score) for _, r in nps_months],
        lists=[{"kind": "people", "key": "nps_respondents", "words": "people who answered",
                "link": figures.people_link("nps_respondents", as_of),
                "count": nps_respondents(as_of).count()}],
    ))  # fmt: skip
    ttm = voice.idea_time_to_market()
    kpis.append(kpi(
        "time_to_market", "Idea time to market, median days",
        ttm.median_days if ttm.n_done else None, better="down",
        formula="Median days from an idea's creation to “done”, over shipped ideas; per "
        "month of completion in the sparkline.",
        data=f"{ttm.n_done} shipped, {ttm.n_open} open (declined and merged ideas excluded).",
        spark=[as_float(v) for v in ttm.monthly_median_days[-12:]],
        lists=[{"kind": "ideas", "link": "/voice/?status=done", "count": ttm.n_done,
                "words": "shipped ideas"}],
    ))  # fmt: skip
    return kpis
