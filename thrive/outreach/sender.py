"""The delivery engine: claim due deliveries, check them again, send, record.

Exactly once, as far as SMTP allows
-----------------------------------
Each delivery is one row with a unique idempotency key, so nothing is ever queued twice.
A worker claims a batch with a conditional UPDATE (``SELECT … FOR UPDATE SKIP LOCKED``
first on PostgreSQL) that sets a claim token and a lease; other workers skip claimed rows
until the lease expires, so a killed worker's rows are taken over, never lost.

Before talking to the SMTP server the row is marked ``sending`` with its deterministic
Message-ID, in its own transaction; right after the server's 250 reply it is marked
``sent`` in another tiny transaction. What remains is the window between the server
accepting the message and that second commit: SMTP has no idempotency, so a worker killed
exactly there leaves a ``sending`` row that is sent again, with the same Message-ID, when
its lease expires (receivers that de-duplicate by Message-ID drop it). Everything else
(killed before or during the SMTP exchange, the server down, a timeout) ends with the
message sent once. Leases must outlast one SMTP exchange: the lease is renewed when a
message starts sending and the SMTP timeout is far shorter.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.mail import mailers
from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.crypto import get_random_string

from thrive.contacts.models import ActivityChannel, ActivityKind, Direction, Person
from thrive.contacts.services import record_activity

from . import conf
from .compose import MissingTemplate, build_message, message_id_for, render_delivery
from .gates import evaluate
from .merge_data import batch_cache
from .models import (
    PENDING_STATUSES,
    Campaign,
    CampaignStatus,
    Delivery,
    DeliveryStatus,
    EnrollmentStatus,
    SequenceEnrollment,
)
from .sandbox import TemplateProblem
from .scheduling import forget_due_runs, request_pump

log = logging.getLogger(__name__)

MAX_BACKOFF = dt.timedelta(hours=6)


@dataclass
class PumpReport:
    sent: int = 0
    deferred: int = 0
    skipped: int = 0
    retried: int = 0
    failed: int = 0
    campaigns_started: list[int] = field(default_factory=list)
    steps_queued: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _due(now: dt.datetime) -> Q:
    return Q(status__in=PENDING_STATUSES, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def claim_batch(token: str, *, size: int, now: dt.datetime) -> list[int]:
    """Claim up to ``size`` due deliveries for ``token``; returns their ids in send order."""
    lease = dt.timedelta(seconds=conf.lease_seconds())
    with transaction.atomic():
        candidates = Delivery.objects.filter(_due(now)).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:size])
        if not ids:
            return []
        # The condition is repeated so a row another worker took meanwhile stays theirs.
        Delivery.objects.filter(pk__in=ids).filter(_due(now)).update(
            claim_token=token, claimed_until=now + lease
        )
    return list(
        Delivery.objects.filter(pk__in=ids, claim_token=token)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)
    )


def _release(delivery_id: int, token: str, **fields: Any) -> int:
    return Delivery.objects.filter(pk=delivery_id, claim_token=token).update(
        claim_token="", claimed_until=None, **fields
    )


def prepare(
    delivery_id: int, token: str, *, now: dt.datetime, report: PumpReport
) -> Delivery | None:
    """Check a claimed delivery again and, if it may go, mark it ``sending``.

    Holds a lock on the person while checking, so two workers cannot both use the last
    slot of someone's weekly budget. Returns the delivery to send, or None.
    """
    lease = dt.timedelta(seconds=conf.lease_seconds())
    with transaction.atomic():
        person_id = (
            Delivery.objects.filter(pk=delivery_id, claim_token=token)
            .values_list("person_id", flat=True)
            .first()
        )
        if person_id is None:
            return None  # the claim was lost to another worker
        person = Person.objects.select_for_update().get(pk=person_id)
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("campaign", "template")
            .get(pk=delivery_id)
        )
        if delivery.claim_token != token:
            return None
        delivery.person = person
        verdict = evaluate(delivery, now=now)
        for decision in verdict.decisions:
            decision["at"] = "send"
        if verdict.action == "skip":
            report.skipped += 1
            _release(
                delivery_id,
                token,
                status=DeliveryStatus.SKIPPED,
                skip_reason=verdict.skip_reason,
                decisions=verdict.decisions,
            )
            return None
        if verdict.action == "defer":
            report.deferred += 1
            _release(
                delivery_id,
                token,
                status=DeliveryStatus.DEFERRED,
                next_attempt_at=verdict.until,
                decisions=verdict.decisions,
            )
            return None
        if not delivery.message_id:
            delivery.message_id = message_id_for(delivery.idempotency_key)
        # A delivery taken over after a crash keeps the content it was being sent with.
        if delivery.status != DeliveryStatus.SENDING and not delivery.prerendered:
            try:
                rendered = render_delivery(delivery)
            except (MissingTemplate, TemplateProblem) as exc:
                report.failed += 1
                _release(
                    delivery_id,
                    token,
                    status=DeliveryStatus.FAILED,
                    last_error=str(exc)[:500],
                    decisions=verdict.decisions,
                )
                return None
            delivery.subject, delivery.html_body, delivery.text_body = (
                rendered.subject,
                rendered.html,
                rendered.text,
            )
        delivery.to_email = person.email or ""
        delivery.status = DeliveryStatus.SENDING
        delivery.decisions = verdict.decisions
        delivery.attempts += 1
        delivery.sending_started_at = now
        delivery.next_attempt_at = now
        delivery.claimed_until = now + lease
        delivery.save(
            update_fields=[
                "message_id",
                "subject",
                "html_body",
                "text_body",
                "to_email",
                "status",
                "decisions",
                "attempts",
                "sending_started_at",
                "next_attempt_at",
                "claimed_until",
            ]
        )
        return delivery


def mark_sent(delivery: Delivery, token: str) -> bool:
    """Record the server's acceptance at once, in its own short transaction."""
    now = timezone.now()
    with transaction.atomic():
        updated = Delivery.objects.filter(
            pk=delivery.pk, claim_token=token, status=DeliveryStatus.SENDING
        ).update(
            status=DeliveryStatus.SENT,
            sent_at=now,
            claim_token="",
            claimed_until=None,
            last_error="",
        )
        if not updated:
            log.warning("Delivery %s was taken over while it was being sent", delivery.pk)
            return False
        if not delivery.reason.get("draft"):
            # A draft's sending is recorded by send_draft with the associate's name.
            record_activity(
                delivery.person,
                ActivityKind.EMAIL,
                occurred_at=now,
                channel=ActivityChannel.EMAIL,
                direction=Direction.OUTBOUND,
                subject=delivery.subject[:255],
                data={
                    "event": "sent",
                    "delivery": delivery.pk,
                    "reason": delivery.reason,
                    "purpose": delivery.purpose,
                },
                ref=f"delivery:{delivery.pk}",
                automated=delivery.automated,
            )
    return True


