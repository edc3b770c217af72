"""Cursor pagination: pages in primary-key order, an opaque signed cursor that says
"after this id", and the ``next`` URL to fetch the following page.

A cursor is stable under inserts and deletes (no duplicates, no misses for rows that
exist throughout), unlike an offset.
"""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Schema
from pydantic import Field, create_model

from .errors import ApiError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
SALT = "thrive.api.cursor"


class PageQuery(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page (≤ 200).")
    cursor: str | None = Field(None, description="The opaque cursor from a previous `next`.")


_pages: dict[type, type[Schema]] = {}


def page_of(item: type[Schema]) -> type[Schema]:
    """The response schema of one page of ``item``s."""
    if item not in _pages:
        _pages[item] = create_model(
            f"{item.__name__}Page",
            __base__=Schema,
            items=(list[item], ...),  # type: ignore[valid-type]
            next=(str | None, Field(None, description="URL of the next page, or null.")),
        )
    return _pages[item]


def _after(cursor: str | None, resource: str) -> int:
    if not cursor:
        return 0
    try:
        data = signing.loads(cursor, salt=SALT)
    except signing.BadSignature as exc:
        raise ApiError(
            422, "This cursor is not valid; use the `next` URL as given.", "cursor"
        ) from exc
    if (
        not isinstance(data, dict)
        or data.get("r") != resource
        or not isinstance(data.get("a"), int)
    ):
        raise ApiError(422, "This cursor belongs to another list.", "cursor")
    return data["a"]


def paginate(request: HttpRequest, queryset: QuerySet[Any], page: PageQuery) -> dict[str, Any]:
    """One page of ``queryset`` after the cursor, ordered by primary key."""
    resource = request.path
    after = _after(page.cursor, resource)
    rows = list(queryset.filter(pk__gt=after).order_by("pk")[: page.limit + 1])
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    next_url = None
    if more and rows:
        params = request.GET.copy()
        params["cursor"] = signing.dumps({"a": rows[-1].pk, "r": resource}, salt=SALT)
        params["limit"] = str(page.limit)
        next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    return {"items": rows, "next": next_url}
