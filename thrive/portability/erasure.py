"""Erase a person (the right to be forgotten): personal data goes, anonymous aggregates stay.

What happens, in one transaction:

1. Every row of every app that points at the person (found through ``Person``'s reverse
   foreign keys, so apps added later are covered) has its free-text columns cleared:
   notes, activity subjects and bodies, message bodies and addresses, consent evidence,
   survey comments… Columns that carry no personal data and that reports count on stay
   (choices such as a status, money, dates, amounts, keys). ``OVERRIDES`` and
   ``KEEP_FIELDS`` name the models where the generic rule would be wrong.
2. The person's own record keeps only what aggregates need (stage, channel, country,
   first contact, tags) and loses name, email, phone, address, organization, custom fields.
3. Every text column of every table is searched for the person's email, phone and full
   name; each mention (another person's note, a task title, an admin log line) becomes
   "[erased]". Rows keyed by the email alone (suppressions, sign-in links) are deleted.
4. An ``ErasureLog`` row records when, by whom and how many rows changed — nothing that
   identifies the person. Nothing is kept that could undo it.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Q

from thrive.core.roles import require_manage

from .models import ErasureLog
from .registry import person_model, table_name

ERASED = "[erased]"

# Free text that carries no personal data and that reports or the engine rely on.
GENERIC_KEEP = frozenset(
    {"currency", "number", "sku", "ref", "idempotency_key", "claim_token", "message_id"}
)
KEEP_FIELDS: dict[str, frozenset[str]] = {
    # Scores are numbers and an RFM label: the segment counts must not move.
    "analytics.customerscore": frozenset({"rfm_segment"}),
    # A waiting enrolment keeps what it waits for, so the engine stays consistent.
    "automations.enrollment": frozenset({"waiting_kind", "waiting_for", "outcome"}),
    # How many rows a merge moved: counts, not people.
    "contacts.mergerecord": frozenset({"moved_counts"}),
    # The plan name is the product's, and the order's source is a campaign's.
    "commerce.subscription": frozenset({"plan"}),
    "commerce.order": frozenset({"source"}),
}

# Rows whose whole point is the email address: removed, not scrubbed.
DELETE_BY_EMAIL: dict[str, str] = {"outreach.suppression": "email", "voice.magiclink": "email"}

# Tables the mention sweep leaves alone: the log of erasures, and framework tables
# that hold no free text about people.
SWEEP_SKIP = frozenset(
    {"portability.erasurelog", "contenttypes.contenttype", "auth.permission", "sessions.session"}
)

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def _scrubbable(model: type[models.Model], f: models.Field, link: models.Field) -> bool:
    if f is link or f.primary_key or f.is_relation or f.unique or f.choices:
        return False
    keep = KEEP_FIELDS.get(table_name(model), frozenset())
    if f.name in GENERIC_KEEP or f.name in keep:
        return False
    return isinstance(f, (*TEXT_FIELDS, models.GenericIPAddressField))


def _blank(f: models.Field) -> Any:
    if isinstance(f, models.JSONField):
        return f.get_default() if f.has_default() else None
    if f.null:
        return None
    return "" if f.blank else ERASED


def scrub_rows(qs: models.QuerySet, link: models.Field) -> int:
    """Clear the free-text columns of the rows in ``qs`` (which point at the person through
    ``link``). A plain QuerySet update: the activity log's own manager refuses edits, and
    erasure is the one lawful exception."""
    model = qs.model
    values = {
        f.attname: _blank(f) for f in model._meta.concrete_fields if _scrubbable(model, f, link)
    }
    if not values:
        return 0
    return models.QuerySet(model=model).filter(pk__in=qs.values("pk")).update(**values)


def _idea_author(qs: models.QuerySet, link: models.Field) -> int:
    # An idea belongs to the board; only who posted it goes.
    return models.QuerySet(model=qs.model).filter(pk__in=qs.values("pk")).update(author=None)


OVERRIDES: dict[str, Callable[[models.QuerySet, models.Field], int]] = {
    "voice.idea": _idea_author,
}


def _person_links() -> list[models.Field]:
    """Every foreign key (and one-to-one) to Person from any installed model."""
    Person = person_model()
    existing = set(connection.introspection.table_names())
    return [
        rel.field
        for rel in Person._meta.related_objects
        if (rel.one_to_many or rel.one_to_one)
        and not rel.related_model._meta.auto_created
        and rel.related_model._meta.db_table in existing
        # An associate's own account is refused before erasure, never scrubbed.
        and rel.related_model._meta.label != settings.AUTH_USER_MODEL
    ]


def _needles(person: Any) -> list[str]:
    """What identifies the person in free text: email, phone and a full name long enough
    not to match ordinary words."""
    found = [person.email or "", person.phone or ""]
    name = person.full_name
    if " " in name or len(name) >= 6:
        found.append(name)
    return [n for n in found if len(n) >= 4]


def _pattern(needles: list[str]) -> re.Pattern[str]:
    # Whole-token matches only: erasing ana@kc.example must not touch hana@kc.example.
    parts = [rf"(?<![\w.%+-]){re.escape(n)}(?![\w-])(?!\.\w)" for n in needles]
    return re.compile("|".join(parts), re.IGNORECASE)


def _replace(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, dict):
        return {_replace(k, pattern): _replace(v, pattern) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, pattern) for v in value]
    return value


def _swept_models() -> list[type[models.Model]]:
    existing = set(connection.introspection.table_names())
    return [
        m
        for m in apps.get_models()
        if m._meta.managed
        and not m._meta.proxy
        and m._meta.label_lower not in SWEEP_SKIP
        and m._meta.db_table in existing
    ]


def sweep_mentions(needles: list[str]) -> dict[str, int]:
    """Replace every whole-token mention of ``needles`` in every text column of every
    table with "[erased]"; return the rows changed per table."""
    if not needles:
        return {}
    pattern = _pattern(needles)
    # JSON is stored with non-ASCII escaped on some databases; look for both spellings.
    json_needles = sorted({*needles, *(json.dumps(n)[1:-1] for n in needles)})
    changed: dict[str, int] = {}
    for model in _swept_models():
        text = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, TEXT_FIELDS) and not f.primary_key and not f.is_relation
        ]
        if not text:
            continue
        where = Q()
        for f in text:
            for needle in json_needles if isinstance(f, models.JSONField) else needles:
                where |= Q(**{f"{f.name}__icontains": needle})
        plain: models.QuerySet[Any] = models.QuerySet(model=model)
        names = [f.attname for f in text]
        for pk, *values in plain.filter(where).values_list("pk", *names).iterator(2000):
            updates = {
                name: new
                for name, old in zip(names, values, strict=True)
                if (new := _replace(old, pattern)) != old
            }
            if updates:
                plain.filter(pk=pk).update(**updates)
                label = model._meta.label_lower
                changed[label] = changed.get(label, 0) + 1
    return changed


def sweep_binary_mentions(needles: list[str]) -> dict[str, int]:
    """Blank every stored file or message (a binary column) that mentions ``needles``: a
    raw email as received, an attachment. Its bytes cannot be edited like text, so the
    whole value goes, and the row stays with ``[erased]`` for what it held."""
    if not needles:
        return {}
    wanted = [n.lower().encode() for n in needles]
    changed: dict[str, int] = {}
    for model in _swept_models():
        binary = [f for f in model._meta.concrete_fields if isinstance(f, models.BinaryField)]
        plain: models.QuerySet[Any] = models.QuerySet(model=model)
        for f in binary:
            for pk, data in plain.values_list("pk", f.attname).iterator(200):
                if any(n in text for text in _readings(bytes(data or b"")) for n in wanted):
                    plain.filter(pk=pk).update(**{f.attname: ERASED.encode()})
                    label = model._meta.label_lower
                    changed[label] = changed.get(label, 0) + 1
    return changed


def _readings(data: bytes) -> Iterator[bytes]:
    """The value as stored and, for an email, as a reader sees it: headers decoded
    (``=?utf-8?b?…?=``) and every part's body decoded (base64, quoted-printable, its
    charset), all lower-cased. A name hidden by an encoding is still the person's name."""
    yield data.lower()
    head = data[:65536]
    if b"\n\n" not in head and b"\r\n\r\n" not in head or b":" not in head.split(b"\n", 1)[0]:
        return
    try:
        mail = email.message_from_bytes(data, policy=email.policy.default)
        for value in mail.values():
            yield str(value).lower().encode()
        for part in mail.walk():
            if part.is_multipart():
                continue
            payload = part.get_payload(decode=True)
            body = payload if isinstance(payload, bytes) else b""
            yield body.lower()
            charset = part.get_content_charset() or "utf-8"
            yield body.decode(charset, errors="replace").lower().encode()
    except (LookupError, ValueError, TypeError, IndexError, AttributeError):
        return  # not an email after all, or one too broken to read: the raw bytes were checked


