"""One error shape for every failure: ``{"errors": [{"field": …, "reason": …}]}``.

``field`` names the input at fault (``email``, ``lines[2].quantity``, ``cursor``) or is
null when the error is about the request as a whole.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from .ratelimit import RateLimited


class ErrorItem(Schema):
    field: str | None = None
    reason: str


class Errors(Schema):
    errors: list[ErrorItem]


class ApiError(Exception):
    """An error an endpoint raises to answer ``status`` naming a field."""

    def __init__(self, status: int, reason: str, field: str | None = None) -> None:
        self.status = status
        self.items = [{"field": field, "reason": reason}]
        super().__init__(reason)


def body(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"errors": items}


def _loc_field(loc: Any) -> str | None:
    parts = [str(p) for p in loc or ()]
    if not parts:
        return None
    if parts[0] == "body":
        parts = parts[2:] if len(parts) > 2 else parts[1:]  # drop the parameter's name
    elif parts[0] in {"query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    text = ""
    for part in parts:
        # List positions count from 1, as the services number lines and rows.
        text += f"[{int(part) + 1}]" if part.isdigit() else (f".{part}" if text else part)
    return text or None


def _django_items(exc: DjangoValidationError) -> list[dict[str, Any]]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": None if name == "__all__" else name, "reason": message}
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": None, "reason": message} for message in exc.messages]


def install(api: NinjaAPI) -> None:
    """Replace ninja's handlers so every error has the same body."""

    def respond(request: HttpRequest, status: int, items: list[dict[str, Any]]) -> HttpResponse:
        return api.create_response(request, body(items), status=status)

    @api.exception_handler(NinjaValidationError)
    def invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        items = [
            {"field": _loc_field(e.get("loc")), "reason": str(e.get("msg", "Invalid value."))}
            for e in exc.errors
        ]
        return respond(request, 422, items or [{"field": None, "reason": "Invalid request."}])

    @api.exception_handler(DjangoValidationError)
    def refused(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return respond(request, 422, _django_items(exc))

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return respond(request, exc.status, exc.items)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        reason = "Send a valid API token as 'Authorization: Bearer <token>'."
        response = respond(request, 401, [{"field": "Authorization", "reason": reason}])
        response["WWW-Authenticate"] = 'Bearer realm="thrive"'
        return response

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, [{"field": None, "reason": str(exc) or "Not allowed."}])

    @api.exception_handler(Http404)
    def missing(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, [{"field": None, "reason": "Not found."}])

    @api.exception_handler(ProtectedError)
    @api.exception_handler(RestrictedError)
    def in_use(request: HttpRequest, exc: Exception) -> HttpResponse:
        reason = "Other records still use this one; remove or change them first."
        return respond(request, 409, [{"field": None, "reason": reason}])

    @api.exception_handler(IntegrityError)
    def conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        reason = "This conflicts with an existing record (e.g. a duplicate)."
        return respond(request, 409, [{"field": None, "reason": reason}])

    @api.exception_handler(RateLimited)
    def limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
        response = respond(request, 429, [{"field": None, "reason": str(exc)}])
        response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        return respond(request, 429, [{"field": None, "reason": "Too many requests."}])

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return respond(request, exc.status_code, [{"field": None, "reason": str(exc)}])
