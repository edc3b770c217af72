"""The one status view pattern: the app checks who may see the job, then returns this."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse

from .models import BackgroundJob


def status_response(job: BackgroundJob | None, **extra: Any) -> JsonResponse:
    """``job.status_json()`` as JSON (what ``core/jobs.js`` polls); no job: an idle status."""
    if job is None:
        body: dict[str, Any] = {
            "id": None, "kind": "", "state": "", "percent": 0, "done": 0, "total": 0,
            "words": "", "active": False, "finished": False, "failed": False, "error": "",
        }  # fmt: skip
    else:
        body = job.status_json()
    body.update(extra)
    response = JsonResponse(body)
    response["Cache-Control"] = "no-store"
    return response