def _anonymize(person: Any) -> None:
    Person = person_model()
    Person._default_manager.filter(pk=person.pk).update(
        first_name="",
        last_name="",
        email=None,
        phone="",
        job_title="",
        organization=None,
        region="",
        city="",
        time_zone="",
        custom_fields={},
    )


def erase_person(person: Any, *, actor: Any) -> ErasureLog:
    """Erase ``person``'s personal data everywhere, irreversibly; return the log entry.

    Owners only. Refuses a person who is also an associate (remove the account first, so
    nobody loses access by surprise) and a person already erased.
    """
    require_manage(actor)
    Person = person_model()
    with transaction.atomic():
        person = Person._default_manager.select_for_update().filter(pk=person.pk).first()
        if person is None:
            raise ValidationError("This person no longer exists.")
        if ErasureLog.objects.filter(person_id=person.pk).exists():
            raise ValidationError("This person's personal data has already been erased.")
        account = getattr(person, "associate_account", None)
        if account is not None:
            raise ValidationError(
                f"This person signs in to Thrive as {account.username}. Remove or unlink "
                "that associate account first, then erase the person."
            )
        needles = _needles(person)
        changed: dict[str, int] = {}
        for link in _person_links():
            model = link.model
            label = table_name(model)
            rows = model._base_manager.filter(**{link.name: person})
            handler = OVERRIDES.get(label)
            count = handler(rows, link) if handler else scrub_rows(rows, link)
            if count:
                changed[label] = changed.get(label, 0) + count
        if person.email:
            for label, column in DELETE_BY_EMAIL.items():
                try:
                    model = apps.get_model(label)
                except LookupError:
                    continue
                deleted, _ = model._base_manager.filter(
                    **{f"{column}__iexact": person.email}
                ).delete()
                if deleted:
                    changed[f"{label} (removed)"] = deleted
        _anonymize(person)
        changed["contacts.person"] = 1
        for label, count in sweep_mentions(needles).items():
            changed[f"{label} (mentions)"] = count
        for label, count in sweep_binary_mentions(needles).items():
            changed[f"{label} (files)"] = count
        return ErasureLog.objects.create(actor=actor, person_id=person.pk, changed=changed)


def erasure_of(person_id: int) -> ErasureLog | None:
    return ErasureLog.objects.filter(person_id=person_id).first()
