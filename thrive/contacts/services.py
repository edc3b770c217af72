"""Writes to the ecosystem. Each service owns its transaction and records the timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from thrive.accounts.models import Associate
from thrive.core.roles import can_edit, can_manage, check_actor

from . import lifecycle
from .forgetting import forget_predictions
from .identity import normalize_email
from .models import (
    Activity,
    ActivityChannel,
    ActivityKind,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    Direction,
    MergeRecord,
    Organization,
    Person,
    PersonRole,
    PersonTag,
    Referral,
    RelationshipRole,
    Stage,
    StageCause,
    StageChange,
    Tag,
)

PERSON_FIELDS = {
    "first_name", "last_name", "email", "phone", "organization", "job_title",
    "acquisition_channel", "acquisition_source", "first_seen_at", "time_zone", "country",
    "region", "city", "custom_fields",
}  # fmt: skip


def record_activity(
    person: Person,
    kind: str,
    *,
    occurred_at: dt.datetime | None = None,
    channel: str = "",
    direction: str = "",
    associate: Any = None,
    duration_minutes: int | None = None,
    subject: str = "",
    body: str = "",
    data: dict[str, Any] | None = None,
    ref: str = "",
    automated: bool = False,
    supersedes: Activity | None = None,
    retracted: bool = False,
    recorded_by: Any = None,
) -> Activity:
    """Append one activity to ``person``'s timeline and return it."""
    if kind not in ActivityKind.values:
        raise ValidationError({"kind": f"{kind!r} is not an activity kind."})
    if duration_minutes is not None and duration_minutes < 0:
        raise ValidationError({"duration_minutes": "A duration cannot be negative."})
    activity = Activity(
        person=person,
        kind=kind,
        occurred_at=occurred_at or timezone.now(),
        channel=channel,
        direction=direction,
        associate=associate,
        duration_minutes=duration_minutes,
        subject=subject,
        body=body,
        data=data or {},
        ref=ref,
        automated=automated,
        supersedes=supersedes,
        retracted=retracted,
        recorded_by=recorded_by,
    )
    activity.full_clean(exclude=["person", "associate", "supersedes", "recorded_by"])
    activity.save()
    return activity


# What an associate may log by hand, and so correct or retract later.
HAND_LOGGED_KINDS = frozenset({
    ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.STRATEGY_SESSION,
    ActivityKind.NOTE, ActivityKind.SUPPORT, ActivityKind.EMAIL,
})  # fmt: skip
_KIND_CHANNELS: dict[str, str] = {
    ActivityKind.CALL: ActivityChannel.PHONE,
    ActivityKind.MEETING: ActivityChannel.IN_PERSON,
    ActivityKind.STRATEGY_SESSION: ActivityChannel.VIDEO,
    ActivityKind.EMAIL: ActivityChannel.EMAIL,
}
EMPTY_ENTRY = "Nothing to log: write a subject or notes, or enter the minutes spent."


def _check_hand_logged(kind: str, subject: str, body: str, duration_minutes: int | None) -> None:
    if kind not in HAND_LOGGED_KINDS:
        raise ValidationError({"kind": f"{kind!r} cannot be logged by hand."})
    # An entry with no words and no time says nothing and would still count as a touch.
    if not subject.strip() and not body.strip() and duration_minutes is None:
        raise ValidationError(EMPTY_ENTRY, code="empty_entry")


def log_interaction(
    person: Person,
    kind: str,
    *,
    actor: Any,
    subject: str = "",
    body: str = "",
    duration_minutes: int | None = None,
    occurred_at: dt.datetime | None = None,
    channel: str = "",
    direction: str = Direction.OUTBOUND,
) -> Activity:
    """An associate logs a call, meeting, strategy session, note or support conversation.

    Refused when it has neither a subject, notes nor minutes: an empty entry."""
    check_actor(actor)
    _check_hand_logged(kind, subject, body, duration_minutes)
    with transaction.atomic():
        return record_activity(
            person,
            kind,
            occurred_at=occurred_at,
            channel=channel or _KIND_CHANNELS.get(kind, ""),
            direction=Direction.INTERNAL if kind == ActivityKind.NOTE else direction,
            associate=actor,
            duration_minutes=duration_minutes,
            subject=subject,
            body=body,
        )


