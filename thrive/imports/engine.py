"""Running an import: batches of rows, each written whole or not at all, with a tally.

``run_import(job, dry_run=…)`` streams the job's file, cuts it into batches (an order's
lines are never split between batches) and takes each batch through the kind's two stages:

* **check** (``check_people``, ``check_orders``, …): reads and validates the rows, with no
  database access. On a large file this stage runs in a second process (see
  ``thrive.imports.parallel``), a batch or two ahead of the writer, so reading and checking
  one batch overlaps with writing the one before.
* **write** (``write_people``, …): finds what Thrive already has and writes the batch in its
  own transaction, then reports progress.

A dry run does exactly the same work and rolls every batch back, so its counts are the ones
the import will produce; it remembers (on disk, see ``seen.SeenKeys``) which emails and order
numbers earlier batches would have created, so a row that meets one of them again counts as
merged rather than created.

Rejected rows (row number, column, reason) are streamed to a CSV file next to the upload;
warnings (a row imported without one of its values, such as a phone number that is not
one) go to a second file beside it, see ``warnings_path``.
"""

from __future__ import annotations

import csv
import gc
import operator
import os
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from django.db import DatabaseError, transaction
from django.utils import timezone

from thrive.core import business
from thrive.core.bulk import sqlite_bulk_session

from .models import ImportJob, ImportKind
from .parallel import Ahead
from .reading import CONTROL_CHARACTERS, RowSource
from .seen import SeenKeys

# Tests that kill a worker between batches make them small (THRIVE_IMPORT_BATCH_ROWS).
BATCH_ROWS = int(os.environ.get("THRIVE_IMPORT_BATCH_ROWS", "20000"))
# An order with more lines than this still stays in one batch; the cap only bounds memory
# when a file has no order numbers that change.
MAX_BATCH_ROWS = 100_000


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
    """What one batch did; merged into the run's tally only if the batch committed.

    Made by the check stage (possibly in the reading process) and completed by the writer,
    so it holds only plain, picklable values.
    """

    rows: list[int] = field(default_factory=list)  # the row numbers in this batch
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[Rejection] = field(default_factory=list)  # the row is imported anyway
    created_emails: list[str] = field(default_factory=list)
    created_orders: list[str] = field(default_factory=list)
    created_organizations: list[str] = field(default_factory=list)

    def add(self, kind: str, action: str, n: int = 1) -> None:
        if n:
            counter = self.counts.get(kind)
            if counter is None:
                counter = self.counts[kind] = Counter()
            counter[action] += n


class Run:
    """One pass over a job's file (dry or real)."""

    def __init__(self, job: ImportJob, *, dry_run: bool, actor: Any = None) -> None:
        self.job = job
        self.dry_run = dry_run
        self.actor = actor
        self.now = timezone.now()
        self.zone = zoneinfo.ZoneInfo(business.time_zone_name())
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.rejected = 0
        self.rows_read = 0
        # Dry runs only: what earlier (rolled-back) batches would have created.
        self.seen = SeenKeys() if dry_run else None
        self._met: SeenKeys | None = None
        self.child_cpu = 0.0  # CPU seconds of the reading process, when there is one
        self.header_of = {f: h for h, f in job.mapping.items() if f}
        self.note = f"Import #{job.pk}: {job.original_name}"[:255]
        # What marks this import's rows on the timeline and on orders (read once a row).
        self.ref = f"import:{job.pk}"
        # A real run resuming after a worker died: rows up to here are already written.
        self.resume_after = 0 if dry_run else job.checkpoint_row
        if self.resume_after:
            for kind, actions in job.counts.items():
                if kind not in {"rows", "cpu", "undo"}:
                    self.counts[kind].update(actions)
            self.rejected = job.rejected
            self.rows_read = job.rows_read

    @property
    def met(self) -> SeenKeys:
        """Keys this run has already counted (e.g. customers an orders import found)."""
        if self._met is None:
            self._met = SeenKeys()
        return self._met

    def close(self) -> None:
        for keys in (self.seen, self._met):
            if keys is not None:
                keys.close()

    def parse_rows(self, source: RowSource) -> Iterator[Row]:
        after = self.resume_after
        index = {
            f: source.headers.index(h) for f, h in self.header_of.items() if h in source.headers
        }
        names = list(index)
        width = max(index.values(), default=-1) + 1
        pick, strip = _picker(tuple(index.values())), str.strip
        for number, cells in source:
            if number <= after:  # written by the run this one resumes
                continue
            if len(cells) < width:  # a short row: the missing cells are empty
                cells = cells + [""] * (width - len(cells))
            yield Row(number, dict(zip(names, map(strip, pick(cells)), strict=True)))

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


