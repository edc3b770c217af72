"""`thrive import_undo JOB`: remove what an import created and restore what it changed."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from thrive.imports import services
from thrive.imports.models import ImportJob


class Command(BaseCommand):
    help = "Undo an import by its number (shown by `thrive import` and on the import page)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("job", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        job = ImportJob.objects.filter(pk=options["job"]).first()
        if job is None:
            raise CommandError(f"No import #{options['job']}.")
        try:
            removed = services.undo_import(job, actor=None)
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from None
        summary = ", ".join(f"{n:,} {what}" for what, n in removed.items()) or "nothing to remove"
        self.stdout.write(f"Import #{job.pk} undone: {summary}.")
