"""Claiming a job, keeping its lease with heartbeats, finishing or failing it.

Every write here is a conditional UPDATE on the job's row (state and lease owner) whose row
count is checked, as healthchecks' alert sender claims its work: two workers never both
believe they own a job, and a worker whose lease was taken over learns it at its next
heartbeat (``LeaseLost``) instead of writing over the new owner.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import BackgroundJob, JobState

log = logging.getLogger("thrive.jobs")


class LeaseLost(Exception):
    """This worker no longer owns the job (its lease expired and it was taken over)."""


def lease_seconds() -> float:
    """How long a job stays ours without a heartbeat (``THRIVE_JOB_LEASE_SECONDS``)."""
    return float(getattr(settings, "THRIVE_JOB_LEASE_SECONDS", 60))


def _owner() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


def claim(
    model: type[BackgroundJob], pk: int, *, only: Q | None = None, **fields: Any
) -> Lease | None:
    """Take job ``pk`` if it is queued (or running under an expired lease) and matches
    ``only``: a Lease, or None when another worker has it or it is over. ``fields`` are
    set in the same UPDATE."""
    now = timezone.now()
    owner = _owner()
    seconds = lease_seconds()
    claimable = Q(state=JobState.QUEUED) | Q(state=JobState.RUNNING, lease_expires_at__lt=now)
    with transaction.atomic():
        rows = model._default_manager.filter(claimable, pk=pk)
        if only is not None:
            rows = rows.filter(only)
        if connection.vendor == "postgresql":
            # Another worker claiming the same row right now: skip it rather than wait.
            if not rows.select_for_update(skip_locked=True).exists():
                return None
        updated = rows.update(
            state=JobState.RUNNING,
            lease_owner=owner,
            lease_expires_at=now + dt.timedelta(seconds=seconds),
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            started_at=Coalesce(F("started_at"), now),
            finished_at=None,
            **fields,
        )
    if updated != 1:
        return None
    return Lease(model._default_manager.get(pk=pk), owner, seconds)


class Lease:
    """This worker's hold on one job. ``beat`` reports progress and extends the lease;
    ``finish``/``fail`` end the job; each raises ``LeaseLost`` if the job was taken over."""

    def __init__(self, job: BackgroundJob, owner: str, seconds: float) -> None:
        self.job = job
        self.owner = owner
        self.seconds = seconds
        self.beats = 0
        self._lost = threading.Event()

    def _mine(self) -> Any:
        return type(self.job)._default_manager.filter(
            pk=self.job.pk, state=JobState.RUNNING, lease_owner=self.owner
        )

    def beat(self, *, done: int | None = None, total: int | None = None, **fields: Any) -> None:
        """Record progress and extend the lease (one UPDATE). Inside a caller's transaction
        it commits with that transaction's work, so work and checkpoint go together."""
        if self._lost.is_set():
            raise LeaseLost(self.job.summary())
        now = timezone.now()
        if done is not None:
            fields["done"] = self.job.done = done
        if total is not None:
            fields["total"] = self.job.total = total
        expires = now + dt.timedelta(seconds=self.seconds)
        if not self._mine().update(heartbeat_at=now, lease_expires_at=expires, **fields):
            self._lost.set()
            raise LeaseLost(f"{self.job.job_label} {self.job.pk} was taken over by another worker")
        self.beats += 1
        _pause_for_tests(self.beats)

    def finish(self, **fields: Any) -> None:
        self._end(JobState.FINISHED, **fields)

    def fail(self, error: str, **fields: Any) -> None:
        self._end(JobState.FAILED, error=error[:2000], **fields)

    def _end(self, state: str, **fields: Any) -> None:
        now = timezone.now()
        if not self._mine().update(
            state=state, finished_at=now, lease_owner="", lease_expires_at=None, **fields
        ):
            raise LeaseLost(f"{self.job.job_label} {self.job.pk} was taken over by another worker")
        self._lost.set()  # the keeper thread stops extending a lease that is over
        self.job.refresh_from_db()
        self.job.log_line()

    @contextmanager
    def kept_alive(self) -> Iterator[Lease]:
        """Extend the lease from a thread while the body runs, so a slow step (one big
        table, one model fit) is not mistaken for a dead worker. A worker killed with
        SIGKILL loses the thread too, and its lease runs out."""
        stop = threading.Event()

        def keep() -> None:
            try:
                while not stop.wait(self.seconds / 3):
                    if self._lost.is_set():
                        return
                    now = timezone.now()
                    try:
                        if not self._mine().update(
                            lease_expires_at=now + dt.timedelta(seconds=self.seconds)
                        ) and type(self.job)._default_manager.filter(pk=self.job.pk).exists():
                            # Taken over: the row is there and not ours. A row this thread
                            # cannot see at all was claimed in a transaction that has not
                            # committed yet (a test's); the caller's own beats still count.
                            self._lost.set()
                            return
                    except DatabaseError as exc:  # busy (SQLite): the next tick tries again
                        log.debug("lease of %s not extended: %s", self.job, exc)
            finally:
                connection.close()

        thread = threading.Thread(target=keep, name=f"lease-{self.job.pk}", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            stop.set()
            thread.join(timeout=self.seconds)


def _pause_for_tests(beats: int) -> None:
    """Test-only: with ``THRIVE_JOBS_PAUSE_AFTER=N`` and ``THRIVE_JOBS_PAUSE_FLAG=path`` in
    the environment, the Nth heartbeat (after its checkpoint is written) creates the flag
    file and hangs, so a test can kill the worker at a known point."""
    after = os.environ.get("THRIVE_JOBS_PAUSE_AFTER")
    flag = os.environ.get("THRIVE_JOBS_PAUSE_FLAG")
    if not after or not flag or beats != int(after):
        return
    if connection.in_atomic_block:
        # The checkpoint is part of an open batch: pause once it is committed.
        transaction.on_commit(lambda: _hang(flag))
    else:
        _hang(flag)


def _hang(flag: str) -> None:
    Path(flag).touch()
    while True:
        time.sleep(60)
