"""Bringing the database schema up to date at start, saying so when it takes a while."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


def migrate_if_needed(say: Callable[[str], None]) -> int:
    """Apply unapplied migrations and return how many there were. Nothing runs when the
    schema is current: a full ``migrate`` would still spend seconds on its checks and
    post-migrate signals at every start."""
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return 0
    fresh = not executor.loader.applied_migrations
    started = time.monotonic()
    if fresh:
        say("Preparing the database (the first run takes about 20 s)…")
    else:
        say(f"Applying {len(plan)} database migration(s)…")
    call_command("migrate", interactive=False, verbosity=0)
    say(f"  database ready in {time.monotonic() - started:.0f} s")
    return len(plan)
