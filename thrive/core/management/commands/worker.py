"""`thrive worker`: run background jobs. Start several (on several machines) with PostgreSQL."""

import logging
from importlib import import_module
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

# Apps whose background work re-queues itself (a "tick"): each has
# ``tasks.schedule_tick()`` that queues the next tick unless one is pending.
TICKING_APPS = ("thrive.automations", "thrive.webhooks")


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
            # The automation engine and the webhook sender re-queue their own ticks; make
            # sure one is pending after a restart or a lost queue row, so nothing needs cron
            # to keep moving.
            for app in TICKING_APPS:
                import_module(f"{app}.tasks").schedule_tick()
        super().handle(*args, **options)
