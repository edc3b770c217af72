"""Profiling that respects people: who declined personalisation and analytics.

A person declines by withdrawing their profiling consent (the unsubscribe page, the
preference centre) or by telling an associate, who records it on their page. From then on
nothing predicts anything about them: no scores, no churn risk, no lead score. The apps
that store such predictions register a hook here that deletes a person's at once, and
leave them out of every later computation (``declined_ids``).

A refusal from someone who never consented is kept as a grant withdrawn at the moment it
was made, so the one consent table holds the whole history and "declined" reads the same
whichever way it came."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from thrive.core.roles import check_actor, require_edit

from .forgetting import forget_predictions
from .models import (
    ActivityChannel,
    ActivityKind,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    Direction,
    Person,
)
from .services import record_activity

PURPOSE = ConsentPurpose.PROFILING


def _consents(**state: Any) -> Exists:
    return Exists(Consent.objects.filter(person=OuterRef("pk"), purpose=PURPOSE, **state))


def declined() -> QuerySet[Person]:
    """People whose last word on profiling was no: a withdrawn grant and no active one."""
    return Person.objects.filter(
        _consents(withdrawn_at__isnull=False), ~_consents(withdrawn_at__isnull=True)
    )


def declined_ids() -> set[int]:
    return set(declined().values_list("pk", flat=True))


def has_declined(person: Person) -> bool:
    return declined().filter(pk=person.pk).exists()


def declined_on(person: Person) -> Consent | None:
    """The withdrawal that stands, for the person page's "declined on …": the same test
    as :func:`declined`, over this person's few profiling consents in one query."""
    consents = list(Consent.objects.filter(person=person, purpose=PURPOSE))
    if any(c.withdrawn_at is None for c in consents):
        return None  # an active grant stands
    return max(consents, key=lambda c: (c.withdrawn_at, c.pk), default=None)


def decline(
    person: Person,
    *,
    actor: Any,
    method: str = ConsentMethod.VERBAL,
    words: str = "",
    at: dt.datetime | None = None,
) -> bool:
    """Record that ``person`` declines profiling and forget what was predicted about them.
    False when they had declined already (nothing changes)."""
    check_actor(actor)
    if actor is not None:
        require_edit(actor)
    now = at or timezone.now()
    with transaction.atomic():
        # The person's row is the lock: two declines at once record one refusal.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        if has_declined(person):
            return False
        active = Consent.objects.filter(
            person=person, purpose=PURPOSE, withdrawn_at__isnull=True
        ).first()
        if active is not None:
            active.withdrawn_at = max(now, active.granted_at)
            active.withdrawal_method = method
            active.save(update_fields=["withdrawn_at", "withdrawal_method"])
        else:
            Consent.objects.create(
                person=person, purpose=PURPOSE, method=method, granted_at=now,
                withdrawn_at=now, withdrawal_method=method,
                source_text=words.strip() or "Declined personalisation and analytics.",
            )  # fmt: skip
        record_activity(
            person, ActivityKind.CONSENT_CHANGE, occurred_at=now,
            channel=ActivityChannel.SYSTEM, direction=Direction.INBOUND, associate=actor,
            subject="Declined personalisation and analytics",
            data={"purpose": PURPOSE, "action": "withdrawn", "method": method},
        )  # fmt: skip
        forget_predictions(person.pk)
    return True