def _retry_or_fail(delivery: Delivery, token: str, error: str, report: PumpReport) -> dt.datetime:
    now = timezone.now()
    if delivery.attempts >= conf.max_attempts():
        report.failed += 1
        _release(delivery.pk, token, status=DeliveryStatus.FAILED, last_error=error[:500])
        return now
    delay = min(
        dt.timedelta(seconds=conf.retry_base_seconds() * 2 ** max(0, delivery.attempts - 1)),
        MAX_BACKOFF,
    )
    report.retried += 1
    _release(
        delivery.pk,
        token,
        status=DeliveryStatus.QUEUED,
        next_attempt_at=now + delay,
        last_error=error[:500],
    )
    return now + delay


def _permanent(code: int | None) -> bool:
    return code is not None and 500 <= code < 600


def send_batch(ids: list[int], token: str, report: PumpReport) -> None:
    """Send each claimed delivery over one SMTP connection. A connection failure puts
    the rest of the batch back for the same retry time without counting an attempt."""
    mailer = mailers.default
    try:
        with batch_cache():
            _send_each(ids, token, report, mailer)
    finally:
        mailer.close()


def _send_each(ids: list[int], token: str, report: PumpReport, mailer: Any) -> None:
    from .bounces import record_bounce

    for position, delivery_id in enumerate(ids):
        delivery = prepare(delivery_id, token, now=timezone.now(), report=report)
        if delivery is None:
            continue
        try:
            # One connection for the whole batch: send_messages alone would connect,
            # greet and quit for every message. Opened here, inside the try, so a
            # server that is down is handled like any other connection failure.
            mailer.open()
            mailer.send_messages([build_message(delivery)])
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            mailer.close()
            if codes and all(_permanent(code) for code in codes):
                _release(delivery.pk, token, status=DeliveryStatus.SENT, sent_at=timezone.now())
                record_bounce(delivery, permanent=True, detail=f"Refused: {exc.recipients}")
                report.failed += 1
            else:
                _retry_or_fail(delivery, token, f"Refused: {exc.recipients}", report)
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            mailer.close()
            if _permanent(exc.smtp_code):
                report.failed += 1
                _release(
                    delivery.pk,
                    token,
                    status=DeliveryStatus.FAILED,
                    last_error=f"{exc.smtp_code} {exc.smtp_error!r}"[:500],
                )
            else:
                _retry_or_fail(delivery, token, f"{exc.smtp_code} {exc.smtp_error!r}", report)
        except (smtplib.SMTPException, OSError) as exc:
            # The server is unreachable or dropped us: try this one and the rest later.
            mailer.close()
            retry_at = _retry_or_fail(delivery, token, f"{type(exc).__name__}: {exc}", report)
            for rest in ids[position + 1 :]:
                _release(rest, token, next_attempt_at=retry_at)
            log.warning("SMTP failed (%s); the batch is retried at %s", exc, retry_at)
            return
        else:
            if mark_sent(delivery, token):
                report.sent += 1


