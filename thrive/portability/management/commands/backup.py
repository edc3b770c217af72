"""`thrive backup OUT.zip`: the whole business in one archive (see docs/backup.md)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thrive.portability.archive import write_archive


class Command(BaseCommand):
    help = "Export every table of the business into one zip (JSON Lines + CSV + manifest)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="Where to write the archive, e.g. thrive-2026-11-23.zip")
        parser.add_argument("--force", action="store_true", help="Overwrite the file if it exists.")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        if out.exists() and not options["force"]:
            raise CommandError(f"{out} exists; choose another name or pass --force.")
        partial = out.with_name(out.name + ".partial")
        started = time.monotonic()

        def progress(done: int, total: int, name: str) -> None:
            if name and options["verbosity"] >= 2:
                self.stderr.write(f"[{done + 1}/{total}] {name}")

        try:
            partial.touch(mode=0o600)  # it holds every customer's personal data
            manifest = write_archive(partial, progress=progress)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(out)
        rows = sum(t["count"] for t in manifest["tables"])
        self.stdout.write(
            f"Wrote {out}: {len(manifest['tables'])} tables, {rows:,} rows, "
            f"{out.stat().st_size / 1e6:.1f} MB in {time.monotonic() - started:.1f} s."
        )
