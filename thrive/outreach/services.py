"""The outreach API other apps call. Each service owns its transaction; mail leaves only
after commit, through the background sender.

For the automation engine
-------------------------
``send_email(person, *, template, idempotency_key, reason, automated=True,
purpose="email_marketing", on_cap="defer") -> Delivery``
    Queue one email. Idempotent on ``idempotency_key``: a second call returns the same
    Delivery and never sends a second message (use e.g. ``f"workflow:{run}:step:{n}"``).
    Consent for ``purpose``, the suppression list, quiet hours in the person's zone and
    the weekly budget (``THRIVE_MAX_AUTOMATED_PER_WEEK``) are checked now and again just
    before sending; the outcome is on ``delivery.status`` (queued, deferred, skipped…)
    with the reasons in ``delivery.decisions``. ``purpose`` is a consent purpose
    ("email_marketing", "surveys"), or "transactional" for service mail that needs no
    consent (quiet hours and the budget do not apply to it). ``on_cap`` says what happens
    when the weekly budget is used up: "defer" (wait until it frees up) or "skip".
    ``reason`` is stored and shown on the person page; put one sentence in
    ``reason["why"]`` and any rule values in other keys, e.g.
    ``{"why": "Valuable and slipping away", "workflow": 3, "p_alive": 0.31}``.
    When the message goes out, an Activity (kind email, direction outbound, ``automated``,
    data ``{"event": "sent", "delivery": id, "reason": reason}``) is recorded.

``create_draft(person, *, template, associate, idempotency_key, reason) -> Draft``
    A personal email pre-filled from ``template`` for ``associate`` to review, edit and
    send; creates a Task (kind review_draft) assigned to them whose reason
    links to the draft. Idempotent on the key.

``send_draft(draft, *, actor, subject, body) -> Delivery``
    Sends the reviewed text as a personal (not automated) message and records an
    Activity kind email with data ``{"draft": id, "action": "sent", "delivery": id}``.
    A personal 1:1 email written by an associate is not marketing: it needs no marketing
    consent and is not counted in the weekly budget, but it is never sent to an address
    on the suppression list (someone who unsubscribed asked for no more email).

``dismiss_draft(draft, *, actor) -> Draft``
    Records an Activity kind note with data ``{"draft": id, "action": "dismissed"}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from thrive.contacts.models import ActivityChannel, ActivityKind, Direction, Person
from thrive.contacts.services import record_activity
from thrive.core.roles import require_edit
from thrive.tasks.models import TaskKind, TaskStatus
from thrive.tasks.services import create_task, finish_task

from .email_templates.merge_data import merge_context
from .email_templates.sandbox import Rendered, render_parts
from .models import (
    PERSONAL,
    CampaignVariant,
    Delivery,
    DeliveryStatus,
    Draft,
    DraftStatus,
    EmailTemplate,
    MessagePurpose,
    OnCap,
    SequenceStep,
)
from .sending.compose import message_id_for
from .sending.gates import evaluate
from .sending.scheduling import request_pump
from .sending.sequencing import enroll, stop_enrollment

__all__ = [
    "create_draft",
    "dismiss_draft",
    "enroll",
    "queue_delivery",
    "send_draft",
    "send_email",
    "stop_enrollment",
]

DEFAULT_EXPIRY = dt.timedelta(days=14)


def send_email(
    person: Person,
    *,
    template: EmailTemplate,
    idempotency_key: str,
    reason: dict[str, Any],
    automated: bool = True,
    purpose: str = MessagePurpose.EMAIL_MARKETING,
    on_cap: str = OnCap.DEFER,
) -> Delivery:
    """Queue one templated email for ``person``; see the module docstring."""
    return queue_delivery(
        person,
        template=template,
        idempotency_key=idempotency_key,
        reason=reason,
        automated=automated,
        purpose=purpose,
        on_cap=on_cap,
    )


def queue_delivery(
    person: Person,
    *,
    template: EmailTemplate | None,
    idempotency_key: str,
    reason: dict[str, Any],
    automated: bool,
    purpose: str,
    on_cap: str = OnCap.DEFER,
    variant: CampaignVariant | None = None,
    sequence_step: SequenceStep | None = None,
    prerendered: Rendered | None = None,
    expires_in: dt.timedelta = DEFAULT_EXPIRY,
) -> Delivery:
    """The one way a message is queued (send_email, sequences, drafts, sign-ups)."""
    key = (idempotency_key or "").strip()
    if not key or len(key) > 200:
        raise ValidationError({"idempotency_key": "Give a key of 1 to 200 characters."})
    if purpose not in MessagePurpose.values:
        raise ValidationError({"purpose": f"{purpose!r} is not a message purpose."})
    if on_cap not in OnCap.values:
        raise ValidationError({"on_cap": "Use 'defer' or 'skip'."})
    if template is None and prerendered is None:
        raise ValidationError({"template": "A message needs a template."})
    existing = Delivery.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    now = timezone.now()
    delivery = Delivery(
        idempotency_key=key,
        person=person,
        to_email=person.email or "",
        template=template,
        campaign=variant.campaign if variant else None,
        variant=variant,
        sequence_step=sequence_step,
        purpose=purpose,
        automated=automated,
        on_cap=on_cap,
        reason=_plain(reason),
        created_at=now,
        next_attempt_at=now,
        expires_at=now + expires_in,
        message_id=message_id_for(key),
    )
    if prerendered is not None:
        delivery.prerendered = True
        delivery.subject = prerendered.subject[:255]
        delivery.html_body, delivery.text_body = prerendered.html, prerendered.text
    verdict = evaluate(delivery, now=now)
    for decision in verdict.decisions:
        decision["at"] = "queue"
    delivery.decisions = verdict.decisions
    if verdict.action == "skip":
        delivery.status, delivery.skip_reason = DeliveryStatus.SKIPPED, verdict.skip_reason
    elif verdict.action == "defer" and verdict.until is not None:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.DEFERRED, verdict.until
    try:
        with transaction.atomic():
            delivery.save()
            if delivery.status != DeliveryStatus.SKIPPED:
                request_pump(delivery.next_attempt_at)
    except IntegrityError:
        # Someone queued the same key at the same moment: theirs is the message.
        return Delivery.objects.get(idempotency_key=key)
    return delivery


def _plain(reason: dict[str, Any] | None) -> dict[str, Any]:
    if reason is None:
        return {}
    if not isinstance(reason, dict):
        raise ValidationError({"reason": "The reason must be a dict."})
    return reason


def create_draft(
    person: Person,
    *,
    template: EmailTemplate,
    associate: Any,
    idempotency_key: str,
    reason: dict[str, Any],
) -> Draft:
    """A personal email for ``associate`` to review; see the module docstring."""
    existing = Draft.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    data = merge_context(person)
    rendered = render_parts(
        subject=template.subject,
        html_body=template.html_body,
        text_body=template.text_body,
        data=data,
    )
    reason = _plain(reason)
    try:
        with transaction.atomic():
            draft = Draft.objects.create(
                idempotency_key=idempotency_key,
                person=person,
                associate=associate,
                template=template,
                subject=rendered.subject,
                body=rendered.text,
                reason=reason,
            )
            why = str(reason.get("why") or "An automation prepared a personal email.")
            link = reverse("outreach_draft", args=[draft.pk])
            draft.task = create_task(
                actor=None,
                title=f"Review and send an email to {person}"[:200],
                person=person,
                assignee=associate,
                kind=TaskKind.REVIEW_DRAFT,
                reason=f"{why} Draft: {link}"[:255],
            )
            draft.save(update_fields=["task", "updated_at"])
    except IntegrityError:
        return Draft.objects.get(idempotency_key=idempotency_key)
    return draft


def send_draft(draft: Draft, *, actor: Any, subject: str, body: str) -> Delivery:
    """Send the associate's reviewed text; see the module docstring.

    Raises ValidationError when the draft was already handled or the address may not be
    emailed (the draft then stays open so it can be dismissed).
    """
    require_edit(actor)
    subject, body = " ".join(subject.split()), body.strip()
    if not subject or not body:
        raise ValidationError("Write a subject and a message.")
    with transaction.atomic():
        locked = Draft.objects.select_for_update().select_related("person").get(pk=draft.pk)
        if locked.status != DraftStatus.PENDING:
            raise ValidationError(f"This draft was already {locked.get_status_display().lower()}.")
        reason = {
            **locked.reason,
            "source": "draft",
            "draft": locked.pk,
            "sent_by": str(actor),
        }
        delivery = queue_delivery(
            locked.person,
            template=None,
            idempotency_key=f"draft:{locked.pk}",
            reason=reason,
            automated=False,
            purpose=PERSONAL,
            prerendered=Rendered(subject=subject, html="", text=body + "\n"),
        )
        if delivery.status == DeliveryStatus.SKIPPED:
            failed = next((d["text"] for d in delivery.decisions if not d["passed"]), "")
            transaction.set_rollback(True)
            raise ValidationError(f"Not sent: {failed}")
        locked.subject, locked.body, locked.status = subject[:255], body, DraftStatus.SENT
        locked.delivery, locked.finished_at = delivery, timezone.now()
        locked.save(
            update_fields=["subject", "body", "status", "delivery", "finished_at", "updated_at"]
        )
        record_activity(
            locked.person,
            ActivityKind.EMAIL,
            channel=ActivityChannel.EMAIL,
            direction=Direction.OUTBOUND,
            associate=actor,
            subject=subject[:255],
            body=body,
            data={"draft": locked.pk, "action": "sent", "delivery": delivery.pk, "reason": reason},
            ref=f"draft:{locked.pk}",
            automated=False,
        )
        if locked.task is not None:
            finish_task(locked.task, actor=actor)
    draft.refresh_from_db()
    return delivery


def dismiss_draft(draft: Draft, *, actor: Any) -> Draft:
    """Drop the draft without sending; the automation sees a note on the timeline."""
    require_edit(actor)
    with transaction.atomic():
        locked = Draft.objects.select_for_update().select_related("person").get(pk=draft.pk)
        if locked.status != DraftStatus.PENDING:
            return locked
        locked.status, locked.finished_at = DraftStatus.DISMISSED, timezone.now()
        locked.save(update_fields=["status", "finished_at", "updated_at"])
        record_activity(
            locked.person,
            ActivityKind.NOTE,
            channel=ActivityChannel.SYSTEM,
            direction=Direction.INTERNAL,
            associate=actor,
            subject=f"Dismissed the draft “{locked.subject}”"[:255],
            data={"draft": locked.pk, "action": "dismissed"},
            ref=f"draft:{locked.pk}",
        )
        if locked.task is not None:
            finish_task(locked.task, actor=actor, status=TaskStatus.DISMISSED)
    return locked
