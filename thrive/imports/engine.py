"""Running an import: batches of rows, each written whole or not at all, with a tally.

``run_import(job, dry_run=…)`` streams the job's file, cuts it into batches (an order's
lines are never split between batches), hands each batch to the kind's writer inside its
own transaction, and reports progress after each batch. A dry run does exactly the same
work and rolls every batch back, so its counts are the ones the import will produce; it
remembers which emails and order numbers earlier batches would have created, so a row that
meets one of them again counts as merged rather than created.

Rejected rows (row number, column, reason) are streamed to a CSV file next to the upload.
"""

from __future__ import annotations

import csv
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from . import sink
from .models import ImportJob, ImportKind
from .reading import RowSource

BATCH_ROWS = 5000
# An order with more lines than this still stays in one batch; the cap only bounds memory
# when a file has no order numbers that change.
MAX_BATCH_ROWS = 50_000


@dataclass(slots=True)
class Row:
    number: int
    values: dict[str, str]


@dataclass
class Rejection:
    row: int
    column: str
    reason: str


class _DryRunRollback(Exception):
    """Raised at the end of every dry-run batch so its transaction rolls back."""


@dataclass
class Batch:
    """What one batch did; merged into the run's tally only if the batch committed."""

    counts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    rejections: list[Rejection] = field(default_factory=list)
    created_emails: list[str] = field(default_factory=list)
    created_orders: list[str] = field(default_factory=list)

    def add(self, kind: str, action: str, n: int = 1) -> None:
        if n:
            self.counts[kind][action] += n


class Run:
    """One pass over a job's file (dry or real)."""

    def __init__(self, job: ImportJob, *, dry_run: bool, actor: Any = None) -> None:
        self.job = job
        self.dry_run = dry_run
        self.actor = actor
        self.now = timezone.now()
        self.zone = zoneinfo.ZoneInfo(getattr(settings, "THRIVE_TIME_ZONE", "UTC") or "UTC")
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.rejected = 0
        self.rows_read = 0
        # Dry runs only: what earlier (rolled-back) batches would have created.
        self.seen_emails: set[str] = set()
        self.seen_orders: set[str] = set()
        self.header_of = {f: h for h, f in job.mapping.items() if f}
        self.note = f"Import #{job.pk}: {job.original_name}"[:255]

    @property
    def ref(self) -> str:
        return f"import:{self.job.pk}"

    def parse_rows(self, source: RowSource) -> Iterator[Row]:
        index = {
            f: source.headers.index(h) for f, h in self.header_of.items() if h in source.headers
        }
        pairs = list(index.items())
        width = max(index.values(), default=-1) + 1
        for number, cells in source:
            if len(cells) < width:  # a short row: the missing cells are empty
                cells = cells + [""] * (width - len(cells))
            yield Row(number, {f: cells[i].strip() for f, i in pairs})

    def batches(self, rows: Iterator[Row]) -> Iterator[list[Row]]:
        batch: list[Row] = []
        split_on = "order_number" if self.job.kind == ImportKind.ORDERS else None
        for row in rows:
            if len(batch) >= BATCH_ROWS and (
                split_on is None
                or row.values.get(split_on) != batch[-1].values.get(split_on)
                or len(batch) >= MAX_BATCH_ROWS
            ):
                yield batch
                batch = []
            batch.append(row)
        if batch:
            yield batch


def _writer(kind: str) -> Callable[[Run, list[Row], Batch], None]:
    if kind == ImportKind.PEOPLE:
        from .people import write_people

        return write_people
    if kind == ImportKind.ORGANIZATIONS:
        from .organizations import write_organizations

        return write_organizations
    from .orders import write_orders

    return write_orders


def run_import(
    job: ImportJob,
    *,
    dry_run: bool,
    actor: Any = None,
    on_progress: Callable[[float, int], None] | None = None,
) -> Run:
    """Import (or dry-run) ``job``'s file; returns the run with its counts.

    Raises ImportFileError when the file as a whole cannot be read; batches already
    committed stay (the caller undoes them, see services.run_job).
    """
    run = Run(job, dry_run=dry_run, actor=actor)
    write = _writer(job.kind)
    source = RowSource(
        Path(job.stored_path), encoding=job.encoding or None, delimiter=job.delimiter or None
    )
    rejected_path = job.rejected_path
    rejected_path.parent.mkdir(parents=True, exist_ok=True)
    with rejected_path.open("w", encoding="utf-8", newline="") as out, sink.bulk_session():
        rejected_csv = csv.writer(out)
        rejected_csv.writerow(["row", "column", "reason"])
        for rows in run.batches(run.parse_rows(source)):
            batch = _write_batch(run, write, rows)
            for kind, actions in batch.counts.items():
                run.counts[kind].update(actions)
            for r in batch.rejections:
                rejected_csv.writerow([r.row, r.column, r.reason])
            run.rejected += len({r.row for r in batch.rejections})
            run.rows_read += len(rows)
            if dry_run:
                run.seen_emails.update(batch.created_emails)
                run.seen_orders.update(batch.created_orders)
            if on_progress is not None:
                on_progress(source.position(), run.rows_read)
    return run


def _write_batch(
    run: Run, write: Callable[[Run, list[Row], Batch], None], rows: list[Row]
) -> Batch:
    batch = Batch()
    try:
        with transaction.atomic():
            write(run, rows, batch)
            if run.dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    except DatabaseError as exc:
        # All or nothing: the batch is rolled back and every row in it is reported.
        first, last = rows[0].number, rows[-1].number
        reason = f"rows {first}–{last} were not written together: {str(exc).splitlines()[0]}"
        batch = Batch(rejections=[Rejection(r.number, "", reason) for r in rows])
    return batch


def reject(run: Run, batch: Batch, row: Row, field_name: str, reason: str) -> None:
    header = run.header_of.get(field_name, field_name)
    batch.rejections.append(Rejection(row.number, header, reason))
