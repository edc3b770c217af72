"""Addresses Thrive never emails again (except service mail for unsubscribed ones)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from .choices import SuppressionReason


class Suppression(models.Model):
    """One suppressed address. Kept by address, not person, so a re-imported or merged
    record with the same email stays suppressed."""

    email = models.EmailField(max_length=254, unique=True)
    reason = models.CharField(max_length=16, choices=SuppressionReason.choices)
    at = models.DateTimeField(default=timezone.now)
    detail = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_reason_display()})"
