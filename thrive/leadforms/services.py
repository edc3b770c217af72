"""Writes of lead-capture forms: building a form, taking an answer, confirming consent.

An answer is one transaction: the person (found by email, never a second one), the
submission, the timeline entry that fires workflows' "form submitted" trigger, tags,
consents, the follow-up task and the sequence enrolment; a bad value anywhere leaves
nothing written.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from thrive.automations.models import TriggerKind
from thrive.automations.services import rename_trigger_choice
from thrive.contacts.identity import normalize_email
from thrive.contacts.models import (
    ActivityChannel,
    ActivityKind,
    ConsentMethod,
    ConsentPurpose,
    Direction,
    Person,
)
from thrive.contacts.services import (
    add_tag,
    create_person,
    find_person_by_email,
    grant_consent,
    has_consent,
    record_activity,
    update_person,
)
from thrive.core import business
from thrive.core.brand import email_layout
from thrive.core.roles import check_actor
from thrive.core.tokens import TokenError, make_token, read_token
from thrive.outreach.email_templates.sandbox import Rendered
from thrive.outreach.inbound.suppression import lift_unsubscribe
from thrive.outreach.models import CONSENT_PURPOSES, TRANSACTIONAL
from thrive.outreach.sending.sequencing import enroll
from thrive.outreach.services import queue_delivery
from thrive.tasks.services import create_task

from .fields import CUSTOM, PERSON_TARGETS, targets
from .models import FormField, LeadForm, Submission

log = logging.getLogger(__name__)

CONFIRM = "leadforms.confirm"
CONFIRM_MAX_AGE = 7 * 24 * 3600
FORM_SETTINGS = (
    "name", "slug", "intro", "button_label", "consent_texts", "thank_you_text",
    "redirect_url", "sequence", "tags", "notify", "is_active",
)  # fmt: skip


# --- Building a form -------------------------------------------------------------------


def _check_rows(rows: list[dict[str, Any]]) -> list[FormField]:
    known = targets()
    fields: list[FormField] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        key = str(row.get("target") or "")
        if key not in known:
            raise ValidationError({"fields": f"Field {number}: choose what it asks."})
        if key in seen:
            raise ValidationError(
                {"fields": f"Field {number}: “{known[key].label}” is already on the form."}
            )
        seen.add(key)
        label = str(row.get("label") or "").strip() or known[key].label
        # The email is how an answer finds its person: always asked, always required.
        required = bool(row.get("required")) or key == "email"
        hint = str(row.get("help_text") or "").strip()[:200]
        fields.append(FormField(position=len(fields) + 1, target=key, label=label[:120],
                                required=required, help_text=hint))  # fmt: skip
    if "email" not in seen:
        raise ValidationError({"fields": "Add the Email field: answers are matched by email."})
    return fields


def save_form(
    form: LeadForm | None, *, actor: Any, values: dict[str, Any], rows: list[dict[str, Any]]
) -> LeadForm:
    """Create (``form`` None) or change a form and its fields. ValidationError names the
    setting or field row at fault."""
    check_actor(actor)
    unknown = set(values) - set(FORM_SETTINGS)
    if unknown:
        raise ValidationError({name: "Unknown setting." for name in sorted(unknown)})
    fields = _check_rows(rows)
    target = form or LeadForm(created_by=actor)
    for name, value in values.items():
        setattr(target, name, value)
    target.consent_texts = {k: str(v).strip() for k, v in (target.consent_texts or {}).items()
                            if str(v).strip()}  # fmt: skip
    for tag in target.tag_list:
        if len(tag) > 60:
            raise ValidationError({"tags": f"“{tag[:20]}…”: a tag has at most 60 characters."})
    sequence = target.sequence
    if sequence is not None and sequence.purpose in CONSENT_PURPOSES:
        if not target.consent_texts.get(sequence.purpose):
            label = ConsentPurpose(sequence.purpose).label.lower()
            raise ValidationError({"sequence": (
                f"“{sequence.name}” needs consent to {label}: write the words of that "
                "consent box so people can agree to it."
            )})  # fmt: skip
    target.full_clean()
    old_slug = LeadForm.objects.filter(pk=target.pk).values_list("slug", flat=True).first()
    with transaction.atomic():
        target.save()
        if old_slug is not None:
            # Workflows keep a form by its address: a new address must not silence them.
            rename_trigger_choice(TriggerKind.FORM_SUBMITTED, "form", old_slug, target.slug)
        target.fields.all().delete()
        for field in fields:
            field.form = target
        FormField.objects.bulk_create(fields)
    return target


# --- Taking an answer ------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value.strip() if isinstance(value, str) else value


def _field_errors(exc: ValidationError) -> ValidationError:
    """The model's error keys (``phone``, ``custom_fields.roast``) as the form's targets."""
    if not hasattr(exc, "error_dict"):
        return exc
    mapped: dict[str, list[str]] = {}
    for key, messages in exc.message_dict.items():
        name = key.replace("custom_fields.", CUSTOM) if key.startswith("custom_fields.") else key
        mapped.setdefault(name, []).extend(messages)
    return ValidationError(mapped)


def needs_consent(form: LeadForm) -> str | None:
    """The consent purpose the form's sequence needs, if any."""
    sequence = form.sequence
    if sequence is not None and sequence.purpose in CONSENT_PURPOSES:
        return sequence.purpose
    return None


