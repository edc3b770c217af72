"""Secrets kept in the database (webhook signing secrets, the SMTP password): encrypted
with Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from the install's SECRET_KEY
with HKDF, one key per purpose, so a copy of the database alone reveals none of them.

Keys in ``SECRET_KEY_FALLBACKS`` still decrypt, so a rotated SECRET_KEY keeps old secrets
readable until they are sealed again.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class Unreadable(Exception):
    """The stored secret was sealed under a key this install no longer has."""


@lru_cache(maxsize=16)
def _fernet(secret_key: str, purpose: bytes) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def _keys(purpose: bytes, secret_key: str | None = None) -> MultiFernet:
    keys = [secret_key or settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(key, purpose) for key in keys])


def seal(secret: str, *, purpose: bytes, secret_key: str | None = None) -> str:
    """The encrypted form of ``secret`` to store."""
    return _keys(purpose, secret_key).encrypt(secret.encode()).decode()


def unseal(sealed: str, *, purpose: bytes, secret_key: str | None = None) -> str:
    """The secret back; raises Unreadable if no current key opens it."""
    try:
        return _keys(purpose, secret_key).decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError) as exc:
        raise Unreadable("sealed under a key this install no longer has") from exc
