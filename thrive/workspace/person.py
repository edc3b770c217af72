"""Everything the person 360° page shows, gathered in a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Sum

from thrive.analytics.basket_rules import likely_next_products
from thrive.automations.queries import person_logs
from thrive.commerce.queries import open_deals
from thrive.contacts import profiling
from thrive.contacts.models import (
    Activity,
    ChurnRisk,
    Consent,
    CustomFieldDefinition,
    CustomFieldEntity,
    Person,
    Referral,
    Stage,
    StageChange,
)
from thrive.insights.rfm import RFM_SEGMENT_DESCRIPTIONS, rfm_segment_name
from thrive.outreach.queries import person_deliveries
from thrive.tasks import queries as task_queries
from thrive.voice.queries import person_voice

TIMELINE_PAGE = 30
REVENUE_STATUSES = ["completed", "partially_refunded", "refunded"]


def explain_score(person: Person, score: Any) -> list[str]:
    """Plain-words sentences behind the predicted value, P(alive) and RFM segment."""
    if score is None:
        return []
    name = person.first_name or "This customer"
    purchases = score.frequency + 1
    sentences = [
        f"{name} bought on {purchases} different day{'s' if purchases != 1 else ''}, "
        f"the last {score.recency_days} days ago, over {score.tenure_days} days as a customer.",
        f"From how often similar customers buy and lapse, there is a {score.p_alive:.0%} "
        f"chance {name} is still an active customer "
        + (
            "(in the Lost stage, so churn risk does not apply)."
            if score.churn_risk == ChurnRisk.LOST or person.stage == Stage.LOST
            else f"({score.get_churn_risk_display().lower()} churn risk)."
        ),
        f"Expected purchases in the next 90 days: {score.expected_purchases_90d:.1f}; "
        f"predicted value over the next 12 months: {score.predicted_clv:,.2f} "
        "(margin and discounting applied).",
    ]
    label = rfm_segment_name(score.rfm_segment)
    meaning = RFM_SEGMENT_DESCRIPTIONS.get(score.rfm_segment, "")
    sentences.append(f"RFM {score.rfm_r}-{score.rfm_f}-{score.rfm_m}: {label}. {meaning}".strip())
    return sentences


def custom_field_labels(person: Person) -> list[tuple[str, Any]]:
    """The person's custom fields under their defined labels (a key without a definition,
    say from an old import, in words), sorted by label."""
    labels = dict(
        CustomFieldDefinition.objects.filter(entity=CustomFieldEntity.PERSON).values_list(
            "key", "label"
        )
    )
    return sorted(
        (labels.get(key) or key.replace("_", " ").capitalize(), value)
        for key, value in (person.custom_fields or {}).items()
    )


def person_profile(person: Person, *, timeline_page: str | None = None) -> dict[str, Any]:
    score = getattr(person, "score", None) if hasattr(person, "score") else None
    orders = person.orders.order_by("-ordered_at")
    totals = orders.filter(status__in=REVENUE_STATUSES).aggregate(
        gross=Sum("total"), refunded=Sum("refunded"), count=Count("id"),
        first=Min("ordered_at"), last=Max("ordered_at"),
    )  # fmt: skip
    timeline = Paginator(
        Activity.objects.filter(person=person)
        .select_related("associate", "recorded_by")
        .order_by("-occurred_at", "-id"),
        TIMELINE_PAGE,
    ).get_page(timeline_page)

    return {
        "person": person,
        "score": score,
        "score_explanation": explain_score(person, score),
        "roles": list(person.roles.all()),
        "tags": list(person.tags.order_by("name")),
        "stage_history": list(
            StageChange.objects.filter(person=person)
            .select_related("actor")
            .order_by("-changed_at", "-id")
        ),
        "timeline": timeline,
        "orders": list(orders.prefetch_related("lines")[:20]),
        "order_totals": {
            "count": totals["count"] or 0,
            "net": (totals["gross"] or Decimal(0)) - (totals["refunded"] or Decimal(0)),
            "first": totals["first"],
            "last": totals["last"],
        },
        "subscriptions": list(person.subscriptions.order_by("-started_on")),
        "open_deals": list(open_deals(person=person)),
        "consents": list(Consent.objects.filter(person=person).order_by("purpose", "-granted_at")),
        # Declined personalisation and analytics: no scores, and the page says why.
        "profiling_declined": profiling.declined_on(person),
        # Cross-sell: rules whose left side they bought and right side they have not.
        "likely_next": likely_next_products(person),
        "tasks": task_queries.tasks_for_person(person, 20),
        "referred_by": Referral.objects.filter(referred=person).select_related("referrer").first(),
        "referrals": list(Referral.objects.filter(referrer=person).select_related("referred")[:50]),
        "custom_fields": custom_field_labels(person),
        # "Why did this happen?": what workflows did for this person, explained.
        "automation_log": person_logs(person),
        "email_deliveries": person_deliveries(person),
        # Ideas they support and their survey answers (thrive.voice).
        "voice": person_voice(person),
    }
