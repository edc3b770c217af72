"""Webhooks: subscribe, read the activity log into deliveries, send them signed with
retries and backoff, replay.

Reading the log works like the automation engine's: in id order after a stored cursor,
in a transaction that first takes the cursor row's lock with a conditional UPDATE, so
two workers never read the same batch; a gap in ids is waited for briefly (a slower
transaction may still commit it). Deliveries are unique per subscription and event, so
a batch read twice after a crash queues nothing twice. Sending claims a delivery with a
conditional UPDATE and a lease; a worker that dies mid-call leaves it due again.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from thrive.contacts.models import Activity, Person
from thrive.core.outbound import AddressRefused, Target, post_to, resolve_target
from thrive.core.roles import check_actor

from .addresses import check_url
from .events import EVENT_TYPES, event_type
from .models import (
    DUE_STATUSES,
    DeliveryStatus,
    WebhookCursor,
    WebhookDelivery,
    WebhookSubscription,
)
from .signing import HEADER, sign
from .vault import SecretUnreadable, seal

CURSOR = "webhooks"
SETTLE = dt.timedelta(seconds=5)
LEASE = dt.timedelta(minutes=2)
TIMEOUT_SECONDS = 5
EXCERPT = 500


def max_attempts() -> int:
    return int(getattr(settings, "THRIVE_WEBHOOKS_MAX_ATTEMPTS", 8))


def retry_base_seconds() -> float:
    return float(getattr(settings, "THRIVE_WEBHOOKS_RETRY_SECONDS", 30))


def backoff(failures: int) -> dt.timedelta:
    """Wait before the next try after ``failures`` failed tries: base × 2^(n−1), at most
    six hours (30 s, 1 min, 2 min, 4 min, … with the default base)."""
    seconds = retry_base_seconds() * 2 ** max(failures - 1, 0)
    return dt.timedelta(seconds=min(seconds, 6 * 3600))


# -- subscriptions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Subscribed:
    subscription: WebhookSubscription
    secret: str  # shown once


def _clean_types(event_types: list[str]) -> list[str]:
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown:
        raise ValidationError({"event_types": f"Unknown event types: {', '.join(unknown)}."})
    if not event_types:
        raise ValidationError({"event_types": "Choose at least one event type."})
    return sorted(set(event_types))


def create_subscription(
    *, actor: Any, url: str, event_types: list[str], description: str = ""
) -> Subscribed:
    """Subscribe ``url`` to ``event_types``; events from now on are sent to it."""
    check_actor(actor)
    url = url.strip()
    try:
        check_url(url)
    except AddressRefused as exc:
        raise ValidationError({"url": str(exc)}) from exc
    secret = "whsec_" + secrets.token_urlsafe(32)
    last = Activity.objects.aggregate(last=Max("pk"))["last"] or 0
    subscription = WebhookSubscription(
        url=url, event_types=_clean_types(event_types), encrypted_secret=seal(secret),
        description=description,
        since_activity_id=last, created_by=actor,
    )  # fmt: skip
    subscription.full_clean()
    subscription.save()
    transaction.on_commit(_wake)
    return Subscribed(subscription, secret)


def set_active(subscription: WebhookSubscription, active: bool, *, actor: Any) -> None:
    """Pause or resume; a resumed subscription hears only events from now on."""
    check_actor(actor)
    subscription.active = active
    if active:
        subscription.since_activity_id = Activity.objects.aggregate(last=Max("pk"))["last"] or 0
    subscription.save(update_fields=["active", "since_activity_id"])
    if active:
        transaction.on_commit(_wake)


def replay(delivery: WebhookDelivery, *, actor: Any) -> WebhookDelivery:
    """Send a delivery's event again (same payload and event id), as a new delivery."""
    check_actor(actor)
    copy = WebhookDelivery.objects.create(
        subscription=delivery.subscription, event_id=delivery.event_id,
        event_type=delivery.event_type, activity_id=delivery.activity_id,
        payload=delivery.payload, replay_of=delivery,
    )  # fmt: skip
    transaction.on_commit(_wake)
    return copy


def _wake() -> None:
    from .tasks import schedule_tick

    schedule_tick(delay=dt.timedelta(0))


# -- reading the activity log -------------------------------------------------------------


def _payload(activity: dict[str, Any], kind: str, person: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "id": f"evt_{activity['pk']}",
        "type": kind,
        "occurred_at": activity["occurred_at"].isoformat(),
        "person": person,
        "activity": {
            "id": activity["pk"], "kind": activity["kind"], "subject": activity["subject"],
            "data": activity["data"], "ref": activity["ref"],
        },
    }  # fmt: skip


def _settled(rows: list[dict[str, Any]], start: int, clock: dt.datetime) -> list[dict[str, Any]]:
    """Rows up to the first gap in ids that is younger than SETTLE."""
    previous = start
    for index, row in enumerate(rows):
        if previous and row["pk"] != previous + 1 and row["recorded_at"] > clock - SETTLE:
            return rows[:index]
        previous = row["pk"]
    return rows


