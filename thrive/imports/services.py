"""Writes for imports: upload a file, map its columns, dry-run, import, undo, save presets."""

from __future__ import annotations

import logging
import re
import shutil
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from thrive.core import business
from thrive.core.jobs import JobState, LeaseLost, claim
from thrive.core.roles import check_actor

from . import mapping as maps
from .engine import run_import
from .models import ImportJob, ImportKind, JobStatus, MappingPreset, MergeRule
from .reading import ENCODINGS, ImportFileError, RowSource, decodes, undecodable_line
from .undo import undo_import as _undo
from .values import guess_date_order

log = logging.getLogger(__name__)

DATE_FIELDS = frozenset({"ordered_at", "first_seen_at", "consent_at"})


def imports_dir() -> Path:
    return Path(settings.DATA_DIR) / "imports"


def _safe_name(name: str) -> str:
    base = Path(name).name or "upload.csv"
    return re.sub(r"[^A-Za-z0-9._ -]", "_", base)[:120]


def start_job(
    name: str, chunks: Iterable[bytes], *, kind: str, actor: Any, preset: str = ""
) -> ImportJob:
    """Store an uploaded file under DATA_DIR/imports, read its header and first rows, and
    suggest a mapping (from ``preset`` if given). Raises ValidationError naming the file."""
    check_actor(actor)
    if kind not in ImportKind.values:
        raise ValidationError({"kind": f"{kind!r} is not something Thrive imports."})
    folder = imports_dir() / uuid.uuid4().hex
    folder.mkdir(parents=True)
    path = folder / _safe_name(name)
    with path.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
    return _describe(path, folder, name=name, kind=kind, actor=actor, preset=preset)


def start_job_in_place(path: Path, *, kind: str, actor: Any, preset: str = "") -> ImportJob:
    """Like ``start_job`` for a file already on this machine (``thrive import``): it is
    read where it is, not copied; rejected rows still go under DATA_DIR/imports."""
    check_actor(actor)
    if kind not in ImportKind.values:
        raise ValidationError({"kind": f"{kind!r} is not something Thrive imports."})
    if not path.is_file():
        raise ValidationError({"file": f"{path}: no such file."})
    folder = imports_dir() / uuid.uuid4().hex
    folder.mkdir(parents=True)
    return _describe(path.resolve(), folder, name=path.name, kind=kind, actor=actor, preset=preset)


def _describe(
    path: Path, folder: Path, *, name: str, kind: str, actor: Any, preset: str
) -> ImportJob:
    size = path.stat().st_size
    try:
        shape = RowSource(path).shape()
    except ImportFileError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise ValidationError({"file": str(exc)}) from None
    if preset:
        try:
            suggested = maps.apply_preset(kind, preset, shape.headers)
        except ValueError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            raise ValidationError({"preset": str(exc)}) from None
    else:
        suggested = maps.suggest_mapping(kind, shape.headers)
    job = ImportJob(
        kind=kind,
        original_name=Path(name).name[:255],
        stored_path=str(path),
        size_bytes=size,
        work_dir=str(folder),
        encoding=shape.encoding,
        delimiter=shape.delimiter,
        headers=shape.headers,
        sample=shape.sample,
        mapping=suggested,
        preset=preset,
        created_by=actor,
        default_currency=business.currency(),
    )
    job.date_order = _date_order(job)
    job.save()
    return job


def _date_order(job: ImportJob) -> str:
    default = "mdy" if settings.THRIVE_PHONE_REGION in {"US", "CA", "PH"} else "dmy"
    columns = [
        job.headers.index(h)
        for h, f in job.mapping.items()
        if f in DATE_FIELDS and h in job.headers
    ]
    samples = [row[i] for row in job.sample for i in columns if i < len(row)]
    return guess_date_order(samples, default)


def set_encoding(job: ImportJob, encoding: str, *, actor: Any) -> ImportJob:
    """Read the job's file again as ``encoding`` (the owner's choice over the one detected):
    new headers, sample and suggested mapping. Raises ValidationError when the file is not
    valid in that encoding, naming the first line that is not."""
    check_actor(actor)
    if job.status not in {JobStatus.MAPPING, JobStatus.CHECKED, JobStatus.FAILED}:
        raise ValidationError({"encoding": "This import has already run; start a new one."})
    if not job.encoding:
        raise ValidationError({"encoding": "An Excel file has no encoding to choose."})
    if encoding not in ENCODINGS:
        raise ValidationError({"encoding": f"{encoding!r} is not an encoding Thrive offers."})
    path = Path(job.stored_path)
    if not decodes(path, encoding):
        line = undecodable_line(path, encoding)
        raise ValidationError(
            {"encoding": f"The file is not {ENCODINGS[encoding]}: line {line} has bytes that "
             "encoding does not have. Choose another."}
        )  # fmt: skip
    try:
        shape = RowSource(path, encoding=encoding).shape()
    except ImportFileError as exc:
        raise ValidationError({"encoding": str(exc)}) from None
    if shape.headers != job.headers:
        job.mapping = maps.suggest_mapping(job.kind, shape.headers)
    job.encoding, job.delimiter = shape.encoding, shape.delimiter
    job.headers, job.sample = shape.headers, shape.sample
    job.status = JobStatus.MAPPING
    job.save(update_fields=["encoding", "delimiter", "headers", "sample", "mapping", "status"])
    return job


