"""Signed, expiring tokens for public links (unsubscribe, magic links, portals)."""

from __future__ import annotations

from typing import Any

from django.core import signing


class TokenError(Exception):
    """The token is forged, was made for another purpose, or has expired."""


def make_token(purpose: str, payload: dict[str, Any]) -> str:
    """Sign ``payload`` for one ``purpose``; a token for one purpose never opens another."""
    return signing.dumps(payload, salt=f"thrive.{purpose}", compress=True)


def read_token(purpose: str, token: str, *, max_age_seconds: int) -> dict[str, Any]:
    """Return the payload of a valid token, or raise TokenError saying why it is not."""
    try:
        payload = signing.loads(token, salt=f"thrive.{purpose}", max_age=max_age_seconds)
    except signing.SignatureExpired as exc:
        raise TokenError("This link has expired.") from exc
    except signing.BadSignature as exc:
        raise TokenError("This link is not valid.") from exc
    if not isinstance(payload, dict):
        raise TokenError("This link is not valid.")
    return payload