def _person_for(form: LeadForm, answers: dict[str, Any]) -> tuple[Person, bool]:
    email = normalize_email(str(answers.get("email") or ""))
    if not email:
        raise ValidationError({"email": "Enter your email address."})
    standard = {k: v for k, v in answers.items() if k in PERSON_TARGETS and k != "email" and v}
    custom = {k[len(CUSTOM):]: v for k, v in answers.items()
              if k.startswith(CUSTOM) and v not in (None, "")}  # fmt: skip
    person = find_person_by_email(email)
    try:
        if person is None:
            person = create_person(actor=None, email=email,
                                   acquisition_source=f"Form: {form.name}"[:200],
                                   custom_fields=custom, **standard)  # fmt: skip
            return person, True
        # Anyone can type anyone's address, so an answer fills gaps and never overwrites
        # what the business already knows (the submission keeps every answer as sent).
        changes: dict[str, Any] = {k: v for k, v in standard.items() if not getattr(person, k)}
        merged = dict(person.custom_fields or {})
        for key, value in custom.items():
            if merged.get(key) in (None, ""):
                merged[key] = value
        if merged != (person.custom_fields or {}):
            changes["custom_fields"] = merged
        if changes:
            update_person(person, actor=None, **changes)
    except ValidationError as exc:
        raise _field_errors(exc) from None
    return person, False


def submit(
    form: LeadForm,
    *,
    answers: dict[str, Any],
    consents: set[str],
    source_url: str = "",
    ip_address: str | None = None,
) -> Submission:
    """Take one visitor's answer (already checked field by field by the public form).

    ``answers`` maps field targets (``email``, ``custom:roast``) to values; ``consents``
    the purposes whose boxes were ticked. Raises ValidationError keyed by target.
    """
    if not form.is_active:
        raise ValidationError("This form is closed.")
    asked = {p for p in consents if form.consent_texts.get(p)}
    purpose = needs_consent(form)
    if purpose and purpose not in asked:
        raise ValidationError(
            {f"consent_{purpose}": "Tick this box to get the emails you asked for."}
        )
    labels = {f.target: f.label for f in form.fields.all()}
    answers = {k: _plain(v) for k, v in answers.items() if k in labels}
    with transaction.atomic():
        person, new = _person_for(form, answers)
        marketing = ConsentPurpose.EMAIL_MARKETING
        awaiting = marketing in asked and not has_consent(person, marketing)
        submission = Submission.objects.create(
            form=form, person=person, new_person=new, consents=sorted(asked),
            values={labels[k]: v for k, v in answers.items() if v not in (None, "")},
            awaiting_confirmation=awaiting,
        )  # fmt: skip
        for other in sorted(asked - {marketing}):
            grant_consent(person, other, actor=None, method=ConsentMethod.WEB_FORM,
                          source_text=form.consent_texts[other], source_url=source_url[:500],
                          ip_address=ip_address)  # fmt: skip
        summary = "\n".join(f"{k}: {v}" for k, v in submission.values.items())
        record_activity(
            person, ActivityKind.FORM_SUBMISSION, channel=ActivityChannel.WEB,
            direction=Direction.INBOUND, subject=f"Sent the form “{form.name}”"[:255],
            body=summary,
            # "form" is what a workflow's "form submitted" trigger picks a form by.
            data={"form": form.slug, "form_name": form.name, "submission": submission.pk,
                  "new_person": new},
            ref=f"leadform:{submission.pk}",
        )  # fmt: skip
        for tag in form.tag_list:
            add_tag(person, tag, actor=None)
        if awaiting:
            _send_confirmation(submission, source_url=source_url, ip_address=ip_address)
        _enrol_if_allowed(submission)
        if form.notify_id:
            _notify(submission)
    return submission


