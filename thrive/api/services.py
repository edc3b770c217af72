"""Writes to API tokens: issue (the secret is returned once) and revoke."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from thrive.core.roles import can_edit

from .models import ApiToken, TokenScope

TOKEN_START = "thr_"  # noqa: S105 - a marker, not a secret
PREFIX_CHARS = 8


def hash_secret(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Issued:
    token: ApiToken
    secret: str  # the whole token; shown once, never stored


def issue_token(*, actor: Any, name: str, scope: str = TokenScope.WRITE) -> Issued:
    """Create a token for ``actor`` (every associate may have tokens; a read-only
    associate only read tokens). Returns the row and the secret to show once."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Sign in to create API tokens.")
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the token a name, e.g. the program that uses it."})
    if len(name) > 80:
        raise ValidationError({"name": "A token name has at most 80 characters."})
    if scope not in TokenScope.values:
        raise ValidationError({"scope": f"{scope!r} is not a token scope."})
    if scope == TokenScope.WRITE and not can_edit(actor):
        raise ValidationError({"scope": "Your role can read but not change data."})
    prefix = secrets.token_hex(PREFIX_CHARS // 2)
    while ApiToken.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(PREFIX_CHARS // 2)
    secret = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        associate=actor, name=name, prefix=prefix, secret_hash=hash_secret(secret), scope=scope
    )
    return Issued(token, secret)


def revoke_token(token: ApiToken, *, actor: Any) -> ApiToken:
    """Revoke a token: its owner or an owner-role associate may. Idempotent."""
    if token.associate_id != getattr(actor, "pk", None) and getattr(actor, "role", "") != "owner":
        raise PermissionDenied("Only the token's associate or an owner can revoke it.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def find_token(secret: str) -> ApiToken | None:
    """The live token whose secret this is, or None (unknown, malformed or revoked)."""
    if not secret.startswith(TOKEN_START):
        return None
    prefix = secret[len(TOKEN_START) :].split("_", 1)[0]
    token = (
        ApiToken.objects.select_related("associate")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if token is None or not secrets.compare_digest(token.secret_hash, hash_secret(secret)):
        return None
    if not token.associate.is_active:
        return None
    return token
