"""The public portal's own records: single-use sign-in links and rate-limit counters."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class MagicLink(models.Model):
    """A sign-in link sent by email. The token carries a random nonce; only its hash is
    stored, and ``used_at`` makes the link single-use."""

    email = models.EmailField(max_length=254)
    nonce_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.email} ({'used' if self.used_at else 'unused'})"


class RateCounter(models.Model):
    """Hits per key (e.g. ``ip:1.2.3.4:link``) in one fixed window. In the database so
    every web process on PostgreSQL shares the same counts (a per-process cache would
    let each process allow the full limit)."""

    key = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "window_start"],
                name="rate_counter_key_window",
                violation_error_message="One counter per key and window.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start:%Y-%m-%d %H:%M}: {self.hits}"
