"""Where the themes page reads what customers say: NPS comments and ideas, and any source
another app registers (a shared inbox's conversations, say) without voice importing it.

An app above voice registers its messages in its ``AppConfig.ready``::

    from thrive.voice.themes_sources import Said, register_theme_source

    register_theme_source("conversations", "Conversations", fetch)

where ``fetch(since, limit)`` returns at most ``limit`` :class:`Said`, newest first, said
at or after ``since``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse

from .models import Idea, SurveyResponse


@dataclass(frozen=True)
class Said:
    source: str
    ref: str
    text: str
    at: dt.datetime
    url: str = ""


Fetch = Callable[[dt.datetime, int], Iterable[Said]]
SOURCES: dict[str, tuple[str, Fetch]] = {}


def register_theme_source(key: str, label: str, fetch: Fetch) -> None:
    """Add (or replace) a source of customers' messages for the themes."""
    SOURCES[key] = (label, fetch)


def source_label(key: str) -> str:
    return SOURCES.get(key, (key, None))[0]


def nps_comments(since: dt.datetime, limit: int) -> Iterable[Said]:
    rows = (
        SurveyResponse.objects.filter(answered_at__gte=since).exclude(comment="")
        .order_by("-answered_at", "-pk").values_list("pk", "comment", "answered_at", "survey_id")
    )[:limit]  # fmt: skip
    for pk, comment, at, survey_id in rows:
        yield Said("nps", str(pk), comment, at, reverse("voice_survey", args=[survey_id]))


def ideas(since: dt.datetime, limit: int) -> Iterable[Said]:
    rows = (
        Idea.objects.filter(created_at__gte=since, merged_into__isnull=True)
        .order_by("-created_at", "-pk").values_list("pk", "title", "body", "created_at")
    )[:limit]  # fmt: skip
    for pk, title, body, at in rows:
        text = f"{title}. {body}".strip(". ") if body else title
        yield Said("idea", str(pk), text, at, reverse("voice_staff_idea", args=[pk]))


register_theme_source("nps", "NPS comments", nps_comments)
register_theme_source("idea", "Ideas", ideas)
