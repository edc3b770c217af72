"""Organizations: list, read, create, update.

Creating and changing one goes through contacts' organization service, the same one the
workspace pages use.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from thrive.contacts import services
from thrive.contacts.models import Organization
from thrive.core.roles import check_actor

from ..pagination import PageQuery, page_of, paginate
from ..types import ERRORS, Count, Id, Text, actor

router = Router(tags=["organizations"])


class OrganizationOut(Schema):
    id: int
    name: str
    domain: str
    industry: str
    employees: int | None
    website: str
    country: str
    city: str
    custom_fields: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime


class OrganizationIn(Schema):
    name: Text = Field(..., min_length=1, max_length=200)
    domain: Text = Field("", max_length=200)
    industry: Text = Field("", max_length=120)
    employees: Count | None = None
    website: Text = Field("", max_length=200)
    country: Text = Field("", max_length=2)
    city: Text = Field("", max_length=120)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class OrganizationPatch(Schema):
    name: Text | None = Field(None, min_length=1, max_length=200)
    domain: Text | None = Field(None, max_length=200)
    industry: Text | None = Field(None, max_length=120)
    employees: Count | None = None
    website: Text | None = Field(None, max_length=200)
    country: Text | None = Field(None, max_length=2)
    city: Text | None = Field(None, max_length=120)
    custom_fields: dict[str, Any] | None = None


def save_validated(obj: Any, *, who: Any) -> Any:
    check_actor(who)
    obj.full_clean()
    obj.save()
    return obj


@router.get("/organizations", response={200: page_of(OrganizationOut), **ERRORS})
def list_organizations(request: HttpRequest, page: Query[PageQuery]) -> Any:
    return paginate(request, Organization.objects.all(), page)


@router.post("/organizations", response={201: OrganizationOut, **ERRORS})
def create_organization(request: HttpRequest, payload: OrganizationIn) -> Any:
    return Status(201, services.save_organization(actor=actor(request), **payload.dict()))


@router.get("/organizations/{organization_id}", response={200: OrganizationOut, **ERRORS})
def get_organization(request: HttpRequest, organization_id: Id) -> Organization:
    return get_object_or_404(Organization, pk=organization_id)


@router.patch("/organizations/{organization_id}", response={200: OrganizationOut, **ERRORS})
def update_organization(
    request: HttpRequest, organization_id: Id, payload: OrganizationPatch
) -> Organization:
    organization = get_object_or_404(Organization, pk=organization_id)
    changes = payload.dict(exclude_unset=True)
    for name, value in changes.items():
        if value is None and name != "employees":
            from ..errors import ApiError

            raise ApiError(422, "This field cannot be null.", name)
    return services.save_organization(organization, actor=actor(request), **changes)
