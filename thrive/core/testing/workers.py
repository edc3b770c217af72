"""Real `thrive worker` processes for tests that kill one mid-job (SIGKILL) and start
another: a database both the test and the workers can open, and ways to read it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection

REPO = Path(__file__).resolve().parents[3]


class WorkerDatabase:
    """The test's data where a worker subprocess can reach it.

    PostgreSQL: the test database itself (the test must be transactional, so its data is
    committed). SQLite: the in-memory test database copied to a file, read back with
    ``sqlite3``; ``python()`` runs code against it in a subprocess.
    """

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        settings = connection.settings_dict
        self.sqlite_path: Path | None = None
        if connection.vendor == "postgresql":
            auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
            host = f"{settings['HOST']}:{settings['PORT'] or 5432}"
            self.url = f"postgres://{auth}@{host}/{settings['NAME']}"
        else:
            self.sqlite_path = tmp_path / "worker.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(self.sqlite_path)
            connection.connection.backup(target)
            target.close()
            self.url = f"sqlite:///{self.sqlite_path}"
        self.log = tmp_path / "worker.log"
        self.workers: list[subprocess.Popen[bytes]] = []

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.url,
            "THRIVE_DATA_DIR": str(self.tmp_path / "data"),
            "DEBUG": "false",
            "THRIVE_PUBLIC_URL": "http://testserver",
            **extra,
        }

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows of ``sql`` (with ``%s`` placeholders) read from the workers' database."""
        if self.sqlite_path is None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return list(cursor.fetchall())
        with sqlite3.connect(self.sqlite_path, timeout=20) as db:
            return list(db.execute(sql.replace("%s", "?"), params).fetchall())

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        """Run a write (``%s`` placeholders) on the workers' database, committed."""
        if self.sqlite_path is None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
            return
        with sqlite3.connect(self.sqlite_path, timeout=20) as db:
            db.execute(sql.replace("%s", "?"), params)

    def value(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    def start_worker(self, **env: str) -> subprocess.Popen[bytes]:
        worker = subprocess.Popen(  # noqa: S603 - our own interpreter and CLI
            [sys.executable, "-m", "thrive.cli", "worker", "--no-startup-delay",
             "--interval", "0.1", "--no-reload"],
            cwd=REPO, env=self.env(**env), stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.workers.append(worker)
        return worker

    def python(self, code: str, **env: str) -> str:
        """Run ``code`` in ``manage.py shell`` against the workers' database; its output."""
        done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=REPO, env=self.env(**env), capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]  # noqa: S101 - a test helper
        return done.stdout

    def stop(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGKILL)
                worker.wait(timeout=10)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def kill(worker: subprocess.Popen[bytes]) -> None:
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)


def wait_until(check: Callable[[], Any], *, timeout: float = 60, what: str = "") -> Any:
    """Poll ``check`` until it returns something true; that value, or AssertionError."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what or check}")
