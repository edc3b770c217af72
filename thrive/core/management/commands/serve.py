"""`thrive serve`: the web app and a background worker together, for one machine."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from thrive.core import warmup

# A worker that dies is started again after RESTART_DELAYS[n] seconds, n the number of deaths
# in a row; one that ran for HEALTHY_AFTER seconds starts the count again.
RESTART_DELAYS = (1, 2, 5, 10, 30, 60)
HEALTHY_AFTER = 60.0
# How long a stopping worker may take to finish its current job before it is told again
# (which ends the job), and then killed: Ctrl+C must be done within seconds.
STOP_GRACE = 2.5


class WorkerSupervisor:
    """Keeps one `thrive worker` child running beside the web server: restarts it with a
    back-off when it dies, and stops it when the server stops."""

    def __init__(self, command: list[str], say: Callable[[str], None]) -> None:
        self.command = command
        self.say = say
        self.process: subprocess.Popen[bytes] | None = None
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)

    def start(self) -> None:
        self._spawn()
        self.thread.start()

    def _spawn(self) -> None:
        with self.lock:
            if not self.stopping.is_set():
                self.process = subprocess.Popen(self.command)  # noqa: S603 - our own command
                self.started_at = time.monotonic()

    def _watch(self) -> None:
        deaths = 0
        while not self.stopping.wait(0.5):
            process = self.process
            if process is None or process.poll() is None:
                continue
            if time.monotonic() - self.started_at >= HEALTHY_AFTER:
                deaths = 0
            delay = RESTART_DELAYS[min(deaths, len(RESTART_DELAYS) - 1)]
            deaths += 1
            self.say(
                f"The background worker (pid {process.pid}) stopped with exit code "
                f"{process.returncode}; starting another in {delay} s."
            )
            if self.stopping.wait(delay):
                return
            self._spawn()

    def stop(self) -> None:
        with self.lock:
            self.stopping.set()
            process = self.process
        if process is None or process.poll() is not None:
            return
        # The first SIGTERM lets the worker finish its current job; a second ends it.
        for sig in (signal.SIGTERM, signal.SIGTERM):
            process.send_signal(sig)
            try:
                process.wait(timeout=STOP_GRACE)
                return
            except subprocess.TimeoutExpired:
                continue
        process.kill()
        process.wait()


def collect_static_if_changed() -> bool:
    """Run collectstatic only when the static files or their storage changed since the last
    run; return whether it ran. In production it compresses every file (minutes on a small
    machine), which would otherwise delay every start."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256(repr(settings.STORAGES["staticfiles"]).encode())
    entries = []
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    digest.update("\n".join(sorted(entries)).encode())
    stamp = Path(settings.STATIC_ROOT) / ".thrive-collected"
    if stamp.is_file() and stamp.read_text() == digest.hexdigest():
        return False
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(digest.hexdigest())
    return True


def can_open_browser() -> bool:
    """Whether a browser window could appear: always on macOS and Windows, on other systems
    only with a graphical session (over SSH or on a server the URL is printed instead)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))

def serve_public_links_here(host: str, port: int) -> str:
    """Record the address served as THRIVE_SERVED_URL (in the environment, so the worker
    this command starts reads it too). Links in emails and on public pages use it unless
    THRIVE_PUBLIC_URL or the owner's public address (settings page) says otherwise: see
    thrive.core.business.public_url. Returns the address served."""
    os.environ["THRIVE_SERVED_URL"] = f"http://{host}:{port}"
    return os.environ["THRIVE_SERVED_URL"]


class Command(BaseCommand):
    help = "Apply migrations, then serve Thrive with a background worker beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-worker", action="store_true", help="Serve only; run `thrive worker` elsewhere."
        )
        parser.add_argument(
            "--open",
            action="store_true",
            help="Open the sign-in page in a browser when there is a display to show it on.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress.server import create_server

        serve_public_links_here(options["host"], options["port"])

        from thrive.core.database import migrate_if_needed

        migrate_if_needed(say=lambda line: self.stderr.write(line))
        collect_static_if_changed()
        # Start computing what the first pages need (the dashboard), so it is ready by the
        # time someone signs in; each app registers its own warm-up.
        warmup.run_all()

        # Imported only now: WhiteNoise indexes the collected files when the app is built.
        from thrive.wsgi import application

        server = create_server(
            application,
            host=options["host"],
            port=options["port"],
            threads=options["threads"],
            ident="Thrive",
            **settings.THRIVE_TRUSTED_PROXY,
        )
        worker = None
        if not options["no_worker"]:
            worker = WorkerSupervisor(
                [sys.executable, "-m", "thrive.cli", "worker", "--no-reload", "-v", "1"],
                say=lambda line: self.stderr.write(line),
            )
            worker.start()

        # Ctrl+C (SIGINT) and a service manager's SIGTERM both leave waitress's loop at once;
        # it then waits at most a few seconds for requests in flight, and the worker stops.
        def leave(signum: int, frame: object) -> None:
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, leave)
        signal.signal(signal.SIGINT, leave)
        url = f"http://{options['host']}:{options['port']}"
        self.stdout.write(self.style.SUCCESS(f"Thrive is running at {url}  (Ctrl+C to stop)"))
        if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
            self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}")
        if options["open"] and can_open_browser():
            import webbrowser

            # The socket is bound already; the page loads once the loop below runs.
            threading.Timer(0.5, webbrowser.open, [url]).start()
        try:
            server.run()
        finally:
            if worker is not None:
                worker.stop()
            self.stdout.write("Thrive stopped.")
