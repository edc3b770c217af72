"""Signed webhook calls: JSON bodies with an HMAC-SHA256 signature and a timeout.

Receivers verify ``X-Thrive-Signature: sha256=<hex>`` as
HMAC-SHA256(workflow secret, "<X-Thrive-Timestamp>.<raw body>") and may drop repeats by
``X-Thrive-Idempotency-Key`` (a step is retried after a failure or a crash).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

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


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def backoff_seconds(failures: int) -> int:
    return BACKOFF_BASE * BACKOFF_FACTOR ** max(failures - 1, 0)


def post_json(url: str, payload: dict[str, Any], *, secret: str, key: str) -> CallResult:
    """POST ``payload`` to ``url``; any 2xx answer is success, anything else a failure."""
    if not url.startswith(("http://", "https://")):
        return CallResult(False, None, "Only http and https addresses can be called.")
    body = json.dumps(payload, sort_keys=True, default=str).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Thrive-Webhook/1",
            "X-Thrive-Timestamp": timestamp,
            "X-Thrive-Signature": signature(secret, timestamp, body),
            "X-Thrive-Idempotency-Key": key,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return CallResult(200 <= response.status < 300, response.status, "")
    except urllib.error.HTTPError as exc:
        return CallResult(False, exc.code, f"The server answered {exc.code} {exc.reason}.")
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return CallResult(False, None, f"Could not reach the server: {reason}.")
