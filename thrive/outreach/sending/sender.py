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
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.mail import mailers
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import connection, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Min, Q
from django.db.models.options import Options
from django.utils import timezone
from django.utils.crypto import get_random_string

from thrive.contacts.models import Activity, ActivityChannel, ActivityKind, Direction, Person
from thrive.core import business

from .. import conf
from ..email_templates.merge_data import batch_cache, merge_contexts
from ..email_templates.sandbox import TemplateProblem
from ..models import (
    PENDING_STATUSES,
    Campaign,
    CampaignStatus,
    Delivery,
    DeliveryStatus,
    EmailTemplate,
    EnrollmentStatus,
    SequenceEnrollment,
)
from .compose import (
    MissingTemplate,
    build_message,
    from_header_for,
    message_id_for,
    render_delivery,
)
from .gates import evaluate_batch
from .mime import message_bytes, plain_address
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


def prepare_batch(
    ids: list[int], token: str, *, now: dt.datetime, report: PumpReport
) -> list[Delivery]:
    """Check a claimed batch again and mark each delivery that may go ``sending``, with
    its rendered content, in one transaction. Returns those deliveries in send order.

    Holds a lock on the batch's people (taken in id order, so two workers never wait on
    each other in a circle) while checking, so two workers cannot both use the last
    slot of someone's weekly budget. The checks read the database a few times for the
    whole batch (:func:`~thrive.outreach.sending.gates.evaluate_batch`), the merge data is read
    for all its people at once and each template is compiled once.
    """
    lease = dt.timedelta(seconds=conf.lease_seconds())
    ready: list[Delivery] = []
    with transaction.atomic():
        person_ids = set(
            Delivery.objects.filter(pk__in=ids, claim_token=token).values_list(
                "person_id", flat=True
            )
        )
        if not person_ids:
            return []  # the claims were lost to another worker
        people = {
            person.pk: person
            for person in Person.objects.select_for_update(of=("self",))
            .select_related("organization")
            .filter(pk__in=person_ids)
            .order_by("pk")
        }
        by_id = {
            d.pk: d
            for d in Delivery.objects.select_for_update().filter(pk__in=ids, claim_token=token)
        }
        deliveries = [by_id[pk] for pk in ids if pk in by_id and by_id[pk].person_id in people]
        # A batch has a handful of campaigns and templates: one instance of each, shared.
        campaigns = Campaign.objects.in_bulk({d.campaign_id for d in deliveries} - {None})
        templates = EmailTemplate.objects.in_bulk({d.template_id for d in deliveries} - {None})
        for delivery in deliveries:
            delivery.person = people[delivery.person_id]
            delivery.campaign = campaigns.get(delivery.campaign_id)
            delivery.template = templates.get(delivery.template_id)
        verdicts = evaluate_batch(deliveries, now=now)
        to_render = [
            d
            for d, v in zip(deliveries, verdicts, strict=True)
            if v.action == "send" and d.status != DeliveryStatus.SENDING and not d.prerendered
        ]
        contexts = merge_contexts(list({d.person_id: d.person for d in to_render}.values()))
        for delivery, verdict in zip(deliveries, verdicts, strict=True):
            for decision in verdict.decisions:
                decision["at"] = "send"
            if verdict.action == "skip":
                report.skipped += 1
                _release(
                    delivery.pk,
                    token,
                    status=DeliveryStatus.SKIPPED,
                    skip_reason=verdict.skip_reason,
                    decisions=verdict.decisions,
                )
                continue
            if verdict.action == "defer":
                report.deferred += 1
                _release(
                    delivery.pk,
                    token,
                    status=DeliveryStatus.DEFERRED,
                    next_attempt_at=verdict.until,
                    decisions=verdict.decisions,
                )
                continue
            if not delivery.message_id:
                delivery.message_id = message_id_for(delivery.idempotency_key)
            # A delivery taken over after a crash keeps the content it was being sent with.
            if delivery.status != DeliveryStatus.SENDING and not delivery.prerendered:
                try:
                    rendered = render_delivery(delivery, contexts[delivery.person_id])
                except (MissingTemplate, TemplateProblem) as exc:
                    report.failed += 1
                    _release(
                        delivery.pk,
                        token,
                        status=DeliveryStatus.FAILED,
                        last_error=str(exc)[:500],
                        decisions=verdict.decisions,
                    )
                    continue
                delivery.subject, delivery.html_body, delivery.text_body = (
                    rendered.subject,
                    rendered.html,
                    rendered.text,
                )
            delivery.to_email = delivery.person.email or ""
            delivery.resumed = delivery.status == DeliveryStatus.SENDING
            delivery.status = DeliveryStatus.SENDING
            delivery.decisions = verdict.decisions
            delivery.attempts += 1
            delivery.sending_started_at = now
            delivery.next_attempt_at = now
            delivery.claimed_until = now + lease
            ready.append(delivery)
        _write_sending(ready, token, now=now)
    return ready


