"""Webhook signing secrets at rest: encrypted with Fernet (AES-128-CBC + HMAC-SHA256)
under a key derived from the install's SECRET_KEY with HKDF, so a copy of the database
alone does not let anyone sign events as this install.

Keys in ``SECRET_KEY_FALLBACKS`` still decrypt, so a rotated SECRET_KEY keeps old
secrets readable until they are sealed again.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PURPOSE = b"thrive.webhooks.signing-secret"


class SecretUnreadable(Exception):
    """The stored secret was sealed under a key this install no longer has."""


@lru_cache(maxsize=8)
def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def _keys(secret_key: str | None = None) -> MultiFernet:
    keys = [secret_key or settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(key) for key in keys])


def seal(secret: str, *, secret_key: str | None = None) -> str:
    """The encrypted form of ``secret`` to store."""
    return _keys(secret_key).encrypt(secret.encode()).decode()


def unseal(sealed: str, *, secret_key: str | None = None) -> str:
    """The secret back; raises SecretUnreadable if no current key opens it."""
    try:
        return _keys(secret_key).decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable(
            "The signing secret cannot be read (was SECRET_KEY changed?); make a new "
            "subscription for this address."
        ) from exc