def may_amend(activity: Activity, user: Any) -> bool:
    """Whether ``user`` may correct or retract ``activity``: a touchpoint logged by hand,
    by its author (the associate on it) or by an owner; never a read-only associate."""
    if not can_edit(user):
        return False
    if activity.kind not in HAND_LOGGED_KINDS or activity.automated or activity.retracted:
        return False
    if activity.associate_id is None:
        return False
    return bool(activity.associate_id == user.pk or can_manage(user))


def _lock_head(activity: Activity, actor: Any) -> Activity:
    """Lock ``activity`` and check it is the standing version ``actor`` may amend."""
    check_actor(actor)
    current = Activity.log.select_for_update().filter(pk=activity.pk).first()
    if current is None:
        raise ValidationError("This entry no longer exists.")
    if Activity.log.filter(supersedes=current).exists():
        raise ValidationError(
            "This entry was already corrected or retracted; amend its latest version.",
            code="stale",
        )
    if actor is not None and not may_amend(current, actor):
        raise PermissionDenied("Only the associate who logged it or an owner may change it.")
    if actor is None and (current.kind not in HAND_LOGGED_KINDS or current.retracted):
        raise ValidationError("Only touchpoints logged by hand can be amended.")
    return current


def correct_activity(
    activity: Activity,
    *,
    actor: Any,
    kind: str,
    subject: str = "",
    body: str = "",
    duration_minutes: int | None = None,
    occurred_at: dt.datetime | None = None,
    reason: str = "",
) -> Activity:
    """Replace a logged touchpoint with a corrected one, appended to the timeline.

    The old row stays as it was (the new one ``supersedes`` it), so the history can be
    read, while pages and figures see only the correction."""
    _check_hand_logged(kind, subject, body, duration_minutes)
    try:
        with transaction.atomic():
            old = _lock_head(activity, actor)
            same_kind = kind == old.kind
            return record_activity(
                old.person,
                kind,
                occurred_at=occurred_at or old.occurred_at,
                channel=old.channel if same_kind else _KIND_CHANNELS.get(kind, ""),
                direction=Direction.INTERNAL
                if kind == ActivityKind.NOTE
                else (old.direction if old.direction != Direction.INTERNAL else Direction.OUTBOUND),
                associate=old.associate,
                duration_minutes=duration_minutes,
                subject=subject,
                body=body,
                data={"reason": reason.strip()} if reason.strip() else {},
                ref=old.ref,
                supersedes=old,
                recorded_by=actor,
            )
    except IntegrityError as exc:  # someone amended the same entry at the same moment
        raise ValidationError(
            "This entry was just changed by someone else; reload and try again."
        ) from exc


def retract_activity(activity: Activity, *, actor: Any, reason: str = "") -> Activity:
    """Withdraw a logged touchpoint: it leaves the timeline and every count, and the row
    (with the retraction that supersedes it) is kept for the record."""
    try:
        with transaction.atomic():
            old = _lock_head(activity, actor)
            return record_activity(
                old.person,
                old.kind,
                occurred_at=old.occurred_at,
                channel=old.channel,
                direction=Direction.INTERNAL,
                associate=old.associate,
                subject=f"Retracted: {old.subject or old.get_kind_display()}"[:255],
                body=reason.strip(),
                data={"reason": reason.strip()} if reason.strip() else {},
                ref=old.ref,
                supersedes=old,
                retracted=True,
                recorded_by=actor,
            )
    except IntegrityError as exc:
        raise ValidationError(
            "This entry was just changed by someone else; reload and try again."
        ) from exc