def _picker(columns: tuple[int, ...]) -> Callable[[list[str]], tuple[str, ...]]:
    """The cells at ``columns`` as a tuple: one C-level call a row, not a loop over cells."""
    if len(columns) > 1:
        return operator.itemgetter(*columns)
    if columns:
        (only,) = columns
        return lambda cells: (cells[only],)
    return lambda cells: ()


class Stages(NamedTuple):
    """A kind's two stages: ``check`` (no database; may run in the reading process) gives
    what ``write`` needs; both record into the batch."""

    check: Callable[[Run, list[Row], Batch], Any]
    write: Callable[[Run, Any, Batch], None]


def _stages(kind: str) -> Stages:
    if kind == ImportKind.PEOPLE:
        from .people import check_people, write_people

        return Stages(check_people, write_people)
    if kind == ImportKind.ORGANIZATIONS:
        from .organizations import check_organizations, write_organizations

        return Stages(check_organizations, write_organizations)
    from .orders import check_orders, write_orders

    return Stages(check_orders, write_orders)


Checked = tuple[Batch, Any, float]  # a checked batch, what write needs, how far reading got


_CONTROL = CONTROL_CHARACTERS
_CONTROL_NAMES = {"\x00": "NUL", "\x7f": "DEL"}


def remove_control_characters(run: Run, rows: list[Row], batch: Batch) -> None:
    """Take control characters out of every value, with a warning naming row and column."""
    for row in rows:
        if not _CONTROL.search("".join(row.values.values())):
            continue
        for name, value in row.values.items():
            found = _CONTROL.findall(value)
            if found:
                row.values[name] = _CONTROL.sub("", value).strip()
                kinds = sorted({_CONTROL_NAMES.get(c, f"U+{ord(c):04X}") for c in found})
                warn(
                    run, batch, row.number, name,
                    f"removed {len(found)} control character{'s' if len(found) > 1 else ''} "
                    f"({', '.join(kinds)}) that text cannot hold; the rest was kept",
                    "control characters removed",
                )  # fmt: skip


