"""The public portal's own records: single-use sign-in links (rate-limit counters are
thrive.core's)."""

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