def _concrete(meta: Options[Any], name: str) -> models.Field[Any, Any]:
    field = meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise TypeError(f"{meta.label}.{name} is not a column")
    return field


def _column(meta: Options[Any], name: str) -> str:
    return str(_concrete(meta, name).column)


def _write_sending(deliveries: list[Delivery], token: str, *, now: dt.datetime) -> None:
    """One UPDATE per row, sent as one executemany: the ORM would compile a query for
    every row, and ``bulk_update``'s CASE expressions grow with the batch. The times
    and the status are the same for the whole batch and converted once."""
    if not deliveries:
        return
    meta = Delivery._meta
    quote = connection.ops.quote_name
    per_row = ("message_id", "subject", "html_body", "text_body", "to_email", "attempts")
    shared = {
        "status": DeliveryStatus.SENDING,
        "sending_started_at": now,
        "next_attempt_at": now,
        "claimed_until": deliveries[0].claimed_until,
    }
    decisions = meta.get_field("decisions")
    columns = [*per_row, "decisions", *shared]
    assignments = ", ".join(f"{quote(_column(meta, name))} = %s" for name in columns)
    # Only the model's own table and column names are written into the SQL; values bind.
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {assignments} "  # noqa: S608
        f"WHERE {quote(_column(meta, 'id'))} = %s AND {quote('claim_token')} = %s"
    )
    fixed = [
        _concrete(meta, name).get_db_prep_save(value, connection)
        for name, value in shared.items()
    ]
    rows = [
        [getattr(d, name) for name in per_row]
        + [decisions.get_db_prep_save(d.decisions, connection), *fixed, d.pk, token]
        for d in deliveries
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def mark_sent(delivery: Delivery, token: str) -> bool:
    """Record the server's acceptance at once: one conditional UPDATE, committed by
    itself. The timeline activity follows with the rest of the batch
    (:func:`record_sent_activities`); ``activity_recorded`` stays False until then, so
    a worker killed in between leaves it for the next run to write."""
    meta = Delivery._meta
    quote = connection.ops.quote_name
    # Only the model's own table and column names are written into the SQL; values bind.
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {quote('status')} = %s, "  # noqa: S608
        f"{quote('sent_at')} = %s, {quote('claim_token')} = '', "
        f"{quote('claimed_until')} = NULL, {quote('last_error')} = '', "
        f"{quote('activity_recorded')} = %s "
        f"WHERE {quote('id')} = %s AND {quote('claim_token')} = %s AND {quote('status')} = %s"
    )
    # A draft's sending is recorded by send_draft with the associate's name, a one-to-one
    # email's by send_personal_email (thrive.outreach.personal).
    recorded = bool(delivery.reason.get("draft")) or delivery.reason.get("source") == "personal"
    now = timezone.now()
    params = [
        DeliveryStatus.SENT,
        connection.ops.adapt_datetimefield_value(now),
        recorded,
        delivery.pk,
        token,
        DeliveryStatus.SENDING,
    ]
    # One statement, committed on its own (autocommit): no transaction block needed.
    if _can_prepare(connection):
        # The same statement for every message of every batch: prepared once per
        # connection (server-side binding), so the server neither parses nor plans it
        # again. Django's own cursors bind on the client and cannot be prepared.
        import psycopg

        connection.ensure_connection()
        # A server-binding cursor of our own: the connection's default is Django's
        # client-binding one.
        with psycopg.Cursor(connection.connection) as cursor:
            updated = cursor.execute(sql, params, prepare=True).rowcount
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            updated = cursor.rowcount
    if not updated:
        log.warning("Delivery %s was taken over while it was being sent", delivery.pk)
        return False
    delivery.status, delivery.sent_at = DeliveryStatus.SENT, now
    return True


