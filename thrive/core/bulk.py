"""Settings for long bulk writes on SQLite (an import, building the demo).

SQLite's defaults suit many small transactions: a 2 MB page cache, and a WAL checkpoint
(copying the write-ahead log back into the database and syncing both) whenever the log
passes 1,000 pages. A bulk write touches many indexes' pages per row, so with the defaults
every index insert becomes a disk read once the tables outgrow the cache, and every batch's
commit triggers a checkpoint that writes the same pages again.

``sqlite_bulk_session`` raises both bounds for the length of the work and puts them back
afterwards, with one passive checkpoint at the end. Both are bounds, not allocations: the
cache grows only as pages are used, the log only as batches commit. Nothing happens on
PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection


def _cache_kib() -> int:
    """An eighth of the machine's memory, between 64 MiB and 1 GiB: the hot pages of a
    million people's indexes need several hundred MB, and a small server keeps room."""
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        ram = 2 << 30
    return int(min(1 << 30, max(64 << 20, ram // 8)) // 1024)


CACHE_KIB = _cache_kib()
# 65,536 pages of 4 KiB: the log may grow to about 256 MB before a checkpoint.
WAL_PAGES = 65_536


@contextmanager
def sqlite_bulk_session(
    *, cache_kib: int = CACHE_KIB, wal_pages: int = WAL_PAGES
) -> Iterator[None]:
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache_before = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA wal_autocheckpoint")
        wal_before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-int(cache_kib)}")
        cursor.execute(f"PRAGMA wal_autocheckpoint = {int(wal_pages)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {cache_before}")
            cursor.execute(f"PRAGMA wal_autocheckpoint = {wal_before}")
            if not connection.in_atomic_block:
                # Copies what it can without waiting for readers; the rest goes at the
                # next automatic checkpoint.
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


def analyze_after_bulk_write(*models: type[Any]) -> None:
    """Give PostgreSQL statistics for tables a bulk write has just filled.

    Autovacuum analyzes a table only a while after it changes; until then the planner
    takes the freshly written 100,000-person tables for nearly empty and chooses nested
    loops that run for minutes (the demo's first win-backs, a segment over orders, scores
    and consents, did: more than 5 minutes, against 0.7 s with statistics). SQLite's
    planner needs no statistics for these queries, so nothing happens there.
    """
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    # No models: every table (sampled, so seconds even for the 100,000-person demo).
    tables = ", ".join(quote(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}".strip())
