"""Input types every router shares: bounded ids and numbers, text without NUL bytes
(PostgreSQL refuses them), aware datetimes, and the error responses to declare."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from pydantic import AfterValidator, Field

from .errors import Errors

MAX_ID = 2**53  # ids are JavaScript-safe and fit every database's bigint
MAX_SMALL = 2_147_483_647  # PositiveIntegerField's ceiling on PostgreSQL


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Text cannot contain NUL characters.")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Count = Annotated[int, Field(ge=0, le=MAX_SMALL)]


# Every error the API gives; all share the body {"errors": [{"field", "reason"}]}.
ERROR_CODES = frozenset({400, 401, 403, 404, 405, 409, 413, 415, 422, 429})
ERRORS = {ERROR_CODES: Errors}


def actor(request: HttpRequest) -> Any:
    """The associate the request acts as (passed to services as ``actor``)."""
    return request.auth.associate  # type: ignore[attr-defined]
