"""One row per scored client, read from the database for the profile and the channel
table: predicted value, revenue, tenure, channel, first product and the attributes the
ideal-client profile compares (never the orders themselves)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import ExpressionWrapper, F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth

from thrive.analytics import queries as analytics_queries
from thrive.analytics.aggregates import MONEY, business_zone, revenue_orders
from thrive.analytics.models import CustomerScore
from thrive.commerce.models import OrderLine
from thrive.contacts.models import CustomFieldDefinition, CustomFieldEntity, CustomFieldType
from thrive.core import business

UNKNOWN = "Not recorded"
# Size classes of the EU's SME definition (Recommendation 2003/361/EC), by headcount.
SIZE_CLASSES = ((1, 9, "1–9 people"), (10, 49, "10–49 people"), (50, 249, "50–249 people"))


def size_class(employees: int | None) -> str:
    """The organization's size class in words, "" when the headcount is unknown."""
    if employees is None or employees <= 0:
        return ""
    for low, high, label in SIZE_CLASSES:
        if low <= employees <= high:
            return label
    return "250 people or more"


@dataclass(frozen=True)
class ClientTable:
    """Scored clients (people with a CustomerScore), aligned arrays sorted by person id."""

    as_of: dt.date
    person_ids: np.ndarray
    clv: np.ndarray
    revenue: np.ndarray
    tenure_days: np.ndarray
    channel: np.ndarray  # channel name or UNKNOWN
    channel_slug: np.ndarray  # slug or ""
    first_product: np.ndarray  # product name or UNKNOWN
    attributes: dict[str, list[str]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return int(self.person_ids.size)


def scoring_as_of() -> dt.date:
    """The day the latest scores were computed for (figures cover the days before it)."""
    snapshot = analytics_queries.latest_snapshot()
    if snapshot is not None:
        return snapshot.as_of
    from django.utils import timezone

    return timezone.localdate(timezone=business_zone()) + dt.timedelta(days=1)


def _first_product(column: str = "label") -> Subquery:
    lines = (
        OrderLine.objects.filter(order__person=OuterRef("person_id"))
        .exclude(order__status__in=["voided", "pending"])
        .order_by("order__ordered_at", "order_id", "id")
        .annotate(label=Coalesce("product__name", "description"), category=F("product__category"))
        .values(column)[:1]
    )
    return Subquery(lines)


def sensitive_attributes() -> set[str]:
    """The profile attribute names (lower-case labels) of the custom fields marked sensitive
    now, so a profile stored before a field was marked never shows it either."""
    return {
        label.lower()
        for label in CustomFieldDefinition.objects.filter(sensitive=True).values_list(
            "label", flat=True
        )
    }


def client_table(*, as_of: dt.date | None = None) -> ClientTable:
    """Every scored client with the attributes the profile compares."""
    as_of = as_of or scoring_as_of()
    # Sensitive attributes (health, religion, …) never describe a client here: the
    # profile would otherwise say who to look for by them.
    choice_fields = list(
        CustomFieldDefinition.objects.filter(field_type=CustomFieldType.CHOICE, sensitive=False)
        .order_by("entity", "label")
    )  # fmt: skip
    rows: list[tuple[Any, ...]] = list(
        CustomerScore.objects.order_by("person_id")
        .annotate(first_product=_first_product(), first_category=_first_product("category"))
        .values_list(
            "person_id", "predicted_clv", "revenue", "tenure_days",
            "person__acquisition_channel__name", "person__acquisition_channel__slug",
            "first_product", "person__region", "person__country",
            "person__organization__employees", "person__organization__industry",
            "person__custom_fields", "person__organization__custom_fields", "first_category",
        )
    )  # fmt: skip
    n = len(rows)
    attributes: dict[str, list[str]] = {
        "acquisition channel": [r[4] or "" for r in rows],
        "first product": [r[6] or "" for r in rows],
        "first product's category": [r[13] or "" for r in rows],
        "region": [r[7] or "" for r in rows],
        "country": [r[8] or "" for r in rows],
        "company size": [size_class(r[9]) for r in rows],
        "company industry": [r[10] or "" for r in rows],
    }
    for definition in choice_fields:
        column = 11 if definition.entity == CustomFieldEntity.PERSON else 12
        attributes[definition.label.lower()] = [
            str((r[column] or {}).get(definition.key) or "") for r in rows
        ]
    return ClientTable(
        as_of=as_of,
        person_ids=np.fromiter((r[0] for r in rows), dtype=np.int64, count=n),
        clv=np.fromiter((float(r[1]) for r in rows), dtype=np.float64, count=n),
        revenue=np.fromiter((float(r[2]) for r in rows), dtype=np.float64, count=n),
        tenure_days=np.fromiter((r[3] for r in rows), dtype=np.int64, count=n),
        channel=np.array([r[4] or UNKNOWN for r in rows], dtype=object).astype(str),
        channel_slug=np.array([r[5] or "" for r in rows], dtype=object).astype(str),
        first_product=np.array([r[6] or UNKNOWN for r in rows], dtype=object).astype(str),
        attributes=attributes,
    )


@dataclass(frozen=True)
class ClientMonths:
    """Revenue per (client, month with a purchase): the input of the cohort matrix."""

    person_ids: np.ndarray
    months: np.ndarray  # datetime64[D], first day of the month
    revenue: np.ndarray


def client_months(*, as_of: dt.date) -> ClientMonths:
    """One row per client and month with revenue before ``as_of`` (aggregated in SQL)."""
    net = ExpressionWrapper(F("total") - F("refunded"), output_field=MONEY)
    rows = list(
        revenue_orders(before=as_of, currency=business.currency())
        .annotate(month=TruncMonth("ordered_at", tzinfo=business_zone()))
        .values("person_id", "month")
        .annotate(rev=Sum(net))
        .order_by("person_id", "month")
        .values_list("person_id", "month", "rev")
    )
    return ClientMonths(
        person_ids=np.array([r[0] for r in rows], dtype=np.int64),
        months=np.array([str(r[1])[:10] for r in rows], dtype="datetime64[D]"),
        revenue=np.array([float(r[2] or 0) for r in rows], dtype=np.float64),
    )
