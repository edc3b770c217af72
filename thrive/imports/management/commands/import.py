"""`thrive import FILE --kind people --map "E-mail=email" [--preset P] [--dry-run]`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from thrive.imports import mapping as maps
from thrive.imports import services
from thrive.imports.engine import warnings_path
from thrive.imports.models import ImportKind, JobStatus, MergeRule


class Command(BaseCommand):
    help = "Import people, organizations or a shop's orders from a CSV or Excel file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--kind",
            choices=ImportKind.values,
            default=None,
            help="people, organizations or orders (a preset implies it).",
        )
        parser.add_argument("--map", default="", help='Columns: "E-mail=email,First=first_name".')
        parser.add_argument("--preset", default="", help=f"One of: {', '.join(maps.PRESETS)}.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; save nothing."
        )
        parser.add_argument(
            "--no-dry-run", action="store_true", help="Import at once, without checking first."
        )
        parser.add_argument("--merge-rule", choices=MergeRule.values, default=MergeRule.FILL)
        parser.add_argument("--date-order", choices=["mdy", "dmy"], default=None)
        parser.add_argument("--currency", default=None, help="For orders whose rows name none.")
        parser.add_argument("--as", dest="username", default=None, help="Associate to credit.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        preset = options["preset"]
        kind = options["kind"] or (maps.PRESETS[preset][0] if preset in maps.PRESETS else None)
        if kind is None:
            raise CommandError(
                "Say what the file holds: --kind people|organizations|orders (or --preset)."
            )
        actor = None
        if options["username"]:
            actor = get_user_model().objects.filter(username=options["username"]).first()
            if actor is None:
                raise CommandError(f"No associate {options['username']!r}.")
        try:
            overrides = maps.parse_map_option(options["map"])
            job = services.start_job_in_place(
                options["file"], kind=kind, actor=actor, preset=preset
            )
            mapping = {**job.mapping, **overrides}
            services.set_mapping(
                job,
                mapping,
                actor=actor,
                merge_rule=options["merge_rule"],
                date_order=options["date_order"],
                default_currency=options["currency"].upper() if options["currency"] else None,
            )
        except (ValueError, ValidationError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError("\n".join(messages)) from None
        shown = ", ".join(f"{h} → {f}" for h, f in job.mapping.items())
        self.stderr.write(
            f"Import #{job.pk} of {job.original_name} ({job.get_kind_display()}): {shown}"
        )
        dry = options["dry_run"]
        if not options["no_dry_run"]:
            services.request_run(job, actor=actor, dry_run=True, enqueue=False)
            job = self._run(job.pk, True, options, "checking")
        if not dry and job.status in {JobStatus.CHECKED, JobStatus.MAPPING}:
            services.request_run(job, actor=actor, dry_run=False, skip_dry_run=True, enqueue=False)
            job = self._run(job.pk, False, options, "importing")
        if job.status == JobStatus.FAILED:
            raise CommandError(job.error)
        self._report(job, dry)

    def _run(self, job_id: int, dry_run: bool, options: dict[str, Any], label: str) -> Any:
        bar = None
        if not options["no_progress"]:
            from tqdm import tqdm

            # No monitor thread: the import may fork a process to read the file, and a
            # process should be single-threaded when it forks.
            tqdm.monitor_interval = 0
            bar = tqdm(
                total=100,
                desc=label,
                unit="%",
                file=sys.stderr,
                leave=False,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}",
            )

        def progress(fraction: float, rows: int) -> None:
            if bar is not None:
                bar.n = round(fraction * 100, 1)
                bar.set_description(f"{label} {rows:,} rows", refresh=True)

        try:
            return services.run_job(job_id, dry_run=dry_run, progress_bar=progress)
        finally:
            if bar is not None:
                bar.close()

    def _report(self, job: Any, dry: bool) -> None:
        counts = job.preview if dry else job.counts
        rows = counts.get("rows", {})
        head = "Dry run (nothing saved)" if dry else "Imported"
        cpu = counts.get("cpu", {}).get("seconds")
        seconds = f" in {job.seconds:.1f} s ({cpu:.1f} s of CPU)" if job.seconds else ""
        read, rejected = rows.get("read", 0), rows.get("rejected", 0)
        self.stdout.write(f"{head}: {read:,} rows read, {rejected:,} rejected{seconds}.")
        for kind, actions in sorted(counts.items()):
            if kind in {"rows", "cpu"}:
                continue
            ordered = sorted(actions.items(), key=lambda kv: (-kv[1], kv[0]))
            parts = ", ".join(f"{n:,} {action}" for action, n in ordered)
            self.stdout.write(f"  {kind}: {parts}")
        if rows.get("rejected"):
            self.stdout.write(f"Rejected rows (row, column, reason): {job.rejected_path}")
        if counts.get("warning"):
            self.stdout.write(f"Warnings (row, column, warning): {warnings_path(job)}")
        if not dry:
            self.stdout.write(f"Undo with: thrive import_undo {job.pk}")