def create_person(
    *,
    actor: Any,
    stage: str = Stage.SUSPECT,
    cause: str = StageCause.MANUAL,
    **fields: Any,
) -> Person:
    """Create a person after full validation; the first stage is recorded with its cause.

    Raises ValidationError naming each bad field, including a duplicate email.
    """
    check_actor(actor)
    unknown = set(fields) - PERSON_FIELDS
    if unknown:
        raise ValidationError({name: "Unknown field." for name in sorted(unknown)})
    person = Person(**fields)
    person.stage = stage
    person._stage_cause, person._stage_actor = cause, actor
    person.full_clean()
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:  # a concurrent create of the same email
        raise ValidationError({"email": "A person with this email already exists."}) from exc
    return person


ORGANIZATION_FIELDS = {
    "name", "domain", "industry", "employees", "website", "country", "city", "custom_fields",
}  # fmt: skip


def save_organization(
    organization: Organization | None = None, *, actor: Any, **fields: Any
) -> Organization:
    """Create an organization, or change ``organization``, after full validation."""
    check_actor(actor)
    unknown = set(fields) - ORGANIZATION_FIELDS
    if unknown:
        raise ValidationError({name: "Unknown field." for name in sorted(unknown)})
    organization = organization or Organization()
    for name, value in fields.items():
        setattr(organization, name, value)
    if not (organization.name or "").strip():
        raise ValidationError({"name": "An organization needs a name."})
    organization.name = organization.name.strip()
    organization.full_clean()
    with transaction.atomic():
        organization.save()
    return organization


def update_person(person: Person, *, actor: Any, **fields: Any) -> Person:
    """Change a person's profile fields (not the stage: use change_stage)."""
    check_actor(actor)
    unknown = set(fields) - PERSON_FIELDS
    if unknown:
        raise ValidationError({name: "Unknown field." for name in sorted(unknown)})
    for name, value in fields.items():
        setattr(person, name, value)
    person.full_clean()
    with transaction.atomic():
        person.save()
    return person


def change_stage(
    person: Person,
    stage: str,
    *,
    actor: Any,
    cause: str = StageCause.MANUAL,
    at: dt.datetime | None = None,
    note: str = "",
) -> bool:
    """Move ``person`` to ``stage``; history and timeline record it. False if unchanged."""
    check_actor(actor)
    with transaction.atomic():
        return person.set_stage(stage, cause=cause, actor=actor, at=at, note=note)


def add_role(person: Person, role: str, *, actor: Any, note: str = "") -> PersonRole:
    check_actor(actor)
    if role not in RelationshipRole.values:
        raise ValidationError({"role": f"{role!r} is not a relationship role."})
    obj, _ = PersonRole.objects.get_or_create(person=person, role=role, defaults={"note": note})
    return obj


def get_or_create_tag(name: str) -> Tag:
    name = name.strip()
    if not name:
        raise ValidationError({"tag": "A tag needs a name."})
    if len(name) > 60:
        raise ValidationError({"tag": "A tag name has at most 60 characters."})
    tag = Tag.objects.filter(name__iexact=name).first()
    return tag or Tag.objects.create(name=name)


def add_tag(person: Person, name: str, *, actor: Any) -> bool:
    """Tag ``person``; returns False if they already had the tag."""
    check_actor(actor)
    with transaction.atomic():
        tag = get_or_create_tag(name)
        _, created = PersonTag.objects.get_or_create(
            person=person, tag=tag, defaults={"added_by": actor}
        )
        if created:
            record_activity(
                person,
                ActivityKind.TAG_CHANGE,
                channel=ActivityChannel.SYSTEM,
                direction=Direction.INTERNAL,
                associate=actor,
                subject=f"Tagged {tag.name}",
                data={"tag": tag.name, "action": "added"},
            )
    return created


def remove_tag(person: Person, name: str, *, actor: Any) -> bool:
    check_actor(actor)
    with transaction.atomic():
        deleted, _ = PersonTag.objects.filter(
            person=person, tag__name__iexact=name.strip()
        ).delete()
        if deleted:
            record_activity(
                person,
                ActivityKind.TAG_CHANGE,
                channel=ActivityChannel.SYSTEM,
                direction=Direction.INTERNAL,
                associate=actor,
                subject=f"Untagged {name.strip()}",
                data={"tag": name.strip(), "action": "removed"},
            )
    return bool(deleted)


