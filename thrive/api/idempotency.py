"""``Idempotency-Key`` on POST: the first answer is stored with a hash of the request;
the same key with the same request gets the stored answer back (nothing runs twice),
the same key with a different request is refused (422). Keys are per caller and kept
for a day. Server errors (5xx), 401 and 429 are not stored: the request can be retried.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .auth import caller_from_token
from .errors import body
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
KEEP = dt.timedelta(hours=24)
NOT_STORED = {401, 429}
# A request still "running" after this long died with its process: its key is free again.
ABANDONED = dt.timedelta(minutes=2)


def _owner(request: HttpRequest) -> str | None:
    value = request.headers.get("Authorization", "")
    if value[:7].lower() == "bearer ":
        caller = caller_from_token(value[7:].strip())
        return caller.key if caller else None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"session:{user.pk}"
    return None


def _error(status: int, reason: str) -> HttpResponse:
    return HttpResponse(
        json.dumps(body([{"field": HEADER, "reason": reason}])),
        status=status,
        content_type="application/json",
    )


def idempotent(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap an API URL's view so POSTs honour ``Idempotency-Key``."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = request.headers.get(HEADER, "").strip()
        if request.method != "POST" or not key:
            return view(request, *args, **kwargs)
        if len(key) > 255:
            return _error(422, "An idempotency key has at most 255 characters.")
        owner = _owner(request)
        if owner is None:
            return view(request, *args, **kwargs)  # answers 401; nothing to remember
        digest = hashlib.sha256(
            request.method.encode() + b" " + request.path.encode() + b"\n" + request.body
        ).hexdigest()
        IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
        now = timezone.now()
        IdempotencyRecord.objects.filter(
            owner=owner, key=key, status_code__isnull=True, created_at__lt=now - ABANDONED
        ).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(owner=owner, key=key, request_hash=digest)
        except IntegrityError:
            record = IdempotencyRecord.objects.get(owner=owner, key=key)
            if record.request_hash != digest:
                return _error(422, "This key was used with a different request.")
            if record.status_code is None:
                return _error(409, "A request with this key is still running; retry shortly.")
            response = HttpResponse(
                bytes(record.body), status=record.status_code, content_type=record.content_type
            )
            response["Idempotent-Replayed"] = "true"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code >= 500 or response.status_code in NOT_STORED:
            record.delete()
        else:
            record.status_code = response.status_code
            record.body = response.content
            record.content_type = response.get("Content-Type", "application/json")
            record.save(update_fields=["status_code", "body", "content_type"])
        return response

    return wrapper
