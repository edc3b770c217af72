"""Import pages: upload, map columns, dry run, import with a progress bar, undo."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from thrive.core.jobs import status_response
from thrive.core.roles import can_edit, role_required

from . import mapping as maps
from . import queries, services
from .engine import warnings_path
from .forms import UploadForm
from .models import ImportJob, ImportKind, JobStatus, MergeRule
from .people import MERGE_RULES_TEXT
from .reading import ENCODINGS

SHOWN_REJECTIONS = 50
OUTCOME_LABELS = {
    "created": "will be created",
    "merged": "merged with another row",
    "updated": "updated",
    "unchanged": "already up to date",
    "found": "found",
    "rejected": "rejected",
}


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for messages_ in exc.message_dict.values() for m in messages_]
    return list(exc.messages)


@role_required("edit", writes_only=True)
def imports(request: HttpRequest) -> HttpResponse:
    """The landing page: upload a file, and every earlier import with its outcome."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = services.start_job(
                    upload.name,
                    upload.chunks(),
                    kind=form.cleaned_data["kind"],
                    actor=request.user,
                    preset=form.cleaned_data["preset"],
                )
            except ValidationError as exc:
                for message in _errors(exc):
                    form.add_error(None, message)
            else:
                return redirect("import_mapping", job.pk)
    jobs = queries.recent_imports(50)
    return render(
        request,
        "imports/index.html",
        {
            "form": form,
            "jobs": jobs,
            "presets": maps.PRESETS,
            "here": "imports",
            "can_import": can_edit(request.user),
        },
    )


def _job(pk: int) -> ImportJob:
    return get_object_or_404(ImportJob, pk=pk)


@role_required("edit")
def mapping(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(pk)
    if job.status not in {JobStatus.MAPPING, JobStatus.CHECKED, JobStatus.FAILED}:
        return redirect("import_job", job.pk)
    errors: list[str] = []
    current = dict(job.mapping)
    merge_rule = job.merge_rule
    if request.method == "POST" and request.POST.get("change_encoding"):
        try:
            services.set_encoding(job, request.POST.get("encoding", ""), actor=request.user)
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, f"Read the file again as {_encoding_label(job.encoding)}.")
            return redirect("import_mapping", job.pk)
    elif request.method == "POST":
        current = {h: request.POST.get(f"map-{i}", "") for i, h in enumerate(job.headers)}
        merge_rule = request.POST.get("merge_rule", MergeRule.FILL)
        saved = request.POST.get("use_preset", "")
        if saved:
            preset = queries.preset_for(job.kind, saved)
            if preset is not None:
                job.mapping = services.apply_saved_preset(job, preset)
                job.save(update_fields=["mapping"])
                messages.success(request, f"Applied the preset “{preset.name}”.")
                return redirect("import_mapping", job.pk)
        try:
            services.set_mapping(
                job,
                current,
                actor=request.user,
                merge_rule=merge_rule,
                date_order=request.POST.get("date_order") or None,
                default_currency=(request.POST.get("default_currency") or "").upper() or None,
            )
            preset_name = request.POST.get("preset_name", "").strip()
            if preset_name:
                services.save_preset(preset_name, job.kind, current, actor=request.user)
                messages.success(request, f"Saved the mapping as “{preset_name}”.")
            services.request_run(job, actor=request.user, dry_run=True)
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            return redirect("import_job", job.pk)
    samples = [
        [row[i] if i < len(row) else "" for row in job.sample][:3] for i in range(len(job.headers))
    ]
    columns = [
        {"index": i, "header": h, "field": current.get(h, ""), "samples": samples[i]}
        for i, h in enumerate(job.headers)
    ]
    return render(
        request,
        "imports/mapping.html",
        {
            "job": job,
            "columns": columns,
            "fields": maps.fields_for(job.kind),
            "errors": errors,
            "merge_rule": merge_rule,
            "merge_rules": MergeRule.choices,
            "merge_text": MERGE_RULES_TEXT,
            "saved_presets": queries.presets_for(job.kind),
            "here": "imports",
            "people_kind": job.kind != ImportKind.ORGANIZATIONS,
            "encoding_label": _encoding_label(job.encoding),
            "encodings": list(ENCODINGS.items())
            + ([] if job.encoding in ENCODINGS else [(job.encoding, job.encoding)]),
        },
    )


