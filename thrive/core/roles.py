"""Roles of associates and the permission helpers every entry point uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Literal, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest
from django.http.response import HttpResponseBase


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


ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])

# The levels a page may ask for, each the check that raises PermissionDenied (403).
_CHECKS: dict[str, Callable[[Any], None]] = {"edit": require_edit, "manage": require_manage}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def role_required(
    level: Literal["edit", "manage"], *, writes_only: bool = False
) -> Callable[[ViewFunc], ViewFunc]:
    """The one way a view limits who may use it (signing in is the middleware's job).

    ``role_required("edit")`` lets only roles that change data (owners and members) in;
    ``role_required("manage")`` only owners. With ``writes_only=True`` anyone signed in may
    look (GET, HEAD, OPTIONS) and the check guards the unsafe methods: a page that lists
    things and takes a form. Services check their ``actor`` again (``check_actor``), so a
    view that forgets still cannot write.
    """
    check = _CHECKS[level]

    def decorate(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not writes_only or request.method not in SAFE_METHODS:
                check(request.user)
            return view(request, *args, **kwargs)

        return cast(ViewFunc, wrapper)

    return decorate
