"""Reading and checking a large file in a second process while this one writes.

An import spends about half its time in Python reading and validating rows (parsing dates
and money, checking phone numbers) and half writing them. The first half needs no database,
so on a machine with more than one core a forked child process does it, a batch or two
ahead: it sends each checked batch through a bounded queue (two batches at most, so memory
stays flat whatever the file's size), and the parent writes batch after batch as they come.

The child never touches the database: it was forked with the parent's connection, and it
leaves through ``os._exit`` (multiprocessing's own exit for forked children), so nothing of
that connection is closed or reused there. An error in the child (a file that cannot be
read at row N) is sent to the parent and raised there, as if reading had happened here.

Small files, machines with one core and systems without ``fork`` check in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from .reading import ImportFileError

# Below this a file is checked in this process: starting a second one is not worth it.
PARALLEL_MIN_BYTES = 2_000_000
QUEUE_BATCHES = 2
POLL_SECONDS = 1.0


def worth_a_child(size: int) -> bool:
    return (
        size >= PARALLEL_MIN_BYTES
        and (os.cpu_count() or 1) > 1
        and "fork" in multiprocessing.get_all_start_methods()
    )


class Ahead:
    """Iterates what ``produce()`` yields, produced in a forked child when ``size`` (the
    file's bytes) makes that worth it, else in this process. Use it as a context manager:
    leaving it stops the child. ``child_cpu`` is the child's CPU seconds once it is done."""

    def __init__(self, produce: Callable[[], Iterator[Any]], *, size: int) -> None:
        self.produce = produce
        self.parallel = worth_a_child(size)
        self.child_cpu = 0.0
        self._child: Any = None
        self._channel: Any = None

    def __enter__(self) -> Ahead:
        if self.parallel:
            # Output buffered now would be written again by the child when it exits.
            sys.stdout.flush()
            sys.stderr.flush()
            ctx = multiprocessing.get_context("fork")
            self._channel = ctx.Queue(maxsize=QUEUE_BATCHES)
            self._child = ctx.Process(
                target=_produce_in_child,
                args=(self.produce, self._channel),
                name="thrive-import-reader",
            )
            self._child.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._child is None:
            return
        if self._child.is_alive():
            self._child.kill()
        self._child.join()
        self._channel.close()
        self._channel.cancel_join_thread()

    def __iter__(self) -> Iterator[Any]:
        if self._child is None:
            yield from self.produce()
            return
        while True:
            try:
                what, value = self._channel.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if self._child.is_alive():
                    continue
                raise RuntimeError(
                    f"the process reading the file stopped (exit code {self._child.exitcode})"
                ) from None
            if what == "item":
                yield value
            elif what == "error":
                raise value
            else:
                self.child_cpu = value
                return


def _produce_in_child(produce: Callable[[], Iterator[Any]], channel: Any) -> None:
    started = time.process_time()
    try:
        for item in produce():
            channel.put(("item", item))
    except ImportFileError as exc:
        channel.put(("error", exc))
    except Exception as exc:  # anything else: the parent reports it instead of hanging
        channel.put(("error", RuntimeError(f"reading the file failed: {exc!r}")))
    else:
        channel.put(("done", time.process_time() - started))
    channel.close()
    channel.join_thread()
