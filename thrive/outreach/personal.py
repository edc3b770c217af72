"""One-to-one email: an associate writes to one person from their page (or a deal's).

It goes out in the associate's name on the business's own sending address ("Tom at
Beans <hello@beans.example>"), with replies going to the associate's own address. It is
written by a person, so it is never automated: quiet hours and the weekly limit on
automated email do not apply. What it says decides the consent rule:

* personal or service content (``marketing=False``) may go to anyone whose address is not
  on the suppression list (hard bounces, complaints, and people who unsubscribed);
* marketing content (``marketing=True``) also needs the person's consent to email
  marketing, and carries the unsubscribe header like any marketing email.

It is queued through :func:`thrive.outreach.services.queue_delivery` with a key made from
the compose form's own key, so a double click or a browser retry finds the same message
and sends nothing twice. The timeline entry (kind email, outbound, not automated, with the
minutes spent, linked to the deal when given) is written once, by the request that queued
the message; the sender then writes no second one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from thrive.contacts.models import ActivityChannel, ActivityKind, ConsentPurpose, Direction, Person
from thrive.contacts.services import has_consent, record_activity
from thrive.core import business
from thrive.core.roles import require_edit
from thrive.core.transactional_email import html_from_text

from .email_templates.merge_data import merge_context
from .email_templates.sandbox import Rendered, TemplateProblem, check_source, render_parts
from .models import PERSONAL, Delivery, DeliveryStatus, EmailTemplate, MessagePurpose, Suppression
from .services import queue_delivery

KEY_PREFIX = "personal:"
MAX_MINUTES = 600
DEFAULT_MINUTES = 5


@dataclass(frozen=True)
class Sent:
    delivery: Delivery
    created: bool  # False when the same form was sent before (a double click, a retry)


def new_form_key() -> str:
    """The key the compose form carries: one message per form shown."""
    return secrets.token_urlsafe(18)


def sender_name(actor: Any) -> str:
    """ "Tom Baker at Beans": the associate's name, else their user name."""
    full = (actor.get_full_name() if hasattr(actor, "get_full_name") else "") or ""
    who = full.strip() or str(getattr(actor, "username", "") or "").strip()
    return f"{who} at {business.name()}"[:200] if who else business.name()


def check_parts(*, subject: str, body: str) -> dict[str, list[str]]:
    """Problems with what was written, by field, in words (empty when it can go)."""
    problems: dict[str, list[str]] = {}
    if not " ".join(subject.split()):
        problems["subject"] = ["Write a subject."]
    elif "\n" in subject or "\r" in subject:
        problems["subject"] = ["A subject is one line."]
    if not body.strip():
        problems["body"] = ["Write a message."]
    for field, source in (("subject", subject), ("body", body)):
        if field not in problems:
            found = check_source(source)
            if found:
                problems[field] = found
    return problems


def render_for(person: Person, *, subject: str, body: str) -> Rendered:
    """The message as ``person`` reads it; raises ValidationError naming the field."""
    problems = check_parts(subject=subject, body=body)
    if problems:
        raise ValidationError(problems)
    data = merge_context(person)
    try:
        rendered = render_parts(subject=subject, html_body="", text_body=body, data=data)
    except TemplateProblem as exc:
        raise ValidationError({"body": list(exc.problems.get("template", [str(exc)]))}) from exc
    text = rendered.text.strip() + "\n"
    return Rendered(subject=rendered.subject, html=html_from_text(text), text=text)


def template_start(template: EmailTemplate) -> tuple[str, str]:
    """A template's subject and a plain-text body to start writing from."""
    from .email_templates.text_part import html_to_text

    body = template.text_body.strip() or html_to_text(template.html_body).strip()
    return template.subject, body


