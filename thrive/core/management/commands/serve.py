"""`thrive serve`: the web app and a background worker together, for one machine."""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from thrive.core import warmup


class Command(BaseCommand):
    help = "Apply migrations, then serve Thrive with a background worker beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-worker", action="store_true", help="Serve only; run `thrive worker` elsewhere."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        # Start computing what the first pages need (the dashboard), so it is ready by the
        # time someone signs in; each app registers its own warm-up.
        warmup.run_all()
        # Imported only now: WhiteNoise indexes the collected files when the app is built.
        from thrive.wsgi import application

        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen(  # noqa: S603 - our own interpreter and command
                [sys.executable, "-m", "thrive.cli", "worker", "--no-reload", "-v", "1"]
            )
        # A service manager stops us with SIGTERM: leave through the ``finally`` below so the
        # worker started here stops too.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        url = f"http://{options['host']}:{options['port']}"
        self.stdout.write(self.style.SUCCESS(f"Thrive is running at {url}  (Ctrl+C to stop)"))
        if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
            self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}")
        try:
            serve(
                application,
                host=options["host"],
                port=options["port"],
                threads=options["threads"],
                ident="Thrive",
                _quiet=True,
            )
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
