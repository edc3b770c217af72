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

# Records only an owner may add, change or delete, in the admin as everywhere else;
# members and read-only associates may look at them. Whole apps: the team and its roles
# (with the business's own settings) and the task queue. Single models (``app.model``):
# API tokens, the rate-limit windows and counters (a row there can lock anyone out), the
# idempotency store, webhook subscriptions (they send the business's data elsewhere) and
# the cursors and schedules the background workers keep.
OWNER_ONLY_APPS = frozenset({"accounts", "auth", "django_tasks_database"})
OWNER_ONLY_MODELS = frozenset(
    {
        "api.apitoken",
        "api.idempotencyrecord",
        "api.ratewindow",
        "voice.ratecounter",
        "voice.magiclink",
        "webhooks.webhooksubscription",
        "webhooks.webhookcursor",
        "automations.enginecursor",
        "outreach.pumpschedule",
        "analytics.analyticsrefresh",
    }
)


def role_allows(role: str | None, perm: str) -> bool:
    """Whether ``role`` holds the Django permission ``perm`` ("app.action_model").

    The admin asks this through ``Associate.has_perm``: owners may do everything,
    read-only associates only view, members change business data but not the records
    above.
    """
    if role == Role.OWNER:
        return True
    app_label, _, codename = perm.partition(".")
    if codename.startswith("view_"):
        return role in {Role.MEMBER, Role.READ_ONLY}
    if role != Role.MEMBER:
        return False
    model_name = codename.partition("_")[2]
    return app_label not in OWNER_ONLY_APPS and f"{app_label}.{model_name}" not in OWNER_ONLY_MODELS


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
