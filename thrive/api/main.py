"""The versioned API: one NinjaAPI, one router per domain, one error shape."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from . import errors
from .auth import BearerToken, Session
from .routers import (
    activities,
    campaigns,
    commerce,
    organizations,
    people,
    segments,
    tasks,
    voice,
)

DESCRIPTION = """
The Thrive REST API. Authenticate with `Authorization: Bearer <token>` (make a token on
the API page) or, in these docs, with your signed-in session.

* Lists are pages in id order: follow `next` (an opaque cursor); `limit` ≤ 200.
* Writes need a token with write scope and an owner or member role.
* Send `Idempotency-Key: <unique string>` with a POST to make retries safe.
* Every error answers `{"errors": [{"field": …, "reason": …}]}`.
* Rate limit: per token per minute (429 with `Retry-After` when over).
"""

IDEMPOTENCY_HEADER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "A unique string; retrying with it returns the first answer.",
    "schema": {"type": "string", "maxLength": 255},
}


class ThriveAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """The schema, with the ``Idempotency-Key`` header every POST honours (it is
        handled around the endpoints, so ninja does not see it)."""
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            if "post" in operations:
                parameters = operations["post"].setdefault("parameters", [])
                parameters.append(dict(IDEMPOTENCY_HEADER))
        return schema


api = ThriveAPI(
    title="Thrive API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=[BearerToken(), Session()],
    docs_url="/docs",
)
errors.install(api)
for module in (people, organizations, activities, segments, commerce, tasks, campaigns, voice):
    api.add_router("", module.router)
