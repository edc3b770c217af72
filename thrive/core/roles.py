"""Roles of associates and the permission helpers every entry point uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    MEMBER = "member", "Member"
    READ_ONLY = "read_only", "Read-only"


# What each role may do. Owners manage the team and settings; members change the
# business's data; read-only associates look and never change.
EDIT_ROLES = frozenset({Role.OWNER, Role.MEMBER})
MANAGE_ROLES = frozenset({Role.OWNER})


def can_edit(user: Any) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", None) in EDIT_ROLES
    )


def can_manage(user: Any) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False))
        and getattr(user, "role", None) in MANAGE_ROLES
    )


def require_edit(user: Any) -> None:
    """Raise PermissionDenied unless ``user`` may change business data."""
    if not can_edit(user):
        raise PermissionDenied("Your role can view Thrive but not change it.")


def check_actor(actor: Any) -> None:
    """The guard every service runs on its ``actor``: the worker and the demo act as the
    system (None) and pass; a signed-in associate must be allowed to change data."""
    if actor is not None:
        require_edit(actor)


def require_manage(user: Any) -> None:
    if not can_manage(user):
        raise PermissionDenied("Only an owner can do this.")


ViewFunc = Callable[..., HttpResponse]


def edit_required(view: ViewFunc) -> ViewFunc:
    """Allow unsafe methods (POST, PUT, PATCH, DELETE) only to roles that may edit."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in {"GET", "HEAD", "OPTIONS"}:
            require_edit(request.user)
        return view(request, *args, **kwargs)

    return wrapper
