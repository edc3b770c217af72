"""API tokens, idempotency records and rate-limit windows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class TokenScope(models.TextChoices):
    READ = "read", "Read only"
    WRITE = "write", "Read and write"


class ApiToken(models.Model):
    """A secret an associate gives a program. Only a hash of the secret is kept; the
    ``prefix`` (the first characters, shown in lists) finds the row. The token acts
    with its associate's role, narrowed to reading if its scope is ``read``."""

    associate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64, help_text="SHA-256 of the whole token.")
    scope = models.CharField(max_length=8, choices=TokenScope.choices, default=TokenScope.WRITE)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The answer given to a POST carrying an ``Idempotency-Key``, kept for a day so a
    retried request gets the same answer instead of doing the work twice."""

    owner = models.CharField(max_length=40, help_text="token:<id> or session:<associate id>")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.BinaryField(blank=True, default=b"")
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "key"],
                name="api_idempotency_once",
                violation_error_message="This idempotency key was already used.",
            )
        ]
        indexes = [
            # Clearing out records older than a day.
            models.Index(fields=["created_at"], name="api_idempotency_age_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"


class RateWindow(models.Model):
    """How many requests one caller made in one minute (a fixed-window counter kept in
    the database, so every web process shares it)."""

    caller = models.CharField(max_length=40)
    window = models.BigIntegerField(help_text="Unix minute.")
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["caller", "window"],
                name="api_rate_window_once",
                violation_error_message="This window is already counted.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.caller} @{self.window}: {self.hits}"
