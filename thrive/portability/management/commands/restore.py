"""`thrive restore IN.zip`: load a full export into an empty install (see docs/backup.md)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thrive.portability.restore import RestoreError, restore_archive


class Command(BaseCommand):
    help = (
        "Restore a `thrive backup` archive into an empty, migrated install: all or nothing, "
        "then verify every table's count and checksum."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="The zip written by `thrive backup` or the Data page.")
        parser.add_argument(
            "--trust-archive",
            action="store_true",
            help="I trust this archive: restore it although this install did not sign it "
            "(made by another install, e.g. when moving between machines).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()

        def progress(done: int, total: int, name: str) -> None:
            if name and options["verbosity"] >= 2:
                self.stderr.write(f"[{done + 1}/{total}] {name}")

        try:
            result = restore_archive(
                options["archive"], progress=progress, trust=options["trust_archive"]
            )
        except RestoreError as exc:
            raise CommandError(f"Nothing was restored. {exc}") from None
        except FileNotFoundError:
            raise CommandError(f"There is no file {options['archive']}.") from None
        self.stdout.write(
            f"Restored {result.tables} tables, {result.rows:,} rows in "
            f"{time.monotonic() - started:.1f} s; {len(result.verified)} tables verified equal "
            "to the archive by checksum"
            + (
                f", {len(result.counted_only)} by row count (columns added since): "
                + ", ".join(result.counted_only)
                if result.counted_only
                else ""
            )
            + f". Signature: {result.signature}"
            + ". Background jobs queued again: "
            + (", ".join(f"{n} {what}" for what, n in result.rescheduled.items()) or "none")
            + ". Associates sign in after setting a password: "
            "`thrive changepassword USERNAME` or the password-reset email."
        )
