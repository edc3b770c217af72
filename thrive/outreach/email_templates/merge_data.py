"""The merge fields a template may use, and their values for one person, as plain dicts.

Templates get copies of values (text, numbers, dates), never model instances: the
sandbox has nothing to call. ``allowed_paths`` is the whitelist the validator checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Max, Min, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from thrive.accounts.queries import business_name
from thrive.analytics.models import CustomerScore
from thrive.commerce.models import Order
from thrive.contacts.models import CustomFieldDefinition, CustomFieldEntity, Person
from thrive.insights.rfm import rfm_segment_name

PERSON_FIELDS: dict[str, str] = {
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name",
    "email": "Email",
    "phone": "Phone",
    "job_title": "Job title",
    "city": "City",
    "region": "Region",
    "country": "Country code",
    "stage": "Lifecycle stage",
}
ORGANIZATION_FIELDS: dict[str, str] = {
    "name": "Name",
    "industry": "Industry",
    "city": "City",
    "country": "Country code",
    "website": "Website",
}
ORDER_FIELDS: dict[str, str] = {
    "count": "Number of orders",
    "total_spent": "Total spent, net of refunds",
    "first_date": "Date of the first order",
    "last_date": "Date of the last order",
    "last_number": "Number of the last order",
    "last_total": "Total of the last order",
    "currency": "Currency of the last order",
}
CLV_FIELDS: dict[str, str] = {
    "predicted_value": "Predicted value over the next 12 months",
    "p_alive": "Chance the customer is still active (0–1)",
    "expected_purchases_90d": "Expected purchases in the next 90 days",
    "churn_risk": "Churn risk (low, medium, high)",
    "rfm_segment": "RFM segment",
}
TOP_LEVEL: dict[str, str] = {
    "unsubscribe_url": "The person's own unsubscribe link",
    "business.name": "Your business's name",
}

REVENUE_STATUSES = ("completed", "partially_refunded", "refunded")


# Set by the sender for one batch of messages: the custom field keys are read once per
# batch instead of twice per message. Outside a batch (previews, tests) every call reads.
_BATCH_KEYS: ContextVar[dict[str, list[str]] | None] = ContextVar("merge_keys", default=None)


@contextmanager
def batch_cache() -> Iterator[None]:
    """Within the block, custom field definitions are read once per entity."""
    reset = _BATCH_KEYS.set({})
    try:
        yield
    finally:
        _BATCH_KEYS.reset(reset)


def _custom_keys(entity: str) -> list[str]:
    cache = _BATCH_KEYS.get()
    if cache is not None:
        if entity not in cache:
            cache[entity] = _read_custom_keys(entity)
        return cache[entity]
    return _read_custom_keys(entity)


def _read_custom_keys(entity: str) -> list[str]:
    return list(
        CustomFieldDefinition.objects.filter(entity=entity)
        .order_by("key")
        .values_list("key", flat=True)
    )


def field_reference() -> list[tuple[str, str]]:
    """Every merge field as (path, label), for the editor's reference list."""
    rows = [(f"person.{k}", v) for k, v in PERSON_FIELDS.items()]
    rows += [(f"person.custom.{k}", "Custom field") for k in _custom_keys(CustomFieldEntity.PERSON)]
    rows += [(f"organization.{k}", f"Organization: {v}") for k, v in ORGANIZATION_FIELDS.items()]
    rows += [
        (f"organization.custom.{k}", "Organization custom field")
        for k in _custom_keys(CustomFieldEntity.ORGANIZATION)
    ]
    rows += [(f"orders.{k}", v) for k, v in ORDER_FIELDS.items()]
    rows += [(f"clv.{k}", v) for k, v in CLV_FIELDS.items()]
    rows += list(TOP_LEVEL.items())
    return rows


def allowed_paths() -> frozenset[str]:
    """The dotted paths a template may name (custom fields as currently defined)."""
    return frozenset(path for path, _ in field_reference())


def _custom(values: dict[str, Any] | None, keys: list[str]) -> dict[str, Any]:
    values = values or {}
    return {key: values.get(key, "") for key in keys}


def merge_context(person: Person) -> dict[str, Any]:
    """The values of every merge field for ``person`` (blank where unknown).

    Blank values let templates fall back with ``default``, e.g.
    ``{{ person.first_name|default:"there" }}``.
    """
    orders = person.orders.filter(status__in=REVENUE_STATUSES)
    totals = orders.aggregate(
        count=Count("id"),
        net=_NET,
        first=Min("ordered_at"),
        last=Max("ordered_at"),
    )
    # Someone who never ordered needs no second query for their last order.
    last = orders.order_by("-ordered_at", "-id").first() if totals["count"] else None
    score = getattr(person, "score", None) if hasattr(person, "score") else None
    return _context(person, totals, last, score)


