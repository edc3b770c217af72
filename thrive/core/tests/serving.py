"""Running the real `thrive serve` in a subprocess for the serve and proxy tests."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

REPO = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url(tmp_path: Path) -> str:
    """A URL a subprocess can open that holds this test's (migrated) database.

    PostgreSQL: the test database itself (the test must be transactional so its data is
    committed). SQLite: the test database lives in memory, so it is copied to a file.
    """
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
        host = f"{settings['HOST']}:{settings['PORT'] or 5432}"
        return f"postgres://{auth}@{host}/{settings['NAME']}"
    path = tmp_path / "serve.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{path}"


def clean_env(**extra: str) -> dict[str, str]:
    # The browser tests allow async-unsafe calls in their own process; a deployment never does.
    drop = {"SECRET_KEY", "DEBUG", "THRIVE_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    return {**{k: v for k, v in os.environ.items() if k not in drop}, **extra}


def start_serve(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and CLI
        [sys.executable, "-m", "thrive.cli", "serve", *args],
        cwd=REPO,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        # Its own process group, as in a terminal: Ctrl+C there reaches serve and its worker.
        start_new_session=True,
    )


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listened on {port} within {timeout} s:\n{log.read_text()}")


def children(pid: int) -> set[int]:
    """The live child processes of ``pid`` (read from /proc: every thread's children)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces; the fields after its closing bracket do not.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)