def _can_prepare(conn: BaseDatabaseWrapper) -> bool:
    """PostgreSQL (psycopg 3) in autocommit, outside any transaction of the caller."""
    return conn.vendor == "postgresql" and not conn.in_atomic_block


def record_sent_activities(ids: list[int] | None = None) -> int:
    """Put an outbound email activity on the timeline for each sent delivery that has
    none yet: ``ids`` after a batch, or (None) those a dead worker left more than a
    lease ago. Each is written once: the rows are locked (PostgreSQL) or the database
    is (SQLite) while they are written and marked. Returns how many were written."""
    rows = Delivery.objects.filter(activity_recorded=False, sent_at__isnull=False)
    if ids is not None:
        if not ids:
            return 0
        rows = rows.filter(pk__in=ids)
    else:
        stale = timezone.now() - dt.timedelta(seconds=conf.lease_seconds())
        rows = rows.filter(sent_at__lt=stale).order_by("sent_at")
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        found = list(
            rows.values_list(
                "pk", "person_id", "subject", "reason", "purpose", "automated", "sent_at"
            )[:2000]
        )
        if not found:
            return 0
        _insert_activities(
            [
                {
                    "person_id": person_id,
                    "occurred_at": sent_at,
                    "subject": subject[:255],
                    "data": {"event": "sent", "delivery": pk, "reason": reason, "purpose": purpose},
                    "ref": f"delivery:{pk}",
                    "automated": automated,
                }
                for pk, person_id, subject, reason, purpose, automated, sent_at in found
            ]
        )
        Delivery.objects.filter(pk__in=[row[0] for row in found]).update(activity_recorded=True)
    return len(found)


def _insert_activities(rows: list[dict[str, Any]]) -> None:
    """Outbound email activities, one executemany INSERT for the batch.

    Every column comes from an Activity built the ordinary way (its defaults, ``kind``,
    ``channel``, ``direction``, ``recorded_at``), so a column the timeline gains later is
    filled as the model says; only the per-message values differ from row to row. This
    is ``bulk_create`` without its per-row, per-field SQL compilation (a third of the
    cost of a sent message in the profile)."""
    model = Activity(
        person_id=rows[0]["person_id"],
        kind=ActivityKind.EMAIL,
        channel=ActivityChannel.EMAIL,
        direction=Direction.OUTBOUND,
    )
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    fixed = {
        f.attname: f.get_db_prep_save(f.pre_save(model, add=True), connection)
        for f in fields
        if f.attname not in rows[0]
    }
    varying = [f for f in fields if f.attname in rows[0]]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(model._meta, f.name)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    # Only the model's own table and column names are written into the SQL; values bind.
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    prepared = {f.attname: f for f in varying}
    values = []
    for row in rows:
        own = {
            name: field.get_db_prep_save(row[name], connection) for name, field in prepared.items()
        }
        values.append([own[f.attname] if f.attname in own else fixed[f.attname] for f in fields])
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


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
    """Check and render the claimed batch at once, then send each message over one SMTP
    connection. A connection failure puts the rest of the batch back for the same retry
    time without counting an attempt."""
    with batch_cache():
        ready = prepare_batch(ids, token, now=timezone.now(), report=report)
    _send_prepared(ready, token, report)


def _send_prepared(
    ready: list[Delivery], token: str, report: PumpReport, leased_at: float | None = None
) -> None:
    mailer = mailers.default
    try:
        _send_each(ready, token, report, mailer, leased_at)
    finally:
        mailer.close()


