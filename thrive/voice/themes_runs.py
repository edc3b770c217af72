"""Computing the themes in the background (bounded work) and keeping the result.

``request_theme_run`` queues a run (one at a time); ``thrive worker`` runs
``compute_themes`` through ``tasks.compute_themes_task``. Each run reads at most
``MAX_MESSAGES`` messages of the last year (newest first), each cut to ``TEXT_MAX``
characters, so a busy year takes seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from thrive.core.roles import check_actor

from . import themes_model
from .models import Idea, ThemeMessage, ThemeRun, ThemeRunState
from .themes_sources import SOURCES

log = logging.getLogger(__name__)

MAX_MESSAGES = 3000
MAX_IDEAS_COMPARED = 500
TEXT_MAX = 1000
WINDOW = dt.timedelta(days=365)
TREND = dt.timedelta(days=90)
SAMPLES_PER_THEME = 5
# A run asked for this long ago and not finished is taken as lost (a stopped worker).
PENDING_FOR = dt.timedelta(hours=1)


def request_theme_run(*, actor: Any) -> ThemeRun:
    """Queue a new computation, or return the one already waiting or running."""
    check_actor(actor)
    pending = ThemeRun.objects.filter(
        state__in=[ThemeRunState.QUEUED, ThemeRunState.RUNNING],
        requested_at__gte=timezone.now() - PENDING_FOR,
    ).first()
    if pending is not None:
        return pending
    run = ThemeRun.objects.create(requested_by=actor)
    from .tasks import compute_themes_task

    transaction.on_commit(lambda: compute_themes_task.enqueue(run.pk))
    return run


def _gather(now: dt.datetime) -> list[Any]:
    said = []
    per_source = MAX_MESSAGES // max(len(SOURCES), 1)
    for key, (_label, fetch) in SOURCES.items():
        try:
            said.extend(list(fetch(now - WINDOW, per_source))[:per_source])
        except Exception:  # one broken source must not stop the others
            log.exception("Theme source %s failed", key)
    return [s for s in said if s.text.strip()]


def compute_themes(run_id: int, *, now: dt.datetime | None = None) -> ThemeRun:
    """Group every source's messages into themes, score their sentiment, flag ideas that
    probably duplicate each other, and store it all on the run."""
    now = now or timezone.now()
    run = ThemeRun.objects.get(pk=run_id)
    if run.state == ThemeRunState.DONE:
        return run
    ThemeRun.objects.filter(pk=run.pk).update(state=ThemeRunState.RUNNING)
    try:
        said = _gather(now)
        texts = [s.text[:TEXT_MAX] for s in said]
        grouping = themes_model.group(texts)
        feelings = [themes_model.sentiment(t) for t in texts]
        themes = []
        for index, top in enumerate(grouping.themes):
            members = [i for i, label in enumerate(grouping.labels) if label == index]
            if not members:
                continue
            themes.append(_theme_row(index, top, members, said, feelings, now))
        themes.sort(key=lambda t: (-t["count"], t["label"]))
        duplicates = _duplicates()
        with transaction.atomic():
            ThemeMessage.objects.filter(run=run).delete()
            ThemeMessage.objects.bulk_create([
                ThemeMessage(run=run, source=s.source, ref=s.ref[:40], url=s.url[:200],
                             text=texts[i], said_at=s.at, theme=grouping.labels[i],
                             sentiment=feelings[i][0], feeling=feelings[i][1])
                for i, s in enumerate(said)
            ], batch_size=500)  # fmt: skip
            run.state = ThemeRunState.DONE
            run.finished_at = timezone.now()
            run.message_count = len(said)
            run.themes = themes
            run.duplicates = duplicates
            run.error = ""
            run.save()
    except Exception as exc:
        log.exception("Theme run %s failed", run.pk)
        ThemeRun.objects.filter(pk=run.pk).update(
            state=ThemeRunState.FAILED, finished_at=timezone.now(), error=str(exc)[:500]
        )
        run.refresh_from_db()
    return run


def _theme_row(index: int, top: list[str], members: list[int], said: list[Any],
               feelings: list[tuple[float, str]], now: dt.datetime) -> dict[str, Any]:  # fmt: skip
    recent = sum(1 for i in members if said[i].at >= now - TREND)
    previous = sum(1 for i in members if now - 2 * TREND <= said[i].at < now - TREND)
    return {
        "index": index,
        "label": ", ".join(top),
        "terms": top,
        "count": len(members),
        "recent": recent,
        "previous": previous,
        "negative": sum(1 for i in members if feelings[i][1] == "negative"),
        "positive": sum(1 for i in members if feelings[i][1] == "positive"),
        "sources": sorted({said[i].source for i in members}),
    }


def _duplicates() -> list[dict[str, Any]]:
    """Live ideas (not merged) that probably ask for the same thing."""
    rows = list(
        Idea.objects.filter(merged_into__isnull=True)
        .order_by("-created_at", "-pk").values_list("pk", "title", "body")[:MAX_IDEAS_COMPARED]
    )  # fmt: skip
    titles = {pk: title for pk, title, _ in rows}
    pairs = themes_model.likely_duplicates([(pk, f"{t} {b}"[:TEXT_MAX]) for pk, t, b in rows])
    return [
        {"a": a, "b": b, "a_title": titles[a], "b_title": titles[b], "similarity": sim}
        for a, b, sim in pairs[:50]
    ]
