"""The command palette's search: the top bar's search box asks it as the associate types."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from . import queries


@require_GET
def palette_search(request: HttpRequest) -> JsonResponse:
    """Pages and records matching ``q``, as JSON. Signing in is the middleware's job; every
    role may read what is found here (the query leaves out pages a role cannot open)."""
    results = queries.palette_search(request.user, request.GET.get("q", ""))
    response = JsonResponse({"results": results})
    response["Cache-Control"] = "private, no-store"
    return response
