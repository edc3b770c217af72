"""Importing people: validate each row, merge rows with one email, create or update.

Rules (shown to people before they commit, see ``MERGE_RULES_TEXT``):

* People are matched by email, normalised the way Thrive stores it (trimmed, lower-case).
* Several rows with one email in the file become one person: the first row's values are
  kept and later rows fill its blanks (or, with "the file wins", replace them).
* A person already in Thrive is updated by the merge rule: "fill in blanks" never changes
  a value Thrive has; "the file wins" replaces it with any non-empty cell. An empty cell
  never erases anything. First seen only ever moves earlier.
* A new person's stage is recorded with cause "import", so the funnel sees when they came.
* A phone number that is not one is left out with a warning; the rest of the row is kept.
* A Tags cell (names separated by commas or semicolons) tags the person; undo removes
  those tags again, and tags the import created that nobody else uses.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import re
import zoneinfo
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils.text import Truncator

from thrive.contacts import lifecycle
from thrive.contacts.identity import normalize_phone
from thrive.contacts.models import Activity as ActivityModel
from thrive.contacts.models import (
    ActivityChannel,
    ActivityKind,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    Direction,
    Organization,
    Person,
    PersonTag,
    Stage,
    StageCause,
    StageChange,
    Tag,
)

from . import sink
from .countries import country_code
from .engine import Batch, Row, Run, reject, warn
from .models import ImportedRange, ImportedRecord, MergeRule, RecordAction
from .values import CellError, clean_email, parse_datetime, parse_yes

MERGE_RULES_TEXT: dict[str, str] = {
    MergeRule.FILL: (
        "People already in Thrive keep every value they have; the file only fills in what is "
        "blank. Rows with the same email are merged into one person: the first row wins, "
        "later rows fill its blanks."
    ),
    MergeRule.OVERWRITE: (
        "For people already in Thrive, every non-empty cell of the file replaces Thrive's "
        "value (including the stage); empty cells never erase anything. Rows with the same "
        "email are merged into one person: later rows' non-empty cells win."
    ),
}

TEXT_LIMITS = {
    "first_name": 100,
    "last_name": 100,
    "job_title": 120,
    "acquisition_source": 200,
    "region": 120,
    "city": 120,
    "organization": 200,
}
PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "job_title",
    "acquisition_source",
    "country",
    "region",
    "city",
    "time_zone",
)
EMPTY_JSON = sink.JSONText("{}")  # every new person's custom fields
TAG_MAX = 60  # Tag.name's column size
_TAG_SPLIT = re.compile(r"[,;]")
STAGE_BY_TEXT = {s.value: s.value for s in Stage} | {s.label.lower(): s.value for s in Stage}


def clean_person(run: Run, row: Row, batch: Batch) -> dict[str, Any] | None:
    """The row's person fields, normalised; None (and the reasons recorded) if rejected.

    Runs once per row: cells are already trimmed (see ``Run.parse_rows``), and the slower
    checks (phone, time zone, dates, yes/no) only run on cells that hold something.
    """
    get = row.values.get
    problems: list[tuple[str, str]] = []
    email = None
    try:
        email = clean_email(get("email", ""))
    except ValidationError as exc:
        problems.append(("email", exc.messages[0]))
    else:
        if not email:
            problems.append(("email", "no email: people are matched by email, so a row needs one"))
    full = get("full_name", "")
    first, last = get("first_name", ""), get("last_name", "")
    if full and not (first or last):
        first, _, last = full.rpartition(" ") if " " in full else (full, "", "")
    out: dict[str, Any] = {
        "email": email,
        "first_name": first.strip(),
        "last_name": last.strip(),
        "job_title": get("job_title", ""),
        "acquisition_source": get("acquisition_source", ""),
        "region": get("region", ""),
        "city": get("city", ""),
        "organization": get("organization", ""),
    }
    for name, limit in TEXT_LIMITS.items():
        if len(out[name]) > limit:
            problems.append((name, f"longer than {limit} characters"))
    phone = get("phone", "")
    out["phone"] = ""
    if phone:
        try:
            out["phone"] = normalize_phone(phone)
        except ValidationError as exc:
            # A phone nobody can call is no reason to lose the person: import the rest.
            reason = exc.messages[0].rstrip(".")
            reason = f"{reason}; imported without it"
            warn(run, batch, row.number, "phone", reason, "phone left out")
    country = get("country", "")
    if country:
        code = country_code(country)
        if code is None:
            problems.append(
                ("country", f"{country!r} is not a country (use a code such as US or a name)")
            )
        country = code or ""
    out["country"] = country
    out["tags"] = []
    tags = get("tags", "")
    if tags:
        seen: set[str] = set()
        for name in filter(None, (t.strip() for t in _TAG_SPLIT.split(tags))):
            if len(name) > TAG_MAX:
                problems.append(
                    ("tags", f"the tag {Truncator(name).chars(20)!r} is longer than {TAG_MAX} "
                     "characters")
                )  # fmt: skip
            elif name.casefold() not in seen:
                seen.add(name.casefold())
                out["tags"].append(name)
    zone = get("time_zone", "")
    if zone:
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            problems.append(("time_zone", f"{zone!r} is not a time zone such as Europe/Paris"))
    out["time_zone"] = zone
    stage = get("stage", "")
    if stage:
        stage = stage.strip().lower()
        if stage not in STAGE_BY_TEXT:
            problems.append(
                ("stage", f"{row.values['stage']!r} is not a stage ({', '.join(Stage.values)})")
            )
        stage = STAGE_BY_TEXT.get(stage, "")
    out["stage"] = stage
    for name in ("first_seen_at", "consent_at"):
        out[name] = None
        text = get(name)
        if text:
            try:
                out[name] = parse_datetime(text, zone=run.zone, order=run.job.date_order)
            except CellError as exc:
                problems.append((name, str(exc)))
    out["email_consent"] = False
    consent = get("email_consent")
    if consent:
        try:
            out["email_consent"] = parse_yes(consent)
        except CellError as exc:
            problems.append(("email_consent", str(exc)))
    if problems:
        for name, reason in problems:
            reject(run, batch, row.number, name, reason)
        return None
    return out


def merge_values(kept: dict[str, Any], new: dict[str, Any], rule: str) -> None:
    """Fold a later row with the same email into ``kept`` (in place) by the merge rule."""
    for name, value in new.items():
        if name == "tags":  # every row's tags count
            have = {t.casefold() for t in kept.get("tags", [])}
            kept["tags"] = kept.get("tags", []) + [t for t in value if t.casefold() not in have]
            continue
        if value in ("", None, False):
            continue
        if name == "first_seen_at":
            kept[name] = min(filter(None, (kept.get(name), value)))
        elif rule == MergeRule.OVERWRITE or kept.get(name) in ("", None, False):
            kept[name] = value


def organization_ids(run: Run, batch: Batch, names: Iterable[str]) -> dict[str, int]:
    """Ids of organizations by lower-cased name, creating the missing ones."""
    wanted = sorted({n.strip() for n in names if n.strip()}, key=str.lower)
    found: dict[str, int] = {}
    lowered = [n.lower() for n in wanted]
    for part in sink.chunks(lowered):
        for pk, name in (
            Organization.objects.annotate(key=Lower("name"))
            .filter(key__in=part)
            .order_by("id")
            .values_list("id", "key")
        ):
            found.setdefault(name, pk)
    missing = []
    for name in wanted:
        if name.lower() not in found:
            missing.append(name)
            found[name.lower()] = 0
    if missing:
        ids = sink.reserve_ids(Organization, len(missing))
        sink.insert(
            Organization,
            ["id", "name", "created_at", "updated_at"],
            [(pk, name, run.now, run.now) for pk, name in zip(ids, missing, strict=True)],
        )
        record_created(run, "organization", ids)
        for pk, name in zip(ids, missing, strict=True):
            found[name.lower()] = pk
        batch.add("organization", "created", len(missing))
    return found


def id_runs(ids: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted ids as runs of consecutive numbers: [1, 2, 3, 7] → [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for pk in sorted(ids):
        if runs and pk == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], pk)
        else:
            runs.append((pk, pk))
    return runs


def record_created(run: Run, model: str, ids: Iterable[int]) -> None:
    """Remember what undo must delete: one range row per run of consecutive ids."""
    sink.insert(
        ImportedRange,
        ["job_id", "model", "first_id", "last_id"],
        [(run.job.pk, model, first, last) for first, last in id_runs(ids)],
    )


def created_ids(run: Run, model: str) -> Callable[[int], bool]:
    """A test for "this import created that object" (its ranges, read once per call)."""
    runs = sorted(
        ImportedRange.objects.filter(job=run.job, model=model).values_list("first_id", "last_id")
    )
    firsts = [first for first, _ in runs]

    def created(pk: int) -> bool:
        i = bisect.bisect_right(firsts, pk) - 1
        return i >= 0 and pk <= runs[i][1]

    return created


def remember_before(run: Run, model: str, before: dict[int, dict[str, Any]]) -> None:
    """Keep each object's values from before this import (the first snapshot wins)."""
    if not before:
        return
    created = created_ids(run, model)
    # Created by this import (an earlier batch): undo deletes it, nothing to restore.
    before = {pk: values for pk, values in before.items() if not created(pk)}
    ids = list(before)
    known: dict[int, ImportedRecord] = {}
    for part in sink.chunks(ids):
        for record in ImportedRecord.objects.filter(
            job=run.job, model=model, object_id__in=part
        ):
            known[record.object_id] = record
    fresh: list[ImportedRecord] = []
    changed: list[ImportedRecord] = []
    for pk, values in before.items():
        rec = known.get(pk)
        if rec is None:
            fresh.append(
                ImportedRecord(
                    job=run.job,
                    model=model,
                    object_id=pk,
                    action=RecordAction.UPDATED,
                    before=values,
                )
            )
        elif rec.action == RecordAction.UPDATED:
            missing = {k: val for k, val in values.items() if k not in (rec.before or {})}
            if missing:
                rec.before = {**(rec.before or {}), **missing}
                changed.append(rec)
        # Created by this import: undo deletes it, nothing to restore.
    ImportedRecord.objects.bulk_create(fresh, batch_size=500)
    ImportedRecord.objects.bulk_update(changed, ["before"], batch_size=500)


