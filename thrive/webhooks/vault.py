"""Webhook signing secrets at rest: sealed by :mod:`thrive.core.sealed` (Fernet under a
key derived from SECRET_KEY), so a copy of the database alone does not let anyone sign
events as this install."""

from __future__ import annotations

from thrive.core import sealed

PURPOSE = b"thrive.webhooks.signing-secret"


class SecretUnreadable(Exception):
    """The stored secret was sealed under a key this install no longer has."""


def seal(secret: str, *, secret_key: str | None = None) -> str:
    """The encrypted form of ``secret`` to store."""
    return sealed.seal(secret, purpose=PURPOSE, secret_key=secret_key)


def unseal(sealed_secret: str, *, secret_key: str | None = None) -> str:
    """The secret back; raises SecretUnreadable if no current key opens it."""
    try:
        return sealed.unseal(sealed_secret, purpose=PURPOSE, secret_key=secret_key)
    except sealed.Unreadable as exc:
        raise SecretUnreadable(
            "The signing secret cannot be read (was SECRET_KEY changed?); make a new "
            "subscription for this address."
        ) from exc
