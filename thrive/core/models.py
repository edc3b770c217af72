"""Shared abstract models. No domain rules live here."""

from __future__ import annotations

from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class RateCounter(models.Model):
    """Hits per key (e.g. ``join:ip:1.2.3.4``) in one fixed window. In the database so
    every web process on PostgreSQL shares the same counts (a per-process cache would
    let each process allow the full limit). See :mod:`thrive.core.ratelimit`."""

    key = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "window_start"],
                name="core_rate_counter_key_window",
                violation_error_message="One counter per key and window.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start:%Y-%m-%d %H:%M}: {self.hits}"