def _read_batch(size: int, now: dt.datetime) -> int:
    with transaction.atomic():
        # The conditional UPDATE locks the cursor row until commit.
        WebhookCursor.objects.filter(name=CURSOR).update(updated_at=now)
        start = WebhookCursor.objects.get(name=CURSOR).last_activity_id
        subscriptions = list(WebhookSubscription.objects.filter(active=True))
        if not subscriptions:
            last = Activity.objects.aggregate(last=Max("pk"))["last"] or start
            WebhookCursor.objects.filter(name=CURSOR).update(last_activity_id=max(last, start))
            return 0
        fields = ("pk", "person_id", "kind", "data", "occurred_at", "recorded_at", "subject",
                  "ref")  # fmt: skip
        rows = list(Activity.objects.filter(pk__gt=start).order_by("pk").values(*fields)[:size])
        rows = _settled(rows, start, max(now, timezone.now()))
        if not rows:
            return 0
        wanted = []
        for row in rows:
            kind = event_type(row["kind"], row["data"] or {})
            for sub in subscriptions:
                if kind in sub.event_types and row["pk"] > sub.since_activity_id:
                    wanted.append((row, kind, sub))
        people = {
            p["pk"]: p
            for p in Person.objects.filter(pk__in={r["person_id"] for r, _, _ in wanted}).values(
                "pk", "email", "first_name", "last_name", "stage"
            )
        }
        deliveries = []
        for row, kind, sub in wanted:
            person = people.get(row["person_id"])
            summary = (
                {"id": person["pk"], "email": person["email"], "first_name": person["first_name"],
                 "last_name": person["last_name"], "stage": person["stage"]}
                if person else None
            )  # fmt: skip
            deliveries.append(
                WebhookDelivery(
                    subscription=sub,
                    event_id=f"evt_{row['pk']}",
                    event_type=kind,
                    activity_id=row["pk"],
                    payload=_payload(row, kind, summary),
                    next_try_at=now,
                )  # fmt: skip
            )
        WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        WebhookCursor.objects.filter(name=CURSOR).update(last_activity_id=rows[-1]["pk"])
    return len(rows)


def read_log(*, batch_size: int = 1000, now: dt.datetime | None = None) -> int:
    """Turn new activities into deliveries for matching subscriptions; returns how many
    activities were read."""
    WebhookCursor.objects.get_or_create(name=CURSOR)
    total = 0
    while True:
        count = _read_batch(batch_size, now or timezone.now())
        total += count
        if count < batch_size:
            return total


# -- sending ------------------------------------------------------------------------------


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def post(
    target: Target, secret: str, payload: dict[str, Any], event_id: str
) -> tuple[int | None, str]:
    """POST the signed payload to the checked address (see thrive.core.outbound);
    returns (status code or None, response excerpt/error). A redirect is a failed try:
    it could point at an internal address."""
    body = body_of(payload)
    headers = {
        "Content-Type": "application/json", "User-Agent": "Thrive-Webhooks/1",
        HEADER: sign(secret, body), "Thrive-Event-Id": event_id,
    }  # fmt: skip
    return post_to(target, body, headers, timeout=TIMEOUT_SECONDS)


def _claim(delivery_id: int, now: dt.datetime) -> WebhookDelivery | None:
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status__in=DUE_STATUSES, next_try_at__lte=now
    ).update(status=DeliveryStatus.SENDING, next_try_at=now + LEASE)
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)


def send_delivery(delivery: WebhookDelivery, now: dt.datetime) -> str:
    """Make one try of a claimed delivery and record it; returns the new status."""
    sub = delivery.subscription
    refused = False
    try:
        # Resolved and checked on every try: the host's addresses may have changed.
        target = resolve_target(sub.url)
        secret = sub.signing_secret()
    except (AddressRefused, SecretUnreadable) as exc:
        # Trying again would be refused again: fail now, saying why.
        refused, code, excerpt = True, None, str(exc)
    else:
        code, excerpt = post(target, secret, delivery.payload, delivery.event_id)
    attempts = delivery.attempts + 1
    fields: dict[str, Any] = {
        "attempts": attempts, "last_tried_at": now, "last_status_code": code,
        "last_response": excerpt[:EXCERPT],
    }  # fmt: skip
    if code is not None and 200 <= code < 300:
        fields.update(status=DeliveryStatus.DELIVERED, delivered_at=timezone.now())
    elif refused or attempts >= max_attempts():
        fields.update(status=DeliveryStatus.FAILED)
    else:
        fields.update(status=DeliveryStatus.RETRYING, next_try_at=now + backoff(attempts))
    WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(**fields)
    return str(fields["status"])


def send_due(*, now: dt.datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Try every due delivery once (oldest first); returns counts by outcome."""
    moment = now or timezone.now()
    ids = list(
        WebhookDelivery.objects.filter(status__in=DUE_STATUSES, next_try_at__lte=moment)
        .order_by("next_try_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts: dict[str, int] = {}
    for delivery_id in ids:
        delivery = _claim(delivery_id, moment)
        if delivery is None:
            continue  # another worker has it
        if not delivery.subscription.active:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.FAILED, last_response="The subscription is paused."
            )
            counts["failed"] = counts.get("failed", 0) + 1
            continue
        outcome = send_delivery(delivery, moment)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def run_webhooks(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """One round: read the log into deliveries, then send what is due."""
    read = read_log(now=now)
    return {"read": read, **send_due(now=now)}


def next_due_at() -> dt.datetime | None:
    return (
        WebhookDelivery.objects.filter(status__in=DUE_STATUSES)
        .order_by("next_try_at")
        .values_list("next_try_at", flat=True)
        .first()
    )
