"""Reads that may come from a PostgreSQL read replica.

When ``DATABASE_REPLICA_URL`` names a replica (a hot standby kept by PostgreSQL's streaming
replication), the pages that only read a lot (the dashboard, the ecosystem map, Reach, the
journey map) run their queries there, so those reads stop competing with the workers'
writes on the primary. Everything else reads and writes the primary.

A replica may lag the primary by a moment, so only pages that show figures, never a form
that was just saved, read from it. Inside a transaction on the primary (a claim, a
``select_for_update``) every read stays on the primary, because a standby refuses locks.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_reading = ContextVar("thrive_replica_reads", default=False)


def reads_from_replica(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``view``'s reads on the replica, when one is configured."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        token = _reading.set(True)
        try:
            return view(*args, **kwargs)
        finally:
            _reading.reset(token)

    return wrapped


class ReplicaRouter:
    """Django's database router: reads go to the replica only inside a view marked with
    :func:`reads_from_replica` and outside a transaction; writes always go to the primary."""

    def db_for_read(self, model: type, **_hints: Any) -> str | None:
        if not _reading.get() or REPLICA not in settings.DATABASES:
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        return REPLICA

    def db_for_write(self, model: type, **_hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, _obj1: Any, _obj2: Any, **_hints: Any) -> bool:
        return True  # one database, two doors

    def allow_migrate(self, db: str, app_label: str, **_hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's schema by itself