def _enrol_if_allowed(submission: Submission) -> bool:
    """Enrol in the form's sequence unless it waits for consent (a marketing sequence
    before the confirmation link is followed)."""
    form, person = submission.form, submission.person
    sequence = form.sequence
    if sequence is None or submission.enrolled:
        return False
    purpose = needs_consent(form)
    if purpose and not has_consent(person, purpose):
        return False
    try:
        enroll(person, sequence, reason={
            "source": "leadform", "form": form.slug,
            "why": f"Asked for it on the form “{form.name}”.",
        })  # fmt: skip
    except ValidationError as exc:  # a paused or empty sequence: the answer still counts
        log.warning("form %s: not enrolled in %s: %s", form.slug, sequence, exc)
        return False
    Submission.objects.filter(pk=submission.pk).update(enrolled=True)
    submission.enrolled = True
    return True


def confirm_url(submission: Submission) -> str:
    token = make_token(CONFIRM, {"s": submission.pk, "e": submission.person.email})
    return business.public_url() + reverse("leadform_confirm", args=[token])


def _send_confirmation(submission: Submission, *, source_url: str, ip_address: str | None) -> None:
    person, form = submission.person, submission.form
    url = confirm_url(submission)
    name = person.first_name or "there"
    shop = business.name()
    text = (
        f"Hi {name},\n\nYou asked for “{form.name}” from {shop}. Please confirm that you "
        f"want email from us:\n{url}\n\nIf you did not ask for this, ignore this email and "
        "nothing will happen.\n"
    )
    body = (
        f"<p>Hi {html.escape(name)},</p><p>You asked for “{html.escape(form.name)}” from "
        f"{html.escape(shop)}. Please confirm that you want email from us:</p>"
        f'<p><a href="{html.escape(url)}">Yes, send it to me</a></p>'
        "<p>If you did not ask for this, ignore this email and nothing will happen.</p>"
    )
    hour = timezone.now().strftime("%Y%m%d%H")
    queue_delivery(
        person, template=None,
        # One confirmation per person, form and hour: the form cannot flood an inbox.
        idempotency_key=f"leadform-optin:{form.pk}:{person.pk}:{hour}",
        reason={"source": "leadform", "form": form.slug,
                "why": f"Asked for email on the form “{form.name}”; this confirms it."},
        automated=True, purpose=TRANSACTIONAL,
        prerendered=Rendered(subject=f"Please confirm: {form.name}",
                             html=email_layout(body), text=text),
    )  # fmt: skip


def _notify(submission: Submission) -> None:
    # The email beside this task is the digests app's urgent email (it listens for new
    # submissions), so the associate's opt-out and once-per-answer apply to it.
    form, person = submission.form, submission.person
    create_task(
        actor=None, title=f"New lead from “{form.name}”: {person.full_name or person.email}"[:200],
        person=person, assignee=form.notify,
        reason=f"They sent the form “{form.name}”; you are the one it notifies."[:255],
    )  # fmt: skip


# --- Confirming consent ----------------------------------------------------------------


def read_confirmation(token: str) -> Submission:
    """The submission a confirmation link is for; TokenError if forged, old or stale."""
    payload = read_token(CONFIRM, token, max_age_seconds=CONFIRM_MAX_AGE)
    pk = payload.get("s")
    submission = (
        Submission.objects.select_related("form", "form__sequence", "person")
        .filter(pk=pk).first() if isinstance(pk, int) else None
    )  # fmt: skip
    if submission is None or normalize_email(submission.person.email or "") != payload.get("e"):
        raise TokenError("This link no longer matches a request.")
    return submission


def confirm(token: str, *, ip_address: str | None = None) -> Submission:
    """Grant email-marketing consent from the link, then start what waited for it."""
    submission = read_confirmation(token)
    form, person = submission.form, submission.person
    with transaction.atomic():
        grant_consent(person, ConsentPurpose.EMAIL_MARKETING, actor=None,
                      method=ConsentMethod.DOUBLE_OPT_IN,
                      source_text=form.consent_texts.get(ConsentPurpose.EMAIL_MARKETING)
                      or f"Asked for email on the form “{form.name}”.",
                      source_url=business.public_url() + reverse("leadform_page",
                                                                  args=[form.slug]),
                      ip_address=ip_address)  # fmt: skip
        lift_unsubscribe(person.email or "")
        if submission.confirmed_at is None:
            Submission.objects.filter(pk=submission.pk).update(
                confirmed_at=timezone.now(), awaiting_confirmation=False
            )
            submission.confirmed_at, submission.awaiting_confirmation = timezone.now(), False
        _enrol_if_allowed(submission)
    return submission