class _Overlap:
    """Sends a prepared batch in a thread of its own while the caller claims and
    prepares the next one.

    Sending is mostly waiting (for the SMTP server's replies, for the database to
    commit each sent mark), preparing is mostly the worker's own CPU (checks, merge
    data, rendering), so the two overlap well even under one interpreter lock. The
    thread sends exactly as :func:`send_batch` does, with its own database connection:
    each message is still marked ``sent`` by itself right after the server's 250, so
    the crash window stays one message. At most one batch is sent at a time, in claim
    order. Only where the caller is not inside a transaction (a worker, not a test's
    transaction), since the thread's connection could not see its rows otherwise.
    """

    def __init__(self) -> None:
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.report = PumpReport()

    @staticmethod
    def possible() -> bool:
        return connection.vendor == "postgresql" and not connection.in_atomic_block

    def start(self, ready: list[Delivery], token: str, leased_at: float) -> None:
        self.wait()
        ready = self._renew(ready, token)
        if not ready:
            return
        self.thread = threading.Thread(
            target=self._run, args=(ready, token, leased_at), name="outreach-send", daemon=True
        )
        self.thread.start()

    @staticmethod
    def _renew(ready: list[Delivery], token: str) -> list[Delivery]:
        """The batch waited for the one before it: renew its leases now, in the caller's
        thread, before the caller claims again, so neither the caller's next claim nor
        another worker can take a row whose lease ran out while it waited. Rows another
        worker took meanwhile (the claim token is no longer ours) are dropped."""
        if not ready:
            return ready
        until = timezone.now() + dt.timedelta(seconds=conf.lease_seconds())
        ids = [d.pk for d in ready]
        mine = Delivery.objects.filter(pk__in=ids, claim_token=token)
        if mine.update(claimed_until=until) < len(ids):
            kept = set(mine.values_list("pk", flat=True))
            ready = [d for d in ready if d.pk in kept]
        for d in ready:
            d.claimed_until = until
        return ready

    def _run(self, ready: list[Delivery], token: str, leased_at: float) -> None:
        try:
            _send_prepared(ready, token, self.report, leased_at)
        except BaseException as exc:  # handed to the caller's thread by wait()
            self.error = exc
        finally:
            connection.close()  # this thread's own connection

    def wait(self) -> None:
        if self.thread is not None:
            self.thread.join()
            self.thread = None
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    def merge_into(self, report: PumpReport) -> None:
        for name in ("sent", "deferred", "skipped", "retried", "failed"):
            setattr(report, name, getattr(report, name) + getattr(self.report, name))
        self.report = PumpReport()


class _Lease:
    """Keeps the batch's leases alive while it is sent, and notices campaigns stopped
    meanwhile (by a person, or automatically after bounces)."""

    def __init__(
        self, deliveries: list[Delivery], token: str, leased_at: float | None = None
    ) -> None:
        self.token = token
        self.seconds = conf.lease_seconds()
        # When the leases were last set (a batch prepared while the one before it was
        # still being sent has been waiting since then).
        self.renewed = time.monotonic() if leased_at is None else leased_at
        self.campaigns = {d.campaign_id for d in deliveries if d.campaign_id is not None}
        self.stopped: set[int] = set()
        self.lost: set[int] = set()

    def check(self, rest: list[Delivery]) -> None:
        """Before each message: renew the rest's leases once a quarter of one has gone."""
        if time.monotonic() - self.renewed < self.seconds / 4:
            return
        self.renewed = time.monotonic()
        ids = [d.pk for d in rest]
        mine = Delivery.objects.filter(pk__in=ids, claim_token=self.token)
        renewed = mine.update(claimed_until=timezone.now() + dt.timedelta(seconds=self.seconds))
        if renewed < len(ids):
            # Some expired and were taken over (a stalled server, a paused process).
            self.lost |= set(ids) - set(mine.values_list("pk", flat=True))
        self.look_for_stops()

    def look_for_stops(self) -> None:
        if self.campaigns:
            self.stopped = set(
                Campaign.objects.filter(
                    pk__in=self.campaigns, status=CampaignStatus.STOPPED
                ).values_list("pk", flat=True)
            )


def _mail_sender(mailer: Any) -> tuple[str, str] | None:
    """The From header and envelope sender for the direct SMTP path, or None when the
    mailer is not Django's SMTP backend (tests' memory outbox, the console)."""
    if not isinstance(mailer, SmtpBackend):
        return None
    return business.from_header(), mailer.prep_address(business.sender_address())


def _hand_over(mailer: Any, delivery: Delivery, direct: tuple[str, str] | None) -> None:
    # One connection for the whole batch: send_messages alone would connect, greet and
    # quit for every message. Opened here, inside the caller's try, so a server that is
    # down is handled like any other connection failure.
    mailer.open()
    if direct is None or mailer.connection is None or not plain_address(delivery.to_email):
        mailer.send_messages([build_message(delivery)])
        return
    header, envelope = direct
    if delivery.from_name:
        header = from_header_for(delivery)
    data = message_bytes(delivery, sender=header, to=delivery.to_email)
    mailer.connection.sendmail(envelope, [delivery.to_email], data)


