"""Assert that a block of code writes nothing to the database.

Pages answer GET without writing (writes belong to POST and the worker); tests wrap a GET
in :func:`no_writes` and any INSERT, UPDATE or DELETE it sends fails the test, naming the
statement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from django.db import connections

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "TRUNCATE")


class WriteDuringRead(AssertionError):
    pass


def _blocker(allowed: tuple[str, ...]) -> Callable[..., Any]:
    def block_writes(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        statement = sql.lstrip()
        if statement.upper().startswith(WRITES) and not any(
            f'"{table}"' in statement.split("(", 1)[0].split(" SET ", 1)[0]
            for table in allowed
        ):
            raise WriteDuringRead(f"A write while reading: {sql[:300]}")
        return execute(sql, params, many, context)

    return block_writes


@contextmanager
def no_writes(*, allow: tuple[str, ...] = ()) -> Iterator[None]:
    """Fail on any write to any configured database inside the block, except to the tables
    named in ``allow`` (bookkeeping such as rate-limit counters, which count reads)."""
    blocker = _blocker(allow)
    with ExitStack() as stack:
        for alias in connections:
            stack.enter_context(connections[alias].execute_wrapper(blocker))
        yield
