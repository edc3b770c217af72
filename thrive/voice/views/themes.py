"""``/voice/themes/``: themes in what customers say, their trend and sentiment, and ideas
that probably duplicate each other (each with a link to the merge)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from thrive.core.roles import can_edit, role_required

from .. import themes_model
from ..models import ThemeMessage, ThemeRun, ThemeRunState
from ..themes_runs import PENDING_FOR, SAMPLES_PER_THEME, TREND, WINDOW, request_theme_run
from ..themes_sources import SOURCES, source_label

# Every message of one theme, most negative first (what to read first), at most this many.
MESSAGES_LISTED = 300


def _themes_with_samples(run: ThemeRun) -> list[dict[str, Any]]:
    shown = []
    for theme in run.themes:
        samples = list(
            ThemeMessage.objects.filter(run=run, theme=theme["index"])
            .order_by("-said_at", "-pk")[:SAMPLES_PER_THEME]
        )  # fmt: skip
        for message in samples:
            message.source_label = source_label(message.source)  # type: ignore[attr-defined]
        change = theme["recent"] - theme["previous"]
        neutral = theme["count"] - theme["negative"] - theme["positive"]
        labels = [source_label(key) for key in theme.get("sources", [])]
        shown.append({**theme, "samples": samples, "change": change, "neutral": neutral,
                      "source_labels": labels})  # fmt: skip
    return shown


@require_GET
def themes(request: HttpRequest) -> HttpResponse:
    run = ThemeRun.objects.filter(state=ThemeRunState.DONE).first()
    pending = ThemeRun.objects.filter(
        state__in=[ThemeRunState.QUEUED, ThemeRunState.RUNNING],
        requested_at__gte=timezone.now() - PENDING_FOR,
    ).first()
    failed = ThemeRun.objects.filter(state=ThemeRunState.FAILED).first()
    if failed and run and failed.requested_at < run.requested_at:
        failed = None
    other = ThemeMessage.objects.filter(run=run, theme=themes_model.OTHER).count() if run else 0
    shown = _themes_with_samples(run) if run else []
    chosen = next((t for t in shown if str(t["index"]) == request.GET.get("theme")), None)
    listed = []
    if run and chosen:
        listed = list(ThemeMessage.objects.filter(run=run, theme=chosen["index"])
                      .order_by("sentiment", "-said_at", "pk")[:MESSAGES_LISTED])  # fmt: skip
        for message in listed:
            message.source_label = source_label(message.source)  # type: ignore[attr-defined]
    return render(request, "voice/themes.html", {
        "run": run, "pending": pending, "failed": failed, "other": other,
        "themes": shown, "chosen": chosen, "listed": listed, "listed_max": MESSAGES_LISTED,
        "sources": [label for label, _ in SOURCES.values()],
        "trend_days": TREND.days, "window_days": WINDOW.days,
        "threshold": themes_model.DUPLICATE_THRESHOLD, "can_edit": can_edit(request.user),
        "section": "themes",
    })  # fmt: skip


@require_POST
@role_required("edit")
def themes_refresh(request: HttpRequest) -> HttpResponse:
    run = request_theme_run(actor=request.user)
    messages.success(request, "The themes are being computed in the background; "
                     f"reload this page in a minute (run {run.pk}).")  # fmt: skip
    return redirect("voice_themes")