def set_mapping(
    job: ImportJob,
    mapping: dict[str, str],
    *,
    actor: Any,
    merge_rule: str = MergeRule.FILL,
    date_order: str | None = None,
    default_currency: str | None = None,
) -> ImportJob:
    """Choose the column mapping and merge rule; raises ValidationError listing problems."""
    check_actor(actor)
    if job.status not in {JobStatus.MAPPING, JobStatus.CHECKED, JobStatus.FAILED}:
        raise ValidationError({"mapping": "This import has already run; start a new one."})
    mapping = {h: f for h, f in mapping.items() if f}
    problems = maps.check_mapping(job.kind, job.headers, mapping)
    if merge_rule not in MergeRule.values:
        problems.append(f"{merge_rule!r} is not a merge rule.")
    if date_order is not None and date_order not in {"mdy", "dmy"}:
        problems.append("The day order is mdy or dmy.")
    if default_currency is not None and not re.fullmatch(r"[A-Z]{3}", default_currency):
        problems.append(f"{default_currency!r} is not a currency code.")
    if problems:
        raise ValidationError({"mapping": problems})
    job.mapping, job.merge_rule = mapping, merge_rule
    job.date_order = date_order or _date_order(job)
    if default_currency:
        job.default_currency = default_currency
    job.status = JobStatus.MAPPING
    job.save(update_fields=["mapping", "merge_rule", "date_order", "default_currency", "status"])
    return job


def request_run(
    job: ImportJob,
    *,
    actor: Any,
    dry_run: bool,
    skip_dry_run: bool = False,
    enqueue: bool = True,
) -> ImportJob:
    """Queue the dry run (after mapping) or the import (after a dry run) in the background.

    ``skip_dry_run`` lets scripts (``thrive import --no-dry-run``) import straight away;
    rows are still checked one by one and rejected with reasons. ``enqueue=False`` is for
    ``thrive import``, which runs the job itself rather than leaving it to the worker.
    """
    check_actor(actor)
    from .tasks import run_import_job

    if dry_run:
        allowed = {JobStatus.MAPPING, JobStatus.CHECKED, JobStatus.FAILED}
    elif skip_dry_run:
        allowed = {JobStatus.MAPPING, JobStatus.CHECKED}
    else:
        allowed = {JobStatus.CHECKED}
    target = JobStatus.CHECKING if dry_run else JobStatus.QUEUED
    fresh = {
        "status": target, "state": JobState.QUEUED, "done": 0, "total": job.size_bytes,
        "rows_read": 0, "dry_run": dry_run, "error": "", "started_at": None,
        "finished_at": None, "attempts": 0, "checkpoint_row": 0, "rejected_bytes": 0,
        "rejected": 0, "counts": {},
    }  # fmt: skip
    with transaction.atomic():
        claimed = ImportJob.objects.filter(pk=job.pk, status__in=allowed).update(**fresh)
        if not claimed and not dry_run:
            # A real run the worker gave up on: carry on after its last written batch.
            claimed = ImportJob.objects.filter(
                pk=job.pk, status=JobStatus.FAILED, dry_run=False, checkpoint_row__gt=0
            ).update(status=JobStatus.RUNNING, state=JobState.QUEUED, error="", attempts=0)
        if not claimed:
            job.refresh_from_db()
            if not dry_run and job.status == JobStatus.MAPPING:
                raise ValidationError({"job": "Run the dry run first: it shows what will change."})
            raise ValidationError({"job": f"This import is {job.get_status_display().lower()}."})
        if enqueue:
            transaction.on_commit(lambda: run_import_job.enqueue(job.pk, dry_run))
    job.refresh_from_db()
    return job


