"""The journey map page at ``growth/journey/``: the latest stored map; editors can ask
the worker for a new one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from thrive.core.roles import can_edit, role_required

from . import journey_queries
from .journey_chart import duration, process_map
from .journey_map import LABELS, MIN_PEOPLE
from .tasks import refresh_journey_map_task


def _path(t: dict[str, Any]) -> dict[str, Any]:
    return {
        **t,
        "from_label": LABELS.get(t["from"], t["from"]),
        "to_label": LABELS.get(t["to"], t["to"]),
        "median": duration(t["median_hours"]),
    }


@require_http_methods(["GET", "POST"])
@role_required("edit", writes_only=True)
def journey(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        refresh_journey_map_task.enqueue()
        messages.success(
            request, "The journey map is being recomputed in the background; reload shortly."
        )
        return redirect("growth_journey")
    stored = journey_queries.latest()
    payload = stored.payload if stored else {}
    steps = payload.get("steps", [])
    slowest = payload.get("slowest")
    paths = [_path(t) for t in payload.get("transitions", [])]
    slow = next((p for p in paths if slowest and [p["from"], p["to"]] == slowest), None)
    leakiest = next((s for s in steps if s["kind"] == payload.get("leakiest")), None)
    return render(
        request,
        "growth/journey.html",
        {
            "here": "growth",
            "section": "journey",
            "can_edit": can_edit(request.user),
            "stored": stored,
            "payload": payload,
            "steps": [{**s, "usual": duration(s["usual_hours"])} for s in steps],
            "paths": paths,
            "slow": slow,
            "leakiest": leakiest,
            "chart": process_map(payload),
            "min_people": payload.get("enough", MIN_PEOPLE),
        },
    )