def set_automation_paused(person: Person, paused: bool, *, actor: Any) -> bool:
    """Switch workflows off (or back on) for one person; noted on their timeline. False
    when it was already so."""
    check_actor(actor)
    if actor is not None and not can_edit(actor):
        raise PermissionDenied("Read-only associates cannot change this.")
    with transaction.atomic():
        changed = Person.objects.filter(pk=person.pk).exclude(
            automation_paused=paused
        ).update(automation_paused=paused)
        person.automation_paused = paused
        if changed:
            who = (actor.get_full_name() or actor.username) if actor is not None else "The system"
            record_activity(
                person, ActivityKind.NOTE, channel=ActivityChannel.SYSTEM,
                direction=Direction.INTERNAL, associate=actor,
                subject=f"{who} switched automation {'off' if paused else 'back on'}",
                data={"automation_paused": paused},
            )  # fmt: skip
    return bool(changed)


def grant_consent(
    person: Person,
    purpose: str,
    *,
    actor: Any,
    method: str,
    source_text: str,
    ip_address: str | None = None,
    source_url: str = "",
    at: dt.datetime | None = None,
) -> Consent:
    """Record consent with its evidence. An existing active grant is kept, not duplicated."""
    check_actor(actor)
    if purpose not in ConsentPurpose.values:
        raise ValidationError({"purpose": f"{purpose!r} is not a consent purpose."})
    if method not in ConsentMethod.values:
        raise ValidationError({"method": f"{method!r} is not a consent method."})
    if not source_text.strip():
        raise ValidationError({"source_text": "Record the words the person agreed to."})
    with transaction.atomic():
        active = Consent.objects.select_for_update().filter(
            person=person, purpose=purpose, withdrawn_at__isnull=True
        )
        existing = active.first()
        if existing is not None:
            return existing
        consent = Consent(
            person=person,
            purpose=purpose,
            method=method,
            source_text=source_text,
            ip_address=ip_address,
            source_url=source_url,
            granted_at=at or timezone.now(),
        )
        consent.full_clean(exclude=["person"])
        consent.save()
        record_activity(
            person,
            ActivityKind.CONSENT_CHANGE,
            occurred_at=consent.granted_at,
            channel=ActivityChannel.SYSTEM,
            direction=Direction.INBOUND,
            associate=actor,
            subject=f"Consented to {consent.get_purpose_display().lower()}",
            data={"purpose": purpose, "action": "granted", "method": method},
        )
        return consent


def withdraw_consent(
    person: Person,
    purpose: str,
    *,
    actor: Any,
    method: str = ConsentMethod.PREFERENCE_CENTER,
    at: dt.datetime | None = None,
) -> bool:
    """Withdraw the active consent for ``purpose``; honoured at once. False if none."""
    check_actor(actor)
    when = at or timezone.now()
    with transaction.atomic():
        consent = (
            Consent.objects.select_for_update()
            .filter(person=person, purpose=purpose, withdrawn_at__isnull=True)
            .first()
        )
        if consent is None:
            return False
        consent.withdrawn_at = max(when, consent.granted_at)
        consent.withdrawal_method = method
        consent.save(update_fields=["withdrawn_at", "withdrawal_method"])
        record_activity(
            person,
            ActivityKind.CONSENT_CHANGE,
            occurred_at=consent.withdrawn_at,
            channel=ActivityChannel.SYSTEM,
            direction=Direction.INBOUND,
            associate=actor,
            subject=f"Withdrew consent to {consent.get_purpose_display().lower()}",
            data={"purpose": purpose, "action": "withdrawn", "method": method},
        )
        if purpose == ConsentPurpose.PROFILING:
            # Honoured at once: nothing predicted about them stays (thrive.contacts.profiling).
            forget_predictions(person.pk)
        return True


def has_consent(person: Person, purpose: str) -> bool:
    return Consent.objects.filter(
        person=person, purpose=purpose, withdrawn_at__isnull=True
    ).exists()