def refusal(person: Person, *, marketing: bool) -> str:
    """Why this person may not get this email, in words; empty when they may."""
    name = person.first_name or person.full_name or "This person"
    email = (person.email or "").strip()
    if not email:
        return f"{name} has no email address. Add one on their page first."
    suppressed = Suppression.objects.filter(email=email).first()
    if suppressed is not None:
        return (
            f"{email} is on the suppression list ({suppressed.get_reason_display().lower()} "
            f"on {suppressed.at:%d %b %Y}), so no email goes to it."
        )
    if marketing and not has_consent(person, ConsentPurpose.EMAIL_MARKETING):
        return (
            f"{name} has not agreed to marketing email, so a marketing message cannot go to "
            "them. If this is a personal or service message, say it is not marketing."
        )
    return ""


def send_personal_email(
    person: Person,
    *,
    actor: Any,
    subject: str,
    body: str,
    form_key: str,
    marketing: bool = False,
    deal: Any = None,
    template: EmailTemplate | None = None,
    minutes: int | None = DEFAULT_MINUTES,
) -> Sent:
    """Queue the email and put it on the timeline (see the module docstring).

    Raises PermissionDenied for a read-only associate and ValidationError, naming the
    field, for an empty or broken subject or message, an unknown merge field, a person
    who may not get it, or a form key that is missing.
    """
    require_edit(actor)
    key = (form_key or "").strip()
    if not key or len(key) > 100:
        raise ValidationError({"form_key": "The form is missing its key; open it again."})
    idempotency_key = f"{KEY_PREFIX}{actor.pk}:{key}"
    existing = Delivery.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return Sent(existing, created=False)
    if minutes is not None and not 0 <= minutes <= MAX_MINUTES:
        raise ValidationError({"minutes": f"Minutes spent are from 0 to {MAX_MINUTES}."})
    rendered = render_for(person, subject=subject, body=body)
    why = refusal(person, marketing=marketing)
    if why:
        raise ValidationError({"marketing" if marketing else "__all__": [why]})
    nonce = secrets.token_hex(8)
    reason: dict[str, Any] = {
        "why": f"Written by {sender_name(actor)}",
        "source": "personal",
        "sent_by": actor.pk,
        "attempt": nonce,
    }
    if deal is not None:
        reason["deal"] = deal.pk
    if template is not None:
        reason["template"] = template.pk
    with transaction.atomic():
        delivery = queue_delivery(
            person,
            template=None,
            idempotency_key=idempotency_key,
            reason=reason,
            automated=False,
            purpose=MessagePurpose.EMAIL_MARKETING if marketing else PERSONAL,
            prerendered=rendered,
        )
        if (delivery.reason or {}).get("attempt") != nonce:
            # The same form arrived twice at once: the other request queued and logs it.
            return Sent(delivery, created=False)
        if delivery.status == DeliveryStatus.SKIPPED:
            failed = next((d["text"] for d in delivery.decisions if not d["passed"]), "")
            transaction.set_rollback(True)
            raise ValidationError({"__all__": [f"Not sent: {failed}"]})
        delivery.from_name = sender_name(actor)
        delivery.reply_to = (getattr(actor, "email", "") or "").strip()
        # This entry is the timeline's record of the email; the sender writes none.
        delivery.activity_recorded = True
        delivery.save(update_fields=["from_name", "reply_to", "activity_recorded"])
        data: dict[str, Any] = {
            "event": "queued",
            "delivery": delivery.pk,
            "personal": True,
            "marketing": marketing,
        }
        if deal is not None:
            data["deal"] = deal.pk
        if template is not None:
            data["template"] = template.pk
        record_activity(
            person,
            ActivityKind.EMAIL,
            channel=ActivityChannel.EMAIL,
            direction=Direction.OUTBOUND,
            associate=actor,
            duration_minutes=minutes,
            subject=rendered.subject[:255],
            body=rendered.text,
            data=data,
            ref=f"deal:{deal.pk}" if deal is not None else f"delivery:{delivery.pk}",
            automated=False,
        )
    return Sent(delivery, created=True)
