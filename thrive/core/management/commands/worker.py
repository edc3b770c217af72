"""`thrive worker`: run background jobs. Start several (on several machines) with PostgreSQL."""

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand


class Command(DBWorkerCommand):
    help = "Run a Thrive background worker (all queues unless --queue-name is given)."

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("queue_name") in (None, "default"):
            options["queue_name"] = "*"
        super().handle(*args, **options)
