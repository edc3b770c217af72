"""Which tables hold the business's data, in which order, and which columns never leave.

Everything here walks ``apps.get_models()``, so an app added later is exported, restored
and searched by the erasure without a change here; the few explicit entries below are the
places where the generic rule would be wrong.
"""

from __future__ import annotations

import re
from functools import cache

from django.apps import apps
from django.db import models

# Tables that are not the business's data: sign-in plumbing, the task queue, sessions,
# admin history, and the export jobs themselves (restoring them would point at files that
# are not there).
# Per-person order totals are derived: the restored orders' triggers rebuild them.
EXCLUDED_MODELS = frozenset(
    {"portability.exportrun", "commerce.personordertotals", "commerce.personproduct"}
)

# Columns left out of every export. Password hashes stay in the install they were made
# in: a restored install asks each associate to set a password (docs/backup.md).
OMITTED_FIELDS: dict[str, frozenset[str]] = {
    "accounts.associate": frozenset({"password"}),
    # A claim on a refresh job of the install that wrote the archive: after a restore the
    # worker queues a fresh one for every calendar (bookings' reschedule hook).
    "bookings.calendarconnection": frozenset({"refresh_due_at"}),
}


def _unusable_password() -> str:
    from django.contrib.auth.hashers import make_password

    return make_password(None)


# What a restore puts in an omitted column (otherwise the field's default).
FILL_OMITTED = {("accounts.associate", "password"): _unusable_password}

# Columns left out of CSV lists (spreadsheets get mailed around) but kept in the full
# archive, which a restore needs whole: secrets, tokens and nonce hashes.
_SECRET_NAME = re.compile(r"password|secret|token|nonce|api_key|signing_key")


def _is_thrive_app(label: str) -> bool:
    config = apps.get_app_config(label)
    return config.name.startswith("thrive.")


@cache
def exported_models() -> tuple[type[models.Model], ...]:
    """Every concrete model of every Thrive app, each after the models it points at.

    Models that point outside this set (e.g. an associate's auth groups) are left out;
    a dependency cycle (allowed through nullable keys) is broken by label order, which is
    safe because foreign keys are checked when the restore commits.
    """
    candidates = {
        m
        for m in apps.get_models(include_auto_created=True)
        if _is_thrive_app(m._meta.app_label)
        and m._meta.managed
        and not m._meta.proxy
        and m._meta.label_lower not in EXCLUDED_MODELS
    }
    outside = {
        m
        for m in candidates
        if m._meta.auto_created
        and any(
            f.is_relation and f.related_model not in candidates for f in m._meta.concrete_fields
        )
    }
    candidates -= outside
    points_at = {
        m: {
            f.related_model
            for f in m._meta.concrete_fields
            if f.is_relation and f.related_model in candidates and f.related_model is not m
        }
        for m in candidates
    }
    ordered: list[type[models.Model]] = []
    remaining = set(candidates)
    while remaining:
        free = [m for m in remaining if not (points_at[m] & remaining)]
        if not free:  # a cycle: take the one with fewest unresolved dependencies
            free = [min(remaining, key=lambda m: (len(points_at[m] & remaining), m._meta.label))]
        free.sort(key=lambda m: m._meta.label_lower)
        ordered.extend(free)
        remaining -= set(free)
    return tuple(ordered)


def table_name(model: type[models.Model]) -> str:
    """The archive's name for a table: ``<app_label>.<model>`` (e.g. ``contacts.person``)."""
    return model._meta.label_lower


def archive_fields(model: type[models.Model]) -> list[models.Field]:
    """The columns a full archive keeps for ``model``, primary key first."""
    omitted = OMITTED_FIELDS.get(table_name(model), frozenset())
    fields = [f for f in model._meta.concrete_fields if f.name not in omitted]
    fields.sort(key=lambda f: (not f.primary_key,))
    return fields


def csv_fields(model: type[models.Model]) -> list[models.Field]:
    """The columns a CSV list shows: the archive's, minus secrets."""
    return [f for f in archive_fields(model) if not _SECRET_NAME.search(f.name)]


def person_model() -> type[models.Model]:
    return apps.get_model("contacts", "Person")


def present_models() -> list[type[models.Model]]:
    """``exported_models()`` whose tables exist in this database (a model whose migration
    has not been applied yet holds nothing)."""
    from django.db import connection

    existing = set(connection.introspection.table_names())
    return [m for m in exported_models() if m._meta.db_table in existing]
