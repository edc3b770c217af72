"""The Data page: CSV lists, full exports with a progress bar, erasure. Thin views."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from thrive.contacts.models import Person
from thrive.core.jobs import status_response
from thrive.core.roles import can_manage, role_required
from thrive.segments.models import Segment

from . import jobs, lists, queries
from .erasure import erase_person, erasure_of
from .models import ExportRun


def data_home(request: HttpRequest) -> HttpResponse:
    owner = can_manage(request.user)
    runs = queries.recent_exports(5) if owner else []
    kinds = lists.common_kinds()
    counts = lists.row_counts([model for _, model in kinds])
    common = [
        (kind, *counts[model], lists.may_download(request.user, model)) for kind, model in kinds
    ]
    tables = [
        (name, title, lists.may_download(request.user, model))
        for name, title, model in lists.all_tables()
    ]
    return render(
        request,
        "portability/data.html",
        {
            "here": "data",
            "common": common,
            "tables": tables,
            "runs": runs,
            "current": runs[0] if runs and runs[0].in_flight else None,
            "erasures": queries.recent_erasures(20) if owner else [],
        },
    )


def export_csv(request: HttpRequest, kind: str) -> StreamingHttpResponse:
    model = lists.resolve(kind)
    if model is None:
        raise Http404("There is no such list.")
    if not lists.may_download(request.user, model):
        raise PermissionDenied("Your role cannot download this list.")
    return _csv_response(lists.csv_lines(model), kind)


def export_segment(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    segment = get_object_or_404(Segment, pk=pk)
    if not lists.may_download(request.user, Person):
        raise PermissionDenied("Your role cannot download this list.")
    if segment.rules_problems():
        raise Http404("This segment's rules need fixing before it has members.")
    return _csv_response(lists.csv_lines(Person, segment.people()), f"segment-{segment.pk}")


def _csv_response(lines, name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response


@require_POST
@role_required("manage")
def backup_start(request: HttpRequest) -> HttpResponse:
    run = jobs.request_export(actor=request.user)
    messages.success(request, "The export is being written in the background.")
    return redirect(reverse("data") + f"#run-{run.pk}")


@role_required("manage")
def backup_status(request: HttpRequest, pk: int) -> JsonResponse:
    run = get_object_or_404(ExportRun, pk=pk)
    download = reverse("data_backup_download", args=[run.pk]) if jobs.archive_path(run) else None
    return status_response(run, download=download)


@role_required("manage")
def backup_download(request: HttpRequest, pk: int) -> FileResponse:
    run = get_object_or_404(ExportRun, pk=pk)
    path = jobs.archive_path(run)
    if path is None:
        raise Http404("This archive is not available (not finished, or deleted).")
    return FileResponse(path.open("rb"), as_attachment=True, filename=run.file_name)


@require_http_methods(["GET", "POST"])
@role_required("manage")
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    done = erasure_of(person.pk)
    expected = person.email or "ERASE"
    error = ""
    if request.method == "POST" and done is None:
        typed = (request.POST.get("confirm") or "").strip()
        if typed.lower() != expected.lower():
            error = f"Type {expected} exactly to confirm."
        else:
            try:
                erase_person(person, actor=request.user)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(
                    request,
                    "Personal data erased. Orders, stage history and counts stay, anonymous.",
                )
                return redirect("person", pk=person.pk)
    return render(
        request,
        "portability/erase.html",
        {
            "here": "data",
            "person": person,
            "expected": expected,
            "error": error,
            "done": done,
        },
        status=400 if error else 200,
    )
