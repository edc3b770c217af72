"""Segment pages: the list, a segment, the rule editor, deleting, and the live count.

Thin: parse, call a query or service, render. Read-only associates see everything but
get 403 from every page or request that could change a segment.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from thrive.core.roles import role_required

from . import queries, services
from .forms import SegmentForm
from .models import Segment, empty_rules
from .rules import References, describe_rules, editor_registry, rules_from_text, summary_text

log = logging.getLogger(__name__)

PAGE_SIZE = 50
MEMBERS_SHOWN = 50


@require_GET
def segment_list(request: HttpRequest) -> HttpResponse:
    """The list shows at once; each row's count is fetched on its own
    (:func:`segment_count`), so one slow segment never holds up the page."""
    segments = Segment.objects.select_related("created_by").order_by("name", "pk")
    page = Paginator(segments, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(segment, segment.condition() is not None) for segment in page.object_list]
    return render(request, "contacts/segments/list.html", {"page": page, "rows": rows})


@require_GET
def segment_count(request: HttpRequest, pk: int) -> JsonResponse:
    """``{"count": N, "text": "1,234"}``: how many people the saved segment holds now, the
    same number its page and the people list show; 400 when its rules need fixing."""
    segment = get_object_or_404(Segment, pk=pk)
    condition = segment.condition()
    if condition is None:
        return JsonResponse({"error": "Rules need fixing"}, status=400)
    count = segment.people().count()
    return JsonResponse({"count": count, "text": intcomma(count)})


@require_GET
def segment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    segment = get_object_or_404(Segment.objects.select_related("created_by"), pk=pk)
    problems = segment.rules_problems()
    context: dict[str, Any] = {
        "segment": segment,
        "problems": problems,
        "people_url": f"{reverse('people')}?segment={segment.pk}",
        "members_shown": MEMBERS_SHOWN,
    }
    if not problems:
        context["summary"] = describe_rules(segment.rules)
        context["count"] = segment.people().count()
        context["members"] = queries.first_members(segment, MEMBERS_SHOWN)
    return render(request, "contacts/segments/detail.html", context)


@require_http_methods(["GET", "POST"])
@role_required("edit")
def segment_new(request: HttpRequest) -> HttpResponse:
    return _editor(request, None)


@require_http_methods(["GET", "POST"])
@role_required("edit")
def segment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _editor(request, get_object_or_404(Segment, pk=pk))


def _editor(request: HttpRequest, segment: Segment | None) -> HttpResponse:
    """Create or edit. "Update preview" (for browsers without the script) re-renders
    the count and plain words for the rules as written, without saving."""
    references = References()
    rules: dict[str, Any] | None = None
    if request.method == "POST":
        previewing = "preview" in request.POST
        form = SegmentForm(request.POST, references=references, previewing=previewing)
        valid = form.is_valid()
        rules = form.cleaned_data.get("rules")
        if valid and not previewing:
            saved = _save(request, form, segment)
            if saved is not None:
                return redirect(saved)
    else:
        rules = segment.rules if segment else empty_rules()
        form = SegmentForm(
            initial={
                "name": segment.name if segment else "",
                "description": segment.description if segment else "",
                "rules": SegmentForm.rules_text(rules),
            },
            references=references,
        )
        if segment and segment.rules_problems():
            rules = None
    context: dict[str, Any] = {
        "form": form,
        "segment": segment,
        "registry": editor_registry(references=references),
        "preview_url": reverse("segment_preview"),
    }
    if rules is not None:
        context["summary"] = describe_rules(rules, references=references)
        context["count"] = queries.count_matching(rules)
    return render(request, "contacts/segments/edit.html", context)


def _save(request: HttpRequest, form: SegmentForm, segment: Segment | None) -> Segment | None:
    data = form.cleaned_data
    fields = {"name": data["name"], "description": data["description"], "rules": data["rules"]}
    try:
        if segment is None:
            saved = services.create_segment(actor=request.user, **fields)
        else:
            saved = services.update_segment(segment, actor=request.user, **fields)
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    messages.success(request, f"Segment “{saved.name}” saved.")
    return saved


@require_http_methods(["GET", "POST"])
@role_required("edit")
def segment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    segment = get_object_or_404(Segment, pk=pk)
    if request.method == "POST":
        services.delete_segment(segment, actor=request.user)
        messages.success(request, f"Segment “{segment.name}” deleted.")
        return redirect("segments")
    return render(request, "contacts/segments/delete.html", {"segment": segment})


@require_GET
def segment_preview(request: HttpRequest) -> JsonResponse:
    """``?rules=<JSON>`` → ``{"count": N, "summary": "…"}``, or 400 with
    ``{"errors": [{"path": …, "message": …}]}``. Never a server error."""
    references = References()
    cleaned, errors = rules_from_text(request.GET.get("rules", ""), references=references)
    if cleaned is None:
        return JsonResponse({"errors": [error.as_dict() for error in errors]}, status=400)
    try:
        count = queries.count_matching(cleaned)
    except DatabaseError:
        # Validated rules always compile to valid SQL; if the database still refuses,
        # the editor shows a message and the log keeps the details.
        log.exception("Counting a segment preview failed")
        message = "These rules could not be counted; please report this."
        return JsonResponse({"errors": [{"path": "", "message": message}]}, status=400)
    return JsonResponse({"count": count, "summary": summary_text(cleaned, references=references)})