def run_job(job_id: int, *, dry_run: bool, progress_bar: Any = None) -> ImportJob:
    """Do the queued run of ``job_id`` (the worker calls this; so does ``thrive import``).

    Claims the job through the job kit (a conditional update), so a second worker does
    nothing. A real run resumes after its checkpoint when an earlier worker died. A file
    that breaks off mid-way fails the job and removes what earlier batches wrote.
    """
    running = JobStatus.CHECKING if dry_run else JobStatus.RUNNING
    waiting = {JobStatus.CHECKING} if dry_run else {JobStatus.QUEUED, JobStatus.RUNNING}
    lease = claim(ImportJob, job_id, only=Q(status__in=waiting, dry_run=dry_run), status=running)
    if lease is None:
        return ImportJob.objects.get(pk=job_id)
    job = lease.job
    assert isinstance(job, ImportJob)  # noqa: S101 - claim returns the model it was given

    def progress(fraction: float, rows: int) -> None:
        # Dry runs, once per batch: the progress the page polls, and the heartbeat.
        lease.beat(done=int(fraction * job.size_bytes), rows_read=rows)
        if progress_bar is not None:
            progress_bar(fraction, rows)

    def checkpoint(fraction: float, run: Any, rejected_bytes: int, last_row: int) -> None:
        # Real runs, inside each batch's transaction: the batch and the checkpoint that
        # says it was written commit together (or not at all, when the lease was lost).
        lease.beat(
            done=int(fraction * job.size_bytes),
            rows_read=run.rows_read,
            rejected=run.rejected,
            counts=_counts(run),
            checkpoint_row=last_row,
            rejected_bytes=rejected_bytes,
        )
        if progress_bar is not None:
            transaction.on_commit(lambda: progress_bar(fraction, run.rows_read))

    cpu = time.process_time()
    try:
        # The heartbeat is the per-batch checkpoint (every few seconds), not a keep-alive
        # thread: the run may fork a reading process, which should fork single-threaded.
        run = run_import(
            job, dry_run=dry_run, actor=job.created_by, on_progress=progress,
            on_checkpoint=checkpoint,
        )  # fmt: skip
    except LeaseLost:
        log.warning("Import %s: another worker took it over; this one stops", job_id)
        return ImportJob.objects.get(pk=job_id)
    except ImportFileError as exc:
        lease.fail(str(exc), status=JobStatus.FAILED)
        job.refresh_from_db()
        if not dry_run:
            _roll_back_partial(job)
        return job
    counts = _counts(run)
    # CPU time of the run (this process and the one reading the file, if there was one):
    # on a busy machine a fairer measure of speed than the clock.
    counts["cpu"] = {"seconds": round(time.process_time() - cpu + run.child_cpu, 2)}
    fields: dict[str, Any] = {
        "done": job.size_bytes,
        "rows_read": run.rows_read,
        "rejected": run.rejected,
        "counts": counts,
        "status": JobStatus.CHECKED if dry_run else JobStatus.DONE,
    }
    if dry_run:
        fields["preview"] = counts
    lease.finish(**fields)
    job.refresh_from_db()
    return job


def _counts(run: Any) -> dict[str, Any]:
    counts: dict[str, Any] = {kind: dict(actions) for kind, actions in run.counts.items()}
    counts["rows"] = {"read": run.rows_read, "rejected": run.rejected}
    return counts


def _roll_back_partial(job: ImportJob) -> None:
    """A real run that broke off: undo the batches it committed, keep the job failed."""
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE)
    job.refresh_from_db()
    _undo(job, actor=None)
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, checkpoint_row=0)
    job.refresh_from_db()


def undo_import(job: ImportJob, *, actor: Any) -> dict[str, int]:
    """Remove what ``job`` created and restore what it changed (all or nothing)."""
    check_actor(actor)
    return _undo(job, actor=actor)


def save_preset(name: str, kind: str, mapping: dict[str, str], *, actor: Any) -> MappingPreset:
    check_actor(actor)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A preset needs a name."})
    if len(name) > 80:
        raise ValidationError({"name": "A preset name has at most 80 characters."})
    if name in maps.PRESETS:
        raise ValidationError({"name": f"{name!r} is a built-in preset."})
    try:
        with transaction.atomic():
            preset, _ = MappingPreset.objects.update_or_create(
                kind=kind,
                name=name,
                defaults={"mapping": {h: f for h, f in mapping.items() if f}, "created_by": actor},
            )
    except IntegrityError as exc:
        raise ValidationError({"name": "A preset with this name already exists."}) from exc
    return preset


def apply_saved_preset(job: ImportJob, preset: MappingPreset) -> dict[str, str]:
    """The saved preset's mapping for the columns this file has."""
    return {h: f for h, f in preset.mapping.items() if h in job.headers}