def record_referral(
    referrer: Person, referred: Person, *, actor: Any, at: dt.datetime | None = None, note: str = ""
) -> Referral:
    """Record that ``referrer`` brought in ``referred`` (once per referred person)."""
    check_actor(actor)
    if referrer.pk == referred.pk:
        raise ValidationError({"referrer": "A person cannot refer themselves."})
    with transaction.atomic():
        existing = Referral.objects.filter(referred=referred).first()
        if existing is not None:
            if existing.referrer_id != referrer.pk:
                raise ValidationError(
                    {"referred": f"{referred} was already referred by someone else."}
                )
            return existing
        referral = Referral.objects.create(
            referrer=referrer, referred=referred, referred_at=at or timezone.now(), note=note
        )
        for who, other, verb in (
            (referrer, referred, "Referred"),
            (referred, referrer, "Referred by"),
        ):
            record_activity(
                who,
                ActivityKind.REFERRAL,
                occurred_at=referral.referred_at,
                channel=ActivityChannel.SYSTEM,
                direction=Direction.INBOUND,
                associate=actor,
                subject=f"{verb} {other}",
                data={"referrer": referrer.pk, "referred": referred.pk},
            )
        return referral


def find_person_by_email(email: str) -> Person | None:
    normalized = normalize_email(email)
    return Person.objects.filter(email=normalized).first() if normalized else None


def _snapshot(person: Person) -> dict[str, Any]:
    data = model_to_dict(person, exclude=["tags"])
    return {
        key: (value.isoformat() if hasattr(value, "isoformat") else value)
        for key, value in data.items()
    }


# The stage a merged record ends in: the one furthest along the funnel; LOST only if both are.
_STAGE_RANK = {
    Stage.SUSPECT: 0,
    Stage.LOST: 1,
    Stage.PROSPECT: 2,
    Stage.CLIENT: 3,
    Stage.ADVOCATE: 4,
}


