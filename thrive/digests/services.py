"""Writes of the digests app: an associate's choices, the daily digest (exactly once per
associate per local day), urgent emails (once per event) and unsubscribing.

Exactly once: the digest's (associate, day) row is inserted before anything is sent, so
of two workers only the one whose insert succeeds sends; the other meets the unique
constraint and moves on. A worker that dies after claiming leaves a claim that another
takes over after :data:`CLAIM_LEASE` (a conditional update only one can win).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from thrive.core.transactional_email import send_after_commit, send_now

from .contents import build_digest, local_day
from .emails import DIGEST, digest_message, digest_subject, urgent_message
from .models import (
    DigestRun,
    DigestStatus,
    NotificationSettings,
    UrgentEmail,
    UrgentKind,
)

log = logging.getLogger(__name__)

CLAIM_LEASE = dt.timedelta(minutes=30)
SETTING_FIELDS = (
    "daily_digest",
    "digest_hour",
    "urgent_detractor",
    "urgent_booking",
    "urgent_ideal_form",
    "urgent_workflow",
    "urgent_lead_form",
)


def settings_for(associate: Any) -> NotificationSettings:
    """The associate's choices (the defaults, unsaved, when they never chose)."""
    found = NotificationSettings.objects.filter(associate=associate).first()
    return found or NotificationSettings(associate=associate)


def save_settings(associate: Any, *, actor: Any, **values: Any) -> NotificationSettings:
    """Save an associate's own choices. Only the associate changes their own (any role:
    a read-only associate also decides what lands in their inbox)."""
    if actor is not None and actor.pk != associate.pk:
        raise ValidationError("You can change only your own notifications.")
    unknown = set(values) - set(SETTING_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown settings: {', '.join(sorted(unknown))}.")
    hour = values.get("digest_hour")
    if hour is not None and not (isinstance(hour, int) and 0 <= hour <= 23):
        raise ValidationError({"digest_hour": "The hour is from 0 to 23."})
    row, _ = NotificationSettings.objects.get_or_create(associate=associate)
    for name, value in values.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    return row


def unsubscribe(associate_id: int, what: str) -> tuple[Any, str]:
    """Switch off what a signed link names; returns (associate, what in words)."""
    associate = get_user_model().objects.filter(pk=associate_id, is_active=True).first()
    if associate is None:
        raise ValidationError("This link no longer matches anyone.")
    if what == DIGEST:
        save_settings(associate, actor=None, daily_digest=False)
        return associate, "the daily digest"
    if what not in UrgentKind.values:
        raise ValidationError("This link is not valid.")
    save_settings(associate, actor=None, **{f"urgent_{what}": False})
    return associate, f"urgent emails for “{UrgentKind(what).label.lower()}”"


# ------------------------------------------------------------------ the daily digest


def is_due(associate: Any, row: NotificationSettings, now: dt.datetime) -> bool:
    """The associate wants a digest and their local morning hour has come today."""
    if not row.daily_digest or not (associate.email or "").strip():
        return False
    _day, start, _end, _zone = local_day(associate, now)
    return now >= start + dt.timedelta(hours=row.digest_hour)


def _claim(associate: Any, day: dt.date, now: dt.datetime) -> DigestRun | None:
    try:
        with transaction.atomic():
            return DigestRun.objects.create(associate=associate, day=day, claimed_at=now)
    except IntegrityError:
        pass
    # Someone claimed it: take it over only if their claim is stale and still unsent.
    taken = DigestRun.objects.filter(
        associate=associate,
        day=day,
        status=DigestStatus.CLAIMED,
        claimed_at__lt=now - CLAIM_LEASE,
    ).update(claimed_at=now)
    return DigestRun.objects.get(associate=associate, day=day) if taken else None


def send_digest(
    associate: Any, *, now: dt.datetime | None = None, connection: Any = None
) -> DigestRun | None:
    """Send today's digest to ``associate`` unless it was sent (or claimed) already;
    returns the run this call sent or recorded, None when another had it. An empty
    digest is recorded and not sent."""
    now = now or timezone.now()
    digest = build_digest(associate, now=now)
    run = _claim(associate, digest.day, now)
    if run is None:
        return None
    run.counts = digest.counts()
    if digest.empty:
        run.status = DigestStatus.EMPTY
        run.save(update_fields=["status", "counts"])
        return run
    message = digest_message(digest)
    try:
        if connection is not None:
            connection.send_messages([message])
        else:
            send_now(message)
    except Exception:
        # Not sent: free the day so the next tick tries again.
        DigestRun.objects.filter(pk=run.pk, status=DigestStatus.CLAIMED).delete()
        raise
    run.status, run.sent_at, run.subject = DigestStatus.SENT, timezone.now(), digest_subject(digest)
    run.save(update_fields=["status", "sent_at", "subject", "counts"])
    return run


def send_due_digests(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Every active associate whose morning hour has come and who has no digest today."""
    now = now or timezone.now()
    rows = {row.associate_id: row for row in NotificationSettings.objects.all()}
    sent = empty = failed = 0
    for associate in get_user_model().objects.filter(is_active=True).exclude(email=""):
        row = rows.get(associate.pk) or NotificationSettings(associate=associate)
        if not is_due(associate, row, now):
            continue
        day = local_day(associate, now)[0]
        if (
            DigestRun.objects.filter(associate=associate, day=day)
            .exclude(status=DigestStatus.CLAIMED)
            .exists()
        ):
            continue
        try:
            run = send_digest(associate, now=now)
        except Exception:  # noqa: BLE001 - one associate's mail failure must not stop the rest
            log.exception("Could not send the daily digest to %s", associate)
            failed += 1
            continue
        if run is not None:
            sent += run.status == DigestStatus.SENT
            empty += run.status == DigestStatus.EMPTY
    return {"sent": sent, "empty": empty, "failed": failed}


# ------------------------------------------------------------------ urgent emails


def send_urgent(
    associate: Any, *, kind: str, key: str, subject: str, lines: list[str], path: str
) -> bool:
    """Email ``associate`` about one urgent event, after the current transaction commits,
    unless they opted out of ``kind``, have no address, or ``key`` was emailed already.
    Returns True when an email was queued."""
    if associate is None or not associate.is_active or not (associate.email or "").strip():
        return False
    if not settings_for(associate).wants(kind):
        return False
    full_key = f"{key}:to:{associate.pk}"[:120]
    try:
        with transaction.atomic():
            UrgentEmail.objects.create(
                key=full_key, associate=associate, kind=kind, subject=subject[:255]
            )
    except IntegrityError:
        return False
    message = urgent_message(associate, kind=kind, subject=subject, lines=lines, path=path)
    send_after_commit(message, what=f"urgent {kind}")
    return True
