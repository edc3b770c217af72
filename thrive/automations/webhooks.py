"""Signed webhook calls: JSON bodies with an HMAC-SHA256 signature and a timeout.

Receivers verify ``X-Thrive-Signature: sha256=<hex>`` as
HMAC-SHA256(workflow secret, "<X-Thrive-Timestamp>.<raw body>") and may drop repeats by
``X-Thrive-Idempotency-Key`` (a step is retried after a failure or a crash).

The address goes through :mod:`thrive.core.outbound` like subscription webhooks: never a
private or local address (unless ``THRIVE_WEBHOOKS_ALLOW_PRIVATE=1``), resolved once and
connected to as checked, redirects not followed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

from thrive.core.outbound import AddressRefused, post_to, resolve_target

TIMEOUT_SECONDS = 5
# Seconds to wait before try n+1 after n failures: 30 s, 2 min, 8 min, 32 min, …
BACKOFF_BASE = 30
BACKOFF_FACTOR = 4
DEFAULT_ATTEMPTS = 4


@dataclass(frozen=True)
class CallResult:
    ok: bool
    status: int | None
    error: str
    refused: bool = False  # the address may not be called: retrying cannot help


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def backoff_seconds(failures: int) -> int:
    return BACKOFF_BASE * BACKOFF_FACTOR ** max(failures - 1, 0)


def post_json(url: str, payload: dict[str, Any], *, secret: str, key: str) -> CallResult:
    """POST ``payload`` to ``url``; any 2xx answer is success, anything else a failure."""
    try:
        target = resolve_target(url)
    except AddressRefused as exc:
        return CallResult(False, None, str(exc), refused=True)
    body = json.dumps(payload, sort_keys=True, default=str).encode()
    timestamp = str(int(time.time()))
    status, excerpt = post_to(
        target, body,
        {
            "Content-Type": "application/json",
            "User-Agent": "Thrive-Webhook/1",
            "X-Thrive-Timestamp": timestamp,
            "X-Thrive-Signature": signature(secret, timestamp, body),
            "X-Thrive-Idempotency-Key": key,
        },
        timeout=TIMEOUT_SECONDS,
    )  # fmt: skip
    if status is None:
        return CallResult(False, None, excerpt)
    if 200 <= status < 300:
        return CallResult(True, status, "")
    return CallResult(False, status, f"The server answered {status}.")