def merge_people(survivor: Person, duplicate: Person, *, actor: Any) -> MergeRecord:
    """Fold ``duplicate`` into ``survivor`` and delete it, keeping everything it had.

    Moves every activity, order, subscription, deal, consent, stage record, tag, role and
    referral (both directions) to the survivor; fills the survivor's blank profile fields
    from the duplicate; keeps the earliest first contact; records a MergeRecord with the
    duplicate's snapshot and what moved. Both rows are locked in primary-key order.
    """
    check_actor(actor)
    if survivor.pk == duplicate.pk:
        raise ValidationError({"duplicate": "A person cannot be merged with themselves."})
    with transaction.atomic():
        locked = {
            p.pk: p
            for p in Person.objects.select_for_update()
            .filter(pk__in=[survivor.pk, duplicate.pk])
            .order_by("pk")
        }
        if len(locked) != 2:
            raise ValidationError({"duplicate": "One of the two people no longer exists."})
        survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
        snapshot = _snapshot(duplicate)
        moved: dict[str, int] = {}

        moved["activities"] = Activity.log.filter(person=duplicate).reassign_person(survivor)
        moved["stage_changes"] = StageChange.objects.filter(person=duplicate).update(
            person=survivor
        )
        for relation in ("orders", "subscriptions", "deals"):
            manager = getattr(duplicate, relation)
            moved[relation] = manager.update(person=survivor)

        # Consents: keep every row; if both have an active grant for a purpose, the older
        # one stays active and the newer is closed at the merge so the history is whole.
        now = timezone.now()
        for consent in Consent.objects.filter(person=duplicate, withdrawn_at__isnull=True):
            if Consent.objects.filter(
                person=survivor, purpose=consent.purpose, withdrawn_at__isnull=True
            ).exists():
                consent.withdrawn_at = max(now, consent.granted_at)
                consent.withdrawal_method = ""
                consent.save(update_fields=["withdrawn_at", "withdrawal_method"])
        moved["consents"] = Consent.objects.filter(person=duplicate).update(person=survivor)

        survivor_tags = set(survivor.person_tags.values_list("tag_id", flat=True))
        PersonTag.objects.filter(person=duplicate, tag_id__in=survivor_tags).delete()
        moved["tags"] = PersonTag.objects.filter(person=duplicate).update(person=survivor)
        survivor_roles = set(survivor.roles.values_list("role", flat=True))
        PersonRole.objects.filter(person=duplicate, role__in=survivor_roles).delete()
        moved["roles"] = PersonRole.objects.filter(person=duplicate).update(person=survivor)

        # Referrals: the duplicate's referrals become the survivor's; a referral between
        # the two themselves would become self-referral and is dropped (recorded in counts).
        self_referrals = Referral.objects.filter(
            referrer__in=[survivor, duplicate], referred__in=[survivor, duplicate]
        )
        moved["self_referrals_dropped"] = self_referrals.count()
        self_referrals.delete()
        moved["referrals_made"] = Referral.objects.filter(referrer=duplicate).update(
            referrer=survivor
        )
        incoming = Referral.objects.filter(referred=duplicate).first()
        if incoming is not None:
            if Referral.objects.filter(referred=survivor).exists():
                moved["referral_received_dropped"] = 1
                incoming.delete()
            else:
                moved["referral_received"] = Referral.objects.filter(pk=incoming.pk).update(
                    referred=survivor
                )

        Associate.objects.filter(person=duplicate).update(person=survivor)
        for relation in _extra_person_relations():
            label = relation.related_model._meta.label_lower
            moved[label], dropped = _move_rows(relation, duplicate, survivor)
            if dropped:
                moved[f"{label}_dropped_as_duplicate"] = dropped

        for name in PERSON_FIELDS - {"custom_fields", "first_seen_at", "email"}:
            if not getattr(survivor, name) and getattr(duplicate, name):
                setattr(survivor, name, getattr(duplicate, name))
        survivor.custom_fields = {**duplicate.custom_fields, **survivor.custom_fields}
        survivor.first_seen_at = min(survivor.first_seen_at, duplicate.first_seen_at)
        duplicate_email = duplicate.email
        best = max((survivor.stage, duplicate.stage), key=lambda s: _STAGE_RANK[Stage(s)])
        duplicate.delete()
        if not survivor.email and duplicate_email:
            survivor.email = duplicate_email
        survivor.save()
        if best != survivor.stage:
            lifecycle.merged(survivor, best, actor=actor)

        record = MergeRecord.objects.create(
            survivor=survivor, merged_person_id=snapshot["id"], merged_snapshot=snapshot,
            moved_counts=moved, actor=actor,
        )  # fmt: skip
        record_activity(
            survivor,
            ActivityKind.MERGE,
            channel=ActivityChannel.SYSTEM,
            direction=Direction.INTERNAL,
            associate=actor,
            subject=f"Merged with {snapshot.get('email') or 'person ' + str(snapshot['id'])}",
            data={"merged_person_id": snapshot["id"], "moved": moved},
            ref=f"merge:{record.pk}",
        )
        return record


def _move_rows(relation: Any, duplicate: Person, survivor: Person) -> tuple[int, int]:
    """Point ``relation``'s rows at the survivor. A row the survivor already has an
    equivalent of (a unique constraint says so, e.g. an active enrolment in the same
    sequence) is removed instead, and counted. Returns (moved, dropped)."""
    field = relation.field.name
    rows = relation.related_model._default_manager.filter(**{field: duplicate})
    try:
        with transaction.atomic():
            return rows.update(**{field: survivor}), 0
    except IntegrityError:
        pass
    moved = dropped = 0
    for pk in list(rows.order_by("pk").values_list("pk", flat=True)):
        one = relation.related_model._default_manager.filter(pk=pk)
        try:
            with transaction.atomic():
                moved += one.update(**{field: survivor})
        except IntegrityError:
            one.delete()
            dropped += 1
    return moved, dropped


def _extra_person_relations() -> list[Any]:
    """Foreign keys to Person from apps other than contacts/commerce/accounts (ideas,
    survey answers, deliveries…), so merges keep working as the domain grows."""
    handled = {"contacts", "commerce", "accounts"}
    return [
        rel
        for rel in Person._meta.related_objects
        if (rel.one_to_many or rel.one_to_one) and rel.related_model._meta.app_label not in handled
    ]