def _encoding_label(encoding: str) -> str:
    return ENCODINGS.get(encoding, encoding)


def _rejections(
    job: ImportJob, limit: int = SHOWN_REJECTIONS, path: Path | None = None
) -> list[list[str]]:
    path = path or job.rejected_path
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        return list(itertools.islice(reader, limit))


KIND_LABELS = {
    "person": "People", "organization": "Organizations", "order": "Orders",
    "order status": "Orders by status", "line": "Order lines", "consent": "Email consents",
    "tag": "Tags", "warning": "Warnings",
}  # fmt: skip


def _outcome(counts: dict[str, Any]) -> list[dict[str, Any]]:
    """Counts as table rows: what, and how many were created, updated, merged…"""
    rows = []
    order = list(KIND_LABELS)
    for kind, actions in sorted(counts.items(), key=lambda kv: (order + [kv[0]]).index(kv[0])):
        if kind in {"rows", "undo", "cpu"}:
            continue
        rows.append({
            "kind": kind, "label": KIND_LABELS.get(kind, kind.capitalize()),
            "actions": sorted(actions.items(), key=lambda kv: (-kv[1], kv[0])),
        })  # fmt: skip
    return rows


def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(pk)
    counts = job.preview if job.status == JobStatus.CHECKED else job.counts
    return render(
        request,
        "imports/job.html",
        {
            "job": job,
            "outcome": _outcome(counts or {}),
            "rows": (counts or {}).get("rows", {}),
            "rejections": _rejections(job),
            "merge_text": MERGE_RULES_TEXT.get(job.merge_rule, ""),
            "warnings": _rejections(job, path=warnings_path(job)),
            "undo": (undo_summary(job.counts["undo"]) if "undo" in (job.counts or {}) else None),
            "here": "imports",
            "shown": SHOWN_REJECTIONS,
            "labels": OUTCOME_LABELS,
        },
    )


def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    return status_response(_job(pk))


@require_POST
@role_required("edit")
def run(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(pk)
    try:
        services.request_run(job, actor=request.user, dry_run=request.POST.get("dry_run") == "1")
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    return redirect("import_job", job.pk)


# What undo did, by the key ``undo_import`` counts it under: (one, several).
UNDO_PHRASES = {
    "people": ("1 person removed", "{n} people removed"),
    "organizations": ("1 organization removed", "{n} organizations removed"),
    "orders": ("1 order removed", "{n} orders removed"),
    "consents": ("1 consent removed", "{n} consents removed"),
    "tags": ("1 tag taken off a person", "{n} tags taken off people"),
    "people restored": ("1 person's changes put back", "{n} people's changes put back"),
    "organizations restored": (
        "1 organization's changes put back",
        "{n} organizations' changes put back",
    ),
}


def undo_summary(removed: dict[str, int]) -> str:
    """ "3 people removed, 1 person's changes put back": what was removed first."""
    parts = []
    order = list(UNDO_PHRASES)
    for key in sorted(removed, key=lambda k: order.index(k) if k in order else len(order)):
        n = removed[key]
        if not n:
            continue
        one, several = UNDO_PHRASES.get(key, (f"1 {key}", f"{{n}} {key}"))
        parts.append(one if n == 1 else several.format(n=f"{n:,}"))
    return ", ".join(parts) or "nothing to remove"


@require_POST
@role_required("edit")
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(pk)
    try:
        removed = services.undo_import(job, actor=request.user)
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, f"Import undone: {undo_summary(removed)}.")
    return redirect("import_job", job.pk)


@role_required("edit")
def rejected_csv(request: HttpRequest, pk: int) -> FileResponse:
    job = _job(pk)
    path = job.rejected_path
    if not path.is_file():
        raise Http404("No rejected rows for this import.")
    name = f"import-{job.pk}-rejected{'-dry-run' if job.dry_run else ''}.csv"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type="text/csv")