def _send_each(
    ready: list[Delivery],
    token: str,
    report: PumpReport,
    mailer: Any,
    leased_at: float | None = None,
) -> None:
    try:
        _send_all(ready, token, report, mailer, leased_at)
    finally:
        # The timeline, for everything this batch sent, in one insert.
        record_sent_activities([d.pk for d in ready if d.status == DeliveryStatus.SENT])


def _send_all(
    ready: list[Delivery],
    token: str,
    report: PumpReport,
    mailer: Any,
    leased_at: float | None = None,
) -> None:
    from ..inbound.bounces import record_bounce

    lease = _Lease(ready, token, leased_at)
    direct = _mail_sender(mailer)
    for position, delivery in enumerate(ready):
        lease.check(ready[position:])
        if delivery.pk in lease.lost:
            continue
        if delivery.campaign_id in lease.stopped:
            report.skipped += 1
            _release(
                delivery.pk, token, status=DeliveryStatus.SKIPPED, skip_reason="campaign_stopped"
            )
            continue
        try:
            _hand_over(mailer, delivery, direct)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            mailer.close()
            if codes and all(_permanent(code) for code in codes):
                _release(delivery.pk, token, status=DeliveryStatus.SENT, sent_at=timezone.now())
                record_bounce(delivery, permanent=True, detail=f"Refused: {exc.recipients}")
                report.failed += 1
                lease.look_for_stops()
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
        except ValueError as exc:
            # An address the mail library cannot write (e.g. a non-ASCII local part).
            report.failed += 1
            _release(
                delivery.pk,
                token,
                status=DeliveryStatus.FAILED,
                last_error=f"Cannot address this message: {exc}"[:500],
            )
        except (smtplib.SMTPException, OSError) as exc:
            # The server is unreachable or dropped us: try this one and the rest later.
            mailer.close()
            retry_at = _retry_or_fail(delivery, token, f"{type(exc).__name__}: {exc}", report)
            for rest in ready[position + 1 :]:
                # Not handed over: back in the queue as before this batch, no attempt
                # counted (a row taken over after a crash stays ``sending``).
                back = {} if rest.resumed else {"status": DeliveryStatus.QUEUED}
                _release(
                    rest.pk, token, next_attempt_at=retry_at, attempts=rest.attempts - 1, **back
                )
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
    # An audience still being built: taken over if its builder stays silent for a lease.
    building = Campaign.objects.filter(
        status=CampaignStatus.SENDING, audience_ready=False
    ).aggregate(at=Min("updated_at"))["at"]
    if building is not None:
        due.append(building + dt.timedelta(seconds=conf.lease_seconds() + 1))
    return min(due) if due else None


def call_for_help() -> bool:
    """More is due than one batch: make sure one more pump job waits in the queue, so an
    idle worker joins in. That job calls for help in turn when it finds a full batch, so
    every worker ends up sending while at most one extra job waits, however many workers
    there are. Only for the database task backend, whose queue can be asked; returns True
    if a job was queued."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from ..tasks import run_outreach

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
    record_sent_activities()  # anything a worker killed mid-batch left unwritten
    # At least one batch per run, so a job always makes progress.
    helped = False
    overlap = _Overlap() if _Overlap.possible() else None
    try:
        while True:
            size = conf.batch_size()
            ids = claim_batch(token, size=size, now=timezone.now())
            if not ids:
                break
            if len(ids) == size and not helped:
                helped = True
                call_for_help()
            if overlap is None:
                send_batch(ids, token, report)
            else:
                with batch_cache():
                    ready = prepare_batch(ids, token, now=timezone.now(), report=report)
                # After the previous batch has gone; its leases renewed then.
                overlap.start(ready, token, time.monotonic())
            if time.monotonic() - started >= budget:
                break
    finally:
        if overlap is not None:
            overlap.wait()
            overlap.merge_into(report)
    finish_campaigns()
    upcoming = next_due_at()
    if upcoming is not None:
        request_pump(max(upcoming, timezone.now()))
    return report
