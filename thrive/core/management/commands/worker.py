"""`thrive worker`: run background jobs. Start several (on several machines) with PostgreSQL."""

import logging
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand


class Command(DBWorkerCommand):
    help = "Run a Thrive background worker (all queues unless --queue-name is given)."

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        if verbosity == 1:
            # The engine ticks every few seconds; by default say only what needs attention
            # (failures). `thrive worker -v 2` shows every job.
            for name in ("django.tasks", "django_tasks_db"):
                logging.getLogger(name).setLevel(logging.WARNING)

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("queue_name") in (None, "default"):
            options["queue_name"] = "*"
        if not options.get("batch"):
            # The automation engine re-queues its own tick; make sure one is pending after a
            # restart or a lost queue row, so workflows never need cron to keep moving.
            from thrive.automations.tasks import schedule_tick

            schedule_tick()
        super().handle(*args, **options)