def created_by_this_import(run: Run, ids: Iterable[int]) -> set[int]:
    created = created_ids(run, "person")
    return {pk for pk in ids if created(pk)}


def _snapshot(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def create_people(
    run: Run, specs: list[dict[str, Any]], *, cause: str = StageCause.IMPORT
) -> list[int]:
    """Insert new people with their first stage change, timeline entry and consent."""
    if not specs:
        return []
    ids = sink.reserve_ids(Person, len(specs))
    actor_id = run.actor.pk if run.actor is not None else None
    people, changes, activities, consents = [], [], [], []
    # Every new person's first stage entry carries the same data: serialise it once a stage.
    stage_data = {
        stage: sink.JSONText(
            json.dumps({"from": "", "to": stage, "cause": cause, "import": run.job.pk})
        )
        for stage in Stage.values
    }
    became = {stage: f"Became a {label.lower()}" for stage, label in Stage.choices}
    for pk, s in zip(ids, specs, strict=True):
        stage = s.get("stage") or Stage.SUSPECT
        seen = s.get("first_seen_at") or run.now
        people.append(
            (
                pk,
                run.now,
                run.now,
                s.get("first_name", ""),
                s.get("last_name", ""),
                s["email"],
                s.get("phone", ""),
                s.get("organization_id"),
                s.get("job_title", ""),
                stage,
                seen,
                s.get("acquisition_source", ""),
                seen,
                s.get("time_zone", ""),
                s.get("country", ""),
                s.get("region", ""),
                s.get("city", ""),
                EMPTY_JSON,
            )
        )
        changes.append((pk, "", stage, seen, cause, actor_id, run.note))
        activities.append(
            (
                pk,
                ActivityKind.STAGE_CHANGE,
                seen,
                run.now,
                ActivityChannel.SYSTEM,
                Direction.INTERNAL,
                actor_id,
                False,
                became[stage],
                stage_data[stage],
                run.ref,
            )
        )
        if s.get("email_consent"):
            at = s.get("consent_at") or seen
            consents.append(
                (
                    pk,
                    ConsentPurpose.EMAIL_MARKETING,
                    at,
                    ConsentMethod.IMPORT,
                    f"Consent as recorded in {run.job.original_name}",
                )
            )
            activities.append(_consent_entry(run, pk, at, actor_id))
    sink.insert(
        Person,
        [
            "id",
            "created_at",
            "updated_at",
            "first_name",
            "last_name",
            "email",
            "phone",
            "organization_id",
            "job_title",
            "stage",
            "stage_changed_at",
            "acquisition_source",
            "first_seen_at",
            "time_zone",
            "country",
            "region",
            "city",
            "custom_fields",
        ],
        people,
    )
    sink.insert(
        StageChange,
        ["person_id", "from_stage", "to_stage", "changed_at", "cause", "actor_id", "note"],
        changes,
    )
    insert_activities(activities)
    sink.insert(Consent, ["person_id", "purpose", "granted_at", "method", "source_text"], consents)
    record_created(run, "person", ids)
    return ids


def _consent_entry(run: Run, person_id: int, at: Any, actor_id: int | None) -> tuple[Any, ...]:
    """The timeline entry (a row for ``insert_activities``) of a consent this import records."""
    return (
        person_id,
        ActivityKind.CONSENT_CHANGE,
        at,
        run.now,
        ActivityChannel.SYSTEM,
        Direction.INBOUND,
        actor_id,
        False,
        "Consented to email marketing",
        {
            "purpose": ConsentPurpose.EMAIL_MARKETING,
            "action": "granted",
            "method": ConsentMethod.IMPORT,
            "import": run.job.pk,
        },
        run.ref,
    )


def insert_activities(rows: list[tuple[Any, ...]]) -> None:
    sink.insert(
        ActivityModel,
        [
            "person_id",
            "kind",
            "occurred_at",
            "recorded_at",
            "channel",
            "direction",
            "associate_id",
            "automated",
            "subject",
            "data",
            "ref",
        ],
        rows,
    )


def check_people(run: Run, rows: list[Row], batch: Batch) -> dict[str, dict[str, Any]]:
    """The batch's valid rows as one person's values per email (no database access)."""
    rule = run.job.merge_rule
    by_email: dict[str, dict[str, Any]] = {}
    for row in rows:
        values = clean_person(run, row, batch)
        if values is None:
            continue
        email = values["email"]
        if email in by_email:
            merge_values(by_email[email], values, rule)
            batch.add("person", "merged")
        else:
            by_email[email] = values
    return by_email


def write_people(run: Run, by_email: dict[str, dict[str, Any]], batch: Batch) -> None:
    if not by_email:
        return
    orgs = organization_ids(run, batch, (v["organization"] for v in by_email.values()))
    for values in by_email.values():
        name = values.pop("organization")
        values["organization_id"] = orgs.get(name.strip().lower()) if name.strip() else None
    existing: dict[str, Person] = {}
    # Which emails Thrive has (one plain query per chunk), then whole models for those only.
    found = [pk for (pk,) in sink.lookup(Person, "email", list(by_email), ["id"])]
    for part in sink.chunks(found):
        for person in Person.objects.filter(pk__in=part):
            existing[person.email] = person  # type: ignore[index]
    new = [v for e, v in by_email.items() if e not in existing]
    if run.seen is not None:
        again = run.seen.find("email", (v["email"] for v in new))
        batch.add("person", "merged", len(again))
        new = [v for v in new if v["email"] not in again]
    new_ids = create_people(run, new)
    batch.add("person", "created", len(new))
    batch.created_emails.extend(v["email"] for v in new)
    _update_existing(run, batch, [(existing[e], by_email[e]) for e in existing])
    wanted = [(pk, v["tags"]) for pk, v in zip(new_ids, new, strict=True) if v["tags"]]
    wanted += [(p.pk, by_email[e]["tags"]) for e, p in existing.items() if by_email[e]["tags"]]
    tag_people(run, batch, wanted)


def tag_people(run: Run, batch: Batch, wanted: list[tuple[int, list[str]]]) -> None:
    """Give each person their tags (creating tags Thrive does not have yet), remembering
    both for undo; a tag a person already has is left as it is."""
    if not wanted:
        return
    names = {n.casefold(): n for _, tags in wanted for n in tags}
    ids: dict[str, int] = {}
    for part in sink.chunks(list(names)):
        for pk, key in (
            Tag.objects.annotate(key=Lower("name")).filter(key__in=part).values_list("id", "key")
        ):
            ids.setdefault(key, pk)
    missing = [n for key, n in names.items() if key not in ids]
    if missing:
        new_ids = sink.reserve_ids(Tag, len(missing))
        sink.insert(Tag, ["id", "name"], list(zip(new_ids, missing, strict=True)))
        record_created(run, "tag", new_ids)
        ids.update({n.casefold(): pk for pk, n in zip(new_ids, missing, strict=True)})
        keys = [n.casefold() for n in missing]
        if run.seen is not None:  # a dry run: an earlier (rolled back) batch created it
            already = run.seen.find("tag", keys)
            keys = [k for k in keys if k not in already]
            run.seen.add("tag", keys)
        batch.add("tag", "created", len(keys))
    people = [pk for pk, _ in wanted]
    have: set[tuple[int, int]] = set()
    for part in sink.chunks(people):
        have.update(PersonTag.objects.filter(person_id__in=part).values_list("person_id", "tag_id"))
    actor_id = run.actor.pk if run.actor is not None else None
    links = []
    for person_id, tags in wanted:
        for name in tags:
            key = (person_id, ids[name.casefold()])
            if key not in have:
                have.add(key)
                links.append(key)
    if links:
        link_ids = sink.reserve_ids(PersonTag, len(links))
        sink.insert(
            PersonTag,
            ["id", "person_id", "tag_id", "added_at", "added_by_id"],
            [(pk, p, t, run.now, actor_id) for pk, (p, t) in zip(link_ids, links, strict=True)],
        )
        record_created(run, "persontag", link_ids)
        batch.add("tag", "added to people", len(links))


def _update_existing(run: Run, batch: Batch, pairs: list[tuple[Person, dict[str, Any]]]) -> None:
    if not pairs:
        return
    rule = run.job.merge_rule
    mine = created_by_this_import(run, (p.pk for p, _ in pairs))
    before: dict[int, dict[str, Any]] = {}
    changed_people: list[Person] = []
    fields: set[str] = set()
    consent_for: list[Person] = []
    notes: list[tuple[Any, ...]] = []
    stage_moves: list[tuple[Person, str]] = []
    actor_id = run.actor.pk if run.actor is not None else None
    for person, values in pairs:
        if person.pk in mine:
            batch.add("person", "merged")  # met again in a later batch of this file
        changes: dict[str, Any] = {}
        for name in (*PROFILE_FIELDS, "organization_id"):
            value = values.get(name)
            current = getattr(person, name)
            if value in ("", None) or value == current:
                continue
            if rule == MergeRule.OVERWRITE or current in ("", None):
                changes[name] = value
        seen = values.get("first_seen_at")
        if seen and seen < person.first_seen_at:
            changes["first_seen_at"] = seen
        if rule == MergeRule.OVERWRITE and values.get("stage") and values["stage"] != person.stage:
            stage_moves.append((person, values["stage"]))
        if values.get("email_consent"):
            consent_for.append(person)
        if not changes and not any(p is person for p, _ in stage_moves):
            if person.pk not in mine:
                batch.add("person", "unchanged")
            continue
        if person.pk not in mine:
            batch.add("person", "updated")
            before[person.pk] = {k: _snapshot(getattr(person, k)) for k in changes}
            if changes:
                notes.append(
                    (
                        person.pk,
                        ActivityKind.NOTE,
                        run.now,
                        run.now,
                        ActivityChannel.SYSTEM,
                        Direction.INTERNAL,
                        actor_id,
                        False,
                        f"Updated by import: {', '.join(sorted(changes))}"[:255],
                        {"import": run.job.pk, "fields": sorted(changes)},
                        run.ref,
                    )
                )
        for k, val in changes.items():
            setattr(person, k, val)
        if changes:
            changed_people.append(person)
            fields.update(changes)
    for person, _ in stage_moves:
        if person.pk not in mine:
            before.setdefault(person.pk, {})
            before[person.pk].update(
                stage=person.stage, stage_changed_at=_snapshot(person.stage_changed_at)
            )
    remember_before(run, "person", before)
    if changed_people:
        fields.add("updated_at")
        for person in changed_people:
            person.updated_at = run.now
        Person.objects.bulk_update(changed_people, sorted(fields), batch_size=500)
    for person, stage in stage_moves:
        # Rare (overwrite rule only): the model's own path writes history and timeline.
        lifecycle.imported(person, stage, actor=run.actor, note=run.note)
    insert_activities(notes)
    _grant_consents(run, batch, consent_for)


def _grant_consents(run: Run, batch: Batch, people: list[Person]) -> None:
    if not people:
        return
    ids = [p.pk for p in people]
    have: set[int] = set()
    for part in sink.chunks(ids):
        have.update(
            Consent.objects.filter(
                person_id__in=part,
                purpose=ConsentPurpose.EMAIL_MARKETING,
                withdrawn_at__isnull=True,
            ).values_list("person_id", flat=True)
        )
    # A withdrawn consent is never re-granted by an import: only the person can do that.
    withdrawn: set[int] = set()
    for part in sink.chunks(ids):
        withdrawn.update(
            Consent.objects.filter(
                person_id__in=part,
                purpose=ConsentPurpose.EMAIL_MARKETING,
                withdrawn_at__isnull=False,
            ).values_list("person_id", flat=True)
        )
    todo = [p for p in people if p.pk not in have and p.pk not in withdrawn]
    created = []
    actor_id = run.actor.pk if run.actor is not None else None
    activities = []
    for person in todo:
        consent = Consent.objects.create(
            person=person,
            purpose=ConsentPurpose.EMAIL_MARKETING,
            method=ConsentMethod.IMPORT,
            granted_at=run.now,
            source_text=f"Consent as recorded in {run.job.original_name}",
        )
        created.append(consent.pk)
        activities.append(_consent_entry(run, person.pk, run.now, actor_id))
    insert_activities(activities)
    record_created(run, "consent", created)
    batch.add("consent", "created", len(created))
    batch.add("consent", "kept withdrawn", len(withdrawn - have))
