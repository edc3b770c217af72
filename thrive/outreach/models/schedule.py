"""When the outreach pump should next wake up (one row)."""

from __future__ import annotations

from django.db import models


class PumpSchedule(models.Model):
    """The earliest pump job known to be queued; lets callers avoid queueing duplicates.

    A NULL ``next_run_at`` means no job is known to be waiting, so the next request
    queues one.
    """

    next_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Next outreach run at {self.next_run_at}"
