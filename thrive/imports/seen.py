"""What a dry run's earlier batches would have created, kept on disk.

A dry run rolls every batch back, so the database cannot tell it that an email in batch 40
was already new in batch 3; it must remember. A Python set of every new email grows with
the file (about 100 bytes each: 1.5 GB for a 1 GB file of new people), so the keys go into
a small SQLite file of their own in the temporary directory instead: memory stays bounded by
its page cache whatever the file's size, and the file is deleted when the run ends.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterable
from pathlib import Path

CACHE_KIB = 32 * 1024
CHUNK = 900  # parameters in one statement, under SQLite's limit


class SeenKeys:
    """Sets of strings by name ("email", "order"), stored in a temporary SQLite file."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="thrive-dry-run-")
        self._db = sqlite3.connect(Path(self._dir.name) / "seen.sqlite3", isolation_level=None)
        # Scratch data: nothing to recover after a crash, so no journal and no syncing.
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute(f"PRAGMA cache_size = {-CACHE_KIB}")
        self._db.execute(
            "CREATE TABLE seen (name TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (name, key))"
            " WITHOUT ROWID"
        )
        self.count = 0

    def add(self, name: str, keys: Iterable[str]) -> None:
        rows = [(name, key) for key in keys]
        if not rows:
            return
        db = self._db
        db.execute("BEGIN")
        before = db.total_changes
        db.executemany("INSERT OR IGNORE INTO seen (name, key) VALUES (?, ?)", rows)
        self.count += db.total_changes - before
        db.execute("COMMIT")

    def find(self, name: str, keys: Iterable[str]) -> set[str]:
        """Those of ``keys`` already added under ``name``."""
        wanted = list(dict.fromkeys(keys))
        found: set[str] = set()
        if not self.count:
            return found
        for start in range(0, len(wanted), CHUNK):
            part = wanted[start : start + CHUNK]
            marks = ", ".join("?" * len(part))
            cursor = self._db.execute(
                f"SELECT key FROM seen WHERE name = ? AND key IN ({marks})",  # noqa: S608
                [name, *part],
            )
            found.update(key for (key,) in cursor)
        return found

    def close(self) -> None:
        self._db.close()
        self._dir.cleanup()
