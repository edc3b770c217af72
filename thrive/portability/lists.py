"""CSV lists: every kind of record as a spreadsheet, streamed, safe to open.

Every table of every Thrive app can be downloaded (``/data/export/<app>.<model>.csv``);
the kinds people ask for most also have short names (``/data/export/orders.csv``). Rows
that point at a person carry that person's email next to the id so a spreadsheet can be
read without a lookup.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, models

from thrive.core.cells import csv_cell
from thrive.core.roles import Role, can_manage

from .registry import csv_fields, person_model, present_models, table_name

CHUNK_ROWS = 2000


@dataclass(frozen=True)
class Kind:
    slug: str
    title: str
    table: str
    hint: str = ""


# The lists people ask for, in the order the Data page shows them.
COMMON_KINDS = (
    Kind("people", "People", "contacts.person", "Everyone, with stage and channel"),
    Kind("organizations", "Organizations", "contacts.organization"),
    Kind("orders", "Orders", "commerce.order", "Totals, refunds, dates and channels"),
    Kind("order-lines", "Order lines", "commerce.orderline"),
    Kind("subscriptions", "Subscriptions", "commerce.subscription"),
    Kind("deals", "Deals", "commerce.deal"),
    Kind("activities", "Activities", "contacts.activity", "The whole timeline"),
    Kind("stage-changes", "Stage history", "contacts.stagechange"),
    Kind("consents", "Consents", "contacts.consent"),
    Kind("tasks", "Tasks", "tasks.task", "The task inbox, done and open"),
    Kind("deliveries", "Email deliveries", "outreach.delivery"),
    Kind("ideas", "Ideas", "voice.idea"),
    Kind("votes", "Idea votes", "voice.vote"),
    Kind("survey-responses", "Survey responses", "voice.surveyresponse"),
    Kind("products", "Products", "commerce.product"),
    Kind("marketing-spend", "Marketing spend", "commerce.marketingspend"),
)

# Tables only an owner may download: the team and its roles, and the erasure log.
OWNER_ONLY_APPS = frozenset({"accounts"})
OWNER_ONLY_TABLES = frozenset({"portability.erasurelog"})


def resolve(slug: str) -> type[models.Model] | None:
    """The model behind a list's name (a short name or ``<app>.<model>``), if it exists here."""
    table = next((k.table for k in COMMON_KINDS if k.slug == slug), slug)
    return next((m for m in present_models() if table_name(m) == table), None)


def may_download(user: Any, model: type[models.Model]) -> bool:
    """Whoever may look at a kind of record may take it as a list (as the people list's
    export always allowed); the team's own records and the erasure log are the owner's."""
    if model._meta.app_label in OWNER_ONLY_APPS or table_name(model) in OWNER_ONLY_TABLES:
        return can_manage(user)
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", None) in set(
        Role.values
    )


def common_kinds() -> list[tuple[Kind, type[models.Model]]]:
    found = []
    for kind in COMMON_KINDS:
        model = resolve(kind.slug)
        if model is not None:
            found.append((kind, model))
    return found


def all_tables() -> list[tuple[str, str, type[models.Model]]]:
    """(name, human title, model) for every table, grouped by app."""
    rows = [
        (table_name(m), f"{m._meta.app_config.verbose_name}: {m._meta.verbose_name_plural}", m)
        for m in present_models()
    ]
    return sorted(rows, key=lambda r: r[0])


# Above this many rows PostgreSQL's planner estimate is shown instead of a COUNT(*), which
# would scan the whole table on every visit to the Data page.
EXACT_UP_TO = 50_000


def row_counts(tables: list[type[models.Model]]) -> dict[type[models.Model], tuple[int, bool]]:
    """(rows, exact) per table: exact counts, or PostgreSQL's estimate for big tables."""
    estimates: dict[str, int] = {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, reltuples::bigint FROM pg_class WHERE relname = ANY(%s)",
                [[m._meta.db_table for m in tables]],
            )
            estimates = dict(cursor.fetchall())
    counts = {}
    for model in tables:
        guess = estimates.get(model._meta.db_table, -1)
        if guess > EXACT_UP_TO:
            counts[model] = (guess, False)
        else:
            counts[model] = (model._base_manager.count(), True)
    return counts


class _Echo:
    def write(self, value: str) -> str:
        return value


def _columns(model: type[models.Model]) -> tuple[list[str], list[str]]:
    """(header, values_list lookups): the table's columns, plus the email of each person
    a row points at."""
    fields = csv_fields(model)
    header = [f.attname for f in fields]
    lookups = list(header)
    Person = person_model()
    for f in fields:
        if f.is_relation and f.related_model is Person:
            header.append(f"{f.name}_email")
            lookups.append(f"{f.name}__email")
    return header, lookups


def csv_lines(model: type[models.Model], queryset: models.QuerySet | None = None) -> Iterator[str]:
    """The CSV text of ``queryset`` (default: the whole table), line by line, in primary-key
    order, read in keyset chunks so memory stays flat."""
    header, lookups = _columns(model)
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    base = (queryset if queryset is not None else model._base_manager.all()).order_by("pk")
    rows = base.values_list("pk", *lookups)
    last: Any = None
    while True:
        chunk = list((rows if last is None else rows.filter(pk__gt=last))[:CHUNK_ROWS])
        if not chunk:
            return
        for row in chunk:
            yield writer.writerow([csv_cell(v) for v in row[1:]])
        last = chunk[-1][0]