def checked_batches(run: Run, check: Callable[..., Any], source: RowSource) -> Iterator[Checked]:
    """Read, cut and check the file's rows in this process."""
    for rows in run.batches(run.parse_rows(source)):
        batch = Batch(rows=[r.number for r in rows])
        remove_control_characters(run, rows, batch)
        checked = check(run, rows, batch)
        yield batch, checked, source.position()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Python's cycle collector tuned for a bulk run, then put back.

    An import allocates millions of short-lived objects and keeps each batch's rows alive
    until it is written; with the default thresholds the collector runs every 700
    allocations and keeps rescanning those rows (a sixth of an orders import). What exists
    before the run is frozen (never scanned), and the youngest generation is collected
    every 50,000 allocations instead; cycles are still found, just less often.
    """
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def run_import(
    job: ImportJob,
    *,
    dry_run: bool,
    actor: Any = None,
    on_progress: Callable[[float, int], None] | None = None,
    on_checkpoint: Callable[[float, Run, int, int], None] | None = None,
) -> Run:
    """Import (or dry-run) ``job``'s file; returns the run with its counts.

    A real run calls ``on_checkpoint(fraction, run, rejected_bytes, last_row)`` inside each
    batch's transaction, with the run's totals including that batch, so the checkpoint
    commits with the batch; it resumes after ``job.checkpoint_row`` when that is set. A dry
    run calls ``on_progress(fraction, rows_read)`` after each batch instead.

    Raises ImportFileError when the file as a whole cannot be read; batches already
    committed stay (the caller undoes them, see services.run_job).
    """
    stages = _stages(job.kind)
    source = RowSource(
        Path(job.stored_path), encoding=job.encoding or None, delimiter=job.delimiter or None
    )
    run = Run(job, dry_run=dry_run, actor=actor)
    rejected_path = job.rejected_path
    rejected_path.parent.mkdir(parents=True, exist_ok=True)
    resuming = bool(run.resume_after) and rejected_path.is_file()
    mode = "a" if resuming else "w"
    try:
        with (
            rejected_path.open("r+" if resuming else "w", encoding="utf-8", newline="") as out,
            warnings_path(job).open(mode, encoding="utf-8", newline="") as warned,
            sqlite_bulk_session(),
            fewer_collections(),
            Ahead(lambda: checked_batches(run, stages.check, source), size=source.size) as ahead,
        ):
            rejected_csv = csv.writer(out)
            warnings_csv = csv.writer(warned)
            if resuming:
                # Rows rejected after the checkpoint are checked again: drop their lines.
                out.seek(job.rejected_bytes)
                out.truncate()
            else:
                rejected_csv.writerow(["row", "column", "reason"])
                warnings_csv.writerow(["row", "column", "warning"])

            def tally(batch: Batch) -> None:
                for kind, actions in batch.counts.items():
                    run.counts[kind].update(actions)
                for r in batch.rejections:
                    rejected_csv.writerow([r.row, r.column, r.reason])
                for r in batch.warnings:
                    warnings_csv.writerow([r.row, r.column, r.reason])
                run.rejected += len({r.row for r in batch.rejections})
                run.rows_read += len(batch.rows)

            for batch, payload, position in ahead:
                hook = None
                if on_checkpoint is not None and not run.dry_run:

                    def hook(done: Batch, position: float = position) -> None:
                        tally(done)
                        out.flush()
                        on_checkpoint(position, run, out.tell(), done.rows[-1])

                written = _write_batch(run, stages.write, batch, payload, hook)
                if hook is None or written is not batch:  # no checkpoint was committed
                    tally(written)
                if run.seen is not None:
                    run.seen.add("email", written.created_emails)
                    run.seen.add("order", written.created_orders)
                    run.seen.add("organization", written.created_organizations)
                if on_progress is not None and (hook is None or written is not batch):
                    on_progress(position, run.rows_read)
        run.child_cpu = ahead.child_cpu
    finally:
        source.close()
        run.close()
    return run


def _write_batch(
    run: Run,
    write: Callable[[Run, Any, Batch], None],
    batch: Batch,
    payload: Any,
    checkpoint: Callable[[Batch], None] | None = None,
) -> Batch:
    """Write one batch in its own transaction; returns it, or (when the database refused
    it) a new batch rejecting every row. ``checkpoint`` runs inside the transaction."""
    try:
        with transaction.atomic():
            write(run, payload, batch)
            if run.dry_run:
                raise _DryRunRollback
            if checkpoint is not None:
                checkpoint(batch)
    except _DryRunRollback:
        pass
    except DatabaseError as exc:
        # All or nothing: the batch is rolled back and every row in it is reported.
        first, last = batch.rows[0], batch.rows[-1]
        reason = f"rows {first}–{last} were not written together: {str(exc).splitlines()[0]}"
        batch = Batch(rows=batch.rows, rejections=[Rejection(n, "", reason) for n in batch.rows])
    return batch


def warnings_path(job: ImportJob) -> Path:
    """Where a run's warnings go: beside its rejected rows, one file per kind of run."""
    return job.rejected_path.with_name(
        "warnings-dry-run.csv" if job.rejected_path.name.endswith("dry-run.csv") else "warnings.csv"
    )


def warn(run: Run, batch: Batch, row: int, field_name: str, reason: str, tally: str) -> None:
    """Report that row number ``row`` is imported without (or with a cleaned) ``field_name``;
    ``tally`` is the count it adds to on the outcome ("phone left out")."""
    header = run.header_of.get(field_name, field_name)
    batch.warnings.append(Rejection(row, header, reason))
    batch.add("warning", tally)


def reject(run: Run, batch: Batch, row: int, field_name: str, reason: str) -> None:
    """Report row number ``row`` as rejected because of ``field_name`` (named by its header)."""
    header = run.header_of.get(field_name, field_name)
    batch.rejections.append(Rejection(row, header, reason))