def merge_contexts(people: list[Person]) -> dict[int, dict[str, Any]]:
    """:func:`merge_context` for many people at once, by person id: the order totals in
    one grouped query, the last orders and customer scores in one query each (the
    people should come with ``select_related("organization")``)."""
    ids = [person.pk for person in people]
    totals: dict[int, dict[str, Any]] = {
        row["person_id"]: dict(row)
        for row in Order.objects.filter(person_id__in=ids, status__in=REVENUE_STATUSES)
        .values("person_id")
        .annotate(count=Count("id"), net=_NET, first=Min("ordered_at"), last=Max("ordered_at"))
        .order_by()
    }
    lasts: dict[int, Any] = {}
    if totals:
        newest = (
            Order.objects.filter(person_id=OuterRef("pk"), status__in=REVENUE_STATUSES)
            .order_by("-ordered_at", "-id")
            .values("pk")[:1]
        )
        last_ids = dict(
            Person.objects.filter(pk__in=list(totals))
            .annotate(last_order=Subquery(newest))
            .values_list("pk", "last_order")
        )
        orders = Order.objects.in_bulk([pk for pk in last_ids.values() if pk is not None])
        lasts = {person_id: orders.get(pk) for person_id, pk in last_ids.items()}
    scores = {score.person_id: score for score in CustomerScore.objects.filter(person_id__in=ids)}
    empty = {"count": 0, "net": Decimal(0), "first": None, "last": None}
    return {
        person.pk: _context(
            person, totals.get(person.pk, empty), lasts.get(person.pk), scores.get(person.pk)
        )
        for person in people
    }


_NET = Coalesce(
    Sum(F("total") - F("refunded"), output_field=DecimalField()),
    Decimal(0),
    output_field=DecimalField(),
)


def _context(person: Person, totals: dict[str, Any], last: Any, score: Any) -> dict[str, Any]:
    org = person.organization
    return {
        "person": {
            **{key: getattr(person, key, "") or "" for key in PERSON_FIELDS if key != "stage"},
            "full_name": person.full_name,
            "stage": person.get_stage_display(),
            "custom": _custom(person.custom_fields, _custom_keys(CustomFieldEntity.PERSON)),
        },
        "organization": {
            **{key: (getattr(org, key, "") or "") if org else "" for key in ORGANIZATION_FIELDS},
            "custom": _custom(
                org.custom_fields if org else {}, _custom_keys(CustomFieldEntity.ORGANIZATION)
            ),
        },
        "orders": {
            "count": totals["count"] or 0,
            "total_spent": totals["net"],
            "first_date": totals["first"].date() if totals["first"] else "",
            "last_date": totals["last"].date() if totals["last"] else "",
            "last_number": last.number if last else "",
            "last_total": last.total if last else "",
            "currency": last.currency if last else "",
        },
        "clv": {
            "predicted_value": score.predicted_clv if score else "",
            "p_alive": score.p_alive if score else "",
            "expected_purchases_90d": score.expected_purchases_90d if score else "",
            "churn_risk": score.churn_risk if score else "",
            "rfm_segment": rfm_segment_name(score.rfm_segment) if score else "",
        },
        "business": {"name": business_name()},
        "unsubscribe_url": "",
    }


def picker_fields() -> list[dict[str, str]]:
    """The merge fields for the editor's picker: the tag to insert and a plain label
    ("First name"), grouped as the owner thinks of them."""
    groups = {"person": "Person", "organization": "Organization", "orders": "Orders",
              "clv": "Predictions"}  # fmt: skip
    rows = []
    for path, label in field_reference():
        head = path.split(".", 1)[0]
        if path.startswith("person.custom."):
            label = path.rsplit(".", 1)[1].replace("_", " ").capitalize()
        elif path.startswith("organization.custom."):
            label = "Organization: " + path.rsplit(".", 1)[1].replace("_", " ")
        rows.append({"tag": "{{ " + path + " }}", "label": label,
                     "group": groups.get(head, "Other")})  # fmt: skip
    return rows


def sample_context() -> dict[str, Any]:
    """Merge data for nobody in particular: every field shows its own label ("First
    name"), the business its real name. For readable subjects in lists and for a test
    email when no person is chosen."""
    data: dict[str, Any] = {}
    for path, label in field_reference():
        node = data
        *parents, last = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        if path.startswith(("person.custom.", "organization.custom.")):
            label = last.replace("_", " ").capitalize()
        node[last] = label
    data["business"] = {"name": business_name()}
    data["unsubscribe_url"] = "#unsubscribe"
    return data
