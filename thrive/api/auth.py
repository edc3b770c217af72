"""Who is calling: a bearer token or a signed-in session (with CSRF), then the role
check for writes and the rate limit, before any endpoint runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from thrive.core.roles import can_edit

from . import ratelimit
from .models import ApiToken, TokenScope
from .services import find_token

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# last_used_at is written at most this often per token (one UPDATE, not one per call).
TOUCH_EVERY = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Caller:
    """The associate behind a request, and whether this request may change data."""

    associate: Any
    token: ApiToken | None

    @property
    def key(self) -> str:
        return f"token:{self.token.pk}" if self.token else f"session:{self.associate.pk}"

    @property
    def can_write(self) -> bool:
        if self.token is not None and self.token.scope != TokenScope.WRITE:
            return False
        return can_edit(self.associate)


def admit(request: HttpRequest, caller: Caller) -> Caller:
    """Refuse writes to read-only callers (403) and callers over their rate (429)."""
    if request.method not in SAFE_METHODS and not caller.can_write:
        reason = (
            "This token is read-only."
            if caller.token is not None and caller.token.scope != TokenScope.WRITE
            else "Your role can view Thrive but not change it."
        )
        raise PermissionDenied(reason)
    ratelimit.hit(caller.key)
    request.caller = caller  # type: ignore[attr-defined]
    return caller


def caller_from_token(secret: str) -> Caller | None:
    token = find_token(secret)
    if token is None:
        return None
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY)
    ).update(last_used_at=now)
    return Caller(token.associate, token)


class BearerToken(HttpBearer):
    """``Authorization: Bearer thr_…``, a token made on the API page."""

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        caller = caller_from_token(token.strip())
        return admit(request, caller) if caller else None


class Session(SessionAuth):
    """The signed-in associate (the interactive docs); unsafe methods need the CSRF
    token like every form.

    A request that sends ``Authorization`` is token-authenticated: a wrong or revoked
    token must answer 401, not fall through to the session check and its CSRF 403. A
    request with no signed-in session has nothing for CSRF to protect, so it is 401 too.
    """

    def __call__(self, request: HttpRequest) -> Caller | None:
        if "Authorization" in request.headers or not request.user.is_authenticated:
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Caller | None:
        user = request.user
        if not user.is_authenticated:
            return None
        return admit(request, Caller(user, None))
