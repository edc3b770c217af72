"""The inbox's cards on the dashboard (through analytics' KPI-source hook): median first
response in business hours and CSAT over the 90-day window, each opening the
conversations it counts."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from django.urls import reverse

from thrive.analytics.dashboard import kpi

from . import hours
from .models import Conversation, CsatRequest
from .queries import moment


def _median_first_response(start: dt.datetime, end: dt.datetime) -> tuple[float | None, int]:
    rows = list(
        Conversation.objects.filter(first_response_at__gte=start, first_response_at__lt=end)
        .values_list("created_at", "first_response_at")
    )  # fmt: skip
    rows = [(a, b) for a, b in rows if b is not None]
    if not rows:
        return None, 0
    settings = hours.current_settings()
    minutes = [hours.business_minutes_between(a, b, settings) for a, b in rows if b]
    return statistics.median(minutes) / 60, len(rows)


def _csat(start: dt.datetime, end: dt.datetime) -> tuple[float | None, int, int]:
    scores = list(
        CsatRequest.objects.filter(answered_at__gte=start, answered_at__lt=end)
        .exclude(score__isnull=True).values_list("score", flat=True)
    )  # fmt: skip
    if not scores:
        return None, 0, 0
    happy = sum(1 for s in scores if (s or 0) >= 4)
    return happy / len(scores), happy, len(scores)


def service_kpis(
    cur_start: dt.datetime, cur_end: dt.datetime, prev_start: dt.datetime, prev_end: dt.datetime
) -> list[dict[str, Any]]:
    window = f"since={moment(cur_start)}&until={moment(cur_end)}"
    inbox = reverse("inbox")
    first, answered = _median_first_response(cur_start, cur_end)
    first_prev, _ = _median_first_response(prev_start, prev_end)
    rate, happy, answers = _csat(cur_start, cur_end)
    rate_prev, _h, _n = _csat(prev_start, prev_end)
    return [
        kpi(
            "first_response", "Median first response, last 90 days", first,
            previous=first_prev, unit="hours", better="down",
            formula="Median business hours from a customer's email to the first reply from "
            "Thrive, over conversations first answered in the window.",
            data=f"{answered} conversations answered.",
            lists=[{"kind": "conversations", "words": "conversations answered",
                    "count": answered,
                    "link": f"{inbox}?status=all&measure=answered&{window}"}],
        ),
        kpi(
            "csat", "Satisfaction after support (CSAT), last 90 days", rate,
            previous=rate_prev, unit="%",
            formula="Answers of 4 or 5 ÷ all answers to “How satisfied are you with the "
            "help you got?” (1–5), asked once after a conversation is resolved.",
            data=f"{happy} of {answers} answers 4 or 5." if answers else "No answers yet.",
            lists=[{"kind": "conversations", "words": "conversations rated",
                    "count": answers,
                    "link": f"{inbox}?status=all&measure=csat&{window}"}],
        ),
    ]  # fmt: skip
