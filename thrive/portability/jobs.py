"""Full exports made by the background worker: requesting, running, where the file lives."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from thrive.core.jobs import LeaseLost, claim
from thrive.core.roles import require_manage

from .archive import write_archive
from .models import ExportRun, ExportStatus

log = logging.getLogger(__name__)

# Archives kept on disk; older ones are deleted when a new export finishes.
KEEP_ARCHIVES = 5


def export_dir() -> Path:
    """Where archives are written: inside the data directory, never under static or media."""
    path = Path(settings.DATA_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def archive_path(run: ExportRun) -> Path | None:
    if run.state != ExportStatus.FINISHED or not run.file_name:
        return None
    path = export_dir() / run.file_name
    return path if path.is_file() else None


def in_flight() -> ExportRun | None:
    """The export queued or running (one whose worker died is resumed or failed by the
    workers' sweep, so no age limit is needed here)."""
    return (
        ExportRun.objects.filter(state__in=[ExportStatus.QUEUED, ExportStatus.RUNNING])
        .order_by("-requested_at")
        .first()
    )


def request_export(*, actor: Any) -> ExportRun:
    """Queue a full export (owners only) unless one is already under way; return the run."""
    from .tasks import build_export

    require_manage(actor)
    with transaction.atomic():
        current = in_flight()
        if current is not None:
            return current
        run = ExportRun.objects.create(requested_by=actor, step="Waiting for the worker")
        transaction.on_commit(lambda: build_export.enqueue(run.pk))
        return run


def _progress_writer(run_id: int) -> tuple[Callable[[int, int, str], None], Callable[[], None]]:
    """A progress callback that others can see while the export reads its snapshot.

    The snapshot is one long read transaction, so progress goes through a second,
    autocommitting connection; inside a caller's transaction (tests) the same one is used.
    """
    if connection.in_atomic_block:

        def orm(done: int, total: int, name: str) -> None:
            ExportRun.objects.filter(pk=run_id).update(done=done, total=total, step=_step(name))

        return orm, lambda: None
    side = connections.create_connection(connection.alias)
    table = connection.ops.quote_name(ExportRun._meta.db_table)

    def raw(done: int, total: int, name: str) -> None:
        # The bar is a courtesy: a busy database (or SQLite's shared in-memory test
        # database, which locks per table) skips an update rather than failing the export.
        try:
            with side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET done = %s, total = %s, step = %s "  # noqa: S608
                    "WHERE id = %s",
                    [done, total, _step(name), run_id],
                )
        except DatabaseError as exc:
            log.debug("Export %s: progress not recorded (%s)", run_id, exc)

    return raw, side.close


def _step(name: str) -> str:
    return f"Writing {name}" if name else "Finishing the archive"


def run_export(run_id: int) -> ExportRun:
    """Write the archive for a queued run. Claims it through the job kit, so two workers
    never build the same export; a failure is recorded on the run."""
    lease = claim(ExportRun, run_id, step="Starting", done=0, total=0)
    if lease is None:
        return ExportRun.objects.get(pk=run_id)
    run = lease.job
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    name = f"thrive-export-{stamp}-{run.pk}.zip"
    partial = export_dir() / f"{name}.partial"
    progress, close = _progress_writer(run.pk)
    try:
        # The snapshot is one long read transaction: the lease is kept from a thread with
        # its own connection, and progress goes through a second one (see above).
        with lease.kept_alive():
            # Owner-only from the first byte: the archive holds every customer's data.
            partial.touch(mode=0o600)
            manifest = write_archive(partial, progress=progress)
            partial.replace(export_dir() / name)
    except Exception as exc:
        log.exception("Export %s failed", run.pk)
        partial.unlink(missing_ok=True)
        try:
            lease.fail(str(exc))
        except LeaseLost:
            pass
        return ExportRun.objects.get(pk=run_id)
    finally:
        close()
    try:
        lease.finish(
            step="Ready",
            file_name=name,
            size_bytes=(export_dir() / name).stat().st_size,
            tables=len(manifest["tables"]),
            rows=sum(t["count"] for t in manifest["tables"]),
        )
    except LeaseLost:
        # Taken over while writing: the other worker's archive is the one kept.
        (export_dir() / name).unlink(missing_ok=True)
        return ExportRun.objects.get(pk=run_id)
    _prune()
    return ExportRun.objects.get(pk=run_id)


def _prune() -> None:
    """Keep the newest archives only: each is a full copy of the business's data."""
    done = ExportRun.objects.filter(state=ExportStatus.FINISHED).exclude(file_name="")
    for old in done.order_by("-requested_at", "-id")[KEEP_ARCHIVES:]:
        (export_dir() / old.file_name).unlink(missing_ok=True)
        ExportRun.objects.filter(pk=old.pk).update(file_name="", step="Deleted (kept newest)")
