"""Full exports made by the background worker: requesting, running, where the file lives."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from thrive.core.roles import require_manage

from .archive import write_archive
from .models import ExportRun, ExportStatus

log = logging.getLogger(__name__)

# A run that claims to be running for longer than this is assumed dead (worker killed).
RUN_TIMEOUT = dt.timedelta(hours=2)
# Archives kept on disk; older ones are deleted when a new export finishes.
KEEP_ARCHIVES = 5


def export_dir() -> Path:
    """Where archives are written: inside the data directory, never under static or media."""
    path = Path(settings.DATA_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def archive_path(run: ExportRun) -> Path | None:
    if run.status != ExportStatus.DONE or not run.file_name:
        return None
    path = export_dir() / run.file_name
    return path if path.is_file() else None


def in_flight() -> ExportRun | None:
    cutoff = timezone.now() - RUN_TIMEOUT
    return (
        ExportRun.objects.filter(
            status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING], requested_at__gte=cutoff
        )
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
            ExportRun.objects.filter(pk=run_id).update(
                progress=_percent(done, total), step=_step(name)
            )

        return orm, lambda: None
    side = connections.create_connection(connection.alias)
    table = connection.ops.quote_name(ExportRun._meta.db_table)

    def raw(done: int, total: int, name: str) -> None:
        # The bar is a courtesy: a busy database (or SQLite's shared in-memory test
        # database, which locks per table) skips an update rather than failing the export.
        try:
            with side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET progress = %s, step = %s WHERE id = %s",  # noqa: S608
                    [_percent(done, total), _step(name), run_id],
                )
        except DatabaseError as exc:
            log.debug("Export %s: progress not recorded (%s)", run_id, exc)

    return raw, side.close


def _percent(done: int, total: int) -> int:
    return max(1, min(99, round(100 * done / max(total, 1))))


def _step(name: str) -> str:
    return f"Writing {name}" if name else "Finishing the archive"


def run_export(run_id: int) -> ExportRun:
    """Write the archive for a queued run. Claims it with a conditional update, so two
    workers never build the same export; a failure is recorded on the run."""
    claimed = ExportRun.objects.filter(pk=run_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=timezone.now(), step="Starting", progress=1
    )
    run = ExportRun.objects.get(pk=run_id)
    if not claimed:
        return run
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    name = f"thrive-export-{stamp}-{run.pk}.zip"
    partial = export_dir() / f"{name}.partial"
    progress, close = _progress_writer(run.pk)
    try:
        # Owner-only from the first byte: the archive holds every customer's personal data.
        partial.touch(mode=0o600)
        manifest = write_archive(partial, progress=progress)
        partial.replace(export_dir() / name)
    except Exception as exc:
        log.exception("Export %s failed", run.pk)
        partial.unlink(missing_ok=True)
        ExportRun.objects.filter(pk=run.pk).update(
            status=ExportStatus.FAILED, finished_at=timezone.now(), error=str(exc)[:2000]
        )
        run.refresh_from_db()
        return run
    finally:
        close()
    ExportRun.objects.filter(pk=run.pk).update(
        status=ExportStatus.DONE,
        finished_at=timezone.now(),
        progress=100,
        step="Ready",
        file_name=name,
        size_bytes=(export_dir() / name).stat().st_size,
        tables=len(manifest["tables"]),
        rows=sum(t["count"] for t in manifest["tables"]),
    )
    _prune()
    run.refresh_from_db()
    return run


def _prune() -> None:
    """Keep the newest archives only: each is a full copy of the business's data."""
    done = ExportRun.objects.filter(status=ExportStatus.DONE).exclude(file_name="")
    for old in done.order_by("-requested_at", "-id")[KEEP_ARCHIVES:]:
        (export_dir() / old.file_name).unlink(missing_ok=True)
        ExportRun.objects.filter(pk=old.pk).update(file_name="", step="Deleted (kept newest)")