def next_due_at() -> dt.datetime | None:
    """The earliest moment any outreach work becomes due (a lease expiring counts)."""
    candidates = [
        Delivery.objects.filter(status__in=PENDING_STATUSES, claim_token="").aggregate(
            at=Min("next_attempt_at")
        )["at"],
        Delivery.objects.filter(status__in=PENDING_STATUSES)
        .exclude(claim_token="")
        .aggregate(at=Min("claimed_until"))["at"],
        SequenceEnrollment.objects.filter(status=EnrollmentStatus.ACTIVE).aggregate(
            at=Min("next_run_at")
        )["at"],
        Campaign.objects.filter(status=CampaignStatus.SCHEDULED).aggregate(at=Min("scheduled_at"))[
            "at"
        ],
    ]
    due = [at for at in candidates if at is not None]
    if Campaign.objects.filter(status=CampaignStatus.SENDING, audience_ready=False).exists():
        due.append(timezone.now())
    return min(due) if due else None


def call_for_help() -> bool:
    """More is due than one batch: make sure one more pump job waits in the queue, so an
    idle worker joins in. That job calls for help in turn when it finds a full batch, so
    every worker ends up sending while at most one extra job waits, however many workers
    there are. Only for the database task backend, whose queue can be asked; returns True
    if a job was queued."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from .tasks import run_outreach

    if not isinstance(run_outreach.get_backend(), DatabaseBackend):
        return False
    if DBTaskResult.objects.ready().filter(task_path=run_outreach.module_path).exists():
        return False
    transaction.on_commit(run_outreach.enqueue)
    return True


def run_pump(*, budget_seconds: float | None = None) -> PumpReport:
    """One run of the background job; safe to run in several workers at once.

    Before any work, a successor is queued for when this run's leases would expire, so
    a worker killed mid-run is taken over by the next worker that starts.
    """
    from .dispatch import finish_campaigns, start_due_campaigns
    from .sequencing import advance_due_enrollments

    report = PumpReport()
    token = get_random_string(32)
    started = time.monotonic()
    budget = budget_seconds if budget_seconds is not None else conf.time_budget_seconds()
    now = timezone.now()
    forget_due_runs(now)
    request_pump(now + dt.timedelta(seconds=conf.lease_seconds() + 1))
    report.campaigns_started = start_due_campaigns(now=now)
    report.steps_queued = advance_due_enrollments(now=now)
    # At least one batch per run, so a job always makes progress.
    helped = False
    while True:
        size = conf.batch_size()
        ids = claim_batch(token, size=size, now=timezone.now())
        if not ids:
            break
        if len(ids) == size and not helped:
            helped = True
            call_for_help()
        send_batch(ids, token, report)
        if time.monotonic() - started >= budget:
            break
    finish_campaigns()
    upcoming = next_due_at()
    if upcoming is not None:
        request_pump(max(upcoming, timezone.now()))
    return report
