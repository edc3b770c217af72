"""`thrive worker`: run background jobs. Start several (on several machines) with PostgreSQL.

Every worker sweeps for jobs whose worker died when it starts, and keeps a sweep queued
(``thrive.core.tasks``): a job killed mid-way is resumed or failed, never left running. Each
job logs one line when it ends ("import 12 finished: …") at the default level.
"""

import logging
from importlib import import_module
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

# Apps whose background work re-queues itself (a "tick"): each has
# ``tasks.schedule_tick()`` that queues the next tick unless one is pending.
TICKING_APPS = ("thrive.automations", "thrive.webhooks", "thrive.digests", "thrive.service")


class Command(DBWorkerCommand):
    help = "Run a Thrive background worker (all queues unless --queue-name is given)."

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        if verbosity == 1:
            # The engine ticks every few seconds; by default say only what needs attention
            # (failures). `thrive worker -v 2` shows every job.
            for name in ("django.tasks", "django_tasks_db"):
                logging.getLogger(name).setLevel(logging.WARNING)
        # One line per job that ends or is taken over, whatever LOG_LEVEL says.
        jobs_log = logging.getLogger("thrive.jobs")
        jobs_log.setLevel(logging.INFO if verbosity else logging.WARNING)
        if not jobs_log.handlers and not logging.getLogger().handlers:
            jobs_log.addHandler(logging.StreamHandler(self.stdout))

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("queue_name") in (None, "default"):
            options["queue_name"] = "*"
        from thrive.core.jobs import sweep
        from thrive.core.tasks import schedule_sweep

        sweep()
        if not options.get("batch"):
            schedule_sweep()
            # The automation engine and the webhook sender re-queue their own ticks; make
            # sure one is pending after a restart or a lost queue row, so nothing needs cron
            # to keep moving.
            for app in TICKING_APPS:
                import_module(f"{app}.tasks").schedule_tick()
        super().handle(*args, **options)
