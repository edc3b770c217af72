"""``Thrive-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>``.

Receivers recompute the HMAC over the timestamp, a dot and the exact bytes received,
compare in constant time, and refuse timestamps older than a few minutes (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "Thrive-Signature"
TOLERANCE_SECONDS = 300


def sign(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    moment = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{moment}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={moment},v1={digest}"


def verify(
    secret: str, body: bytes, header: str, *, tolerance: int = TOLERANCE_SECONDS,
    now: int | None = None,
) -> bool:  # fmt: skip
    """True if ``header`` is a valid signature of ``body`` made within ``tolerance``."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        moment = int(parts["t"])
    except (KeyError, ValueError):
        return False
    current = int(time.time()) if now is None else now
    if abs(current - moment) > tolerance:
        return False
    expected = sign(secret, body, timestamp=moment).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
