"""Importing organizations: matched by name (any case), created or updated by the merge rule."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models.functions import Lower

from thrive.contacts.models import Organization

from . import sink
from .countries import country_code
from .engine import Batch, Row, Run, reject
from .models import MergeRule
from .people import record_created, remember_before
from .values import CellError, parse_count

LIMITS = {"name": 200, "domain": 200, "industry": 120, "city": 120}
FIELDS = ("domain", "website", "industry", "employees", "country", "city")


def _clean(run: Run, row: Row, batch: Batch) -> dict[str, Any] | None:
    v = row.values
    out: dict[str, Any] = {k: v.get(k, "") for k in ("name", "domain", "industry", "city")}
    problems: list[tuple[str, str]] = []
    if not out["name"]:
        problems.append(("name", "no name: organizations are matched by name"))
    for name, limit in LIMITS.items():
        if len(out[name]) > limit:
            problems.append((name, f"longer than {limit} characters"))
    website = v.get("website", "")
    if website and "://" not in website:
        website = f"https://{website}"
    if website:
        try:
            URLValidator()(website)
        except ValidationError:
            problems.append(("website", f"{v['website']!r} is not a web address"))
    out["website"] = website
    try:
        out["employees"] = parse_count(v.get("employees", ""))
    except CellError as exc:
        problems.append(("employees", str(exc)))
    country = v.get("country", "")
    code = country_code(country) if country else ""
    if code is None:
        problems.append(("country", f"{country!r} is not a country (use a code such as US)"))
    out["country"] = code or ""
    for name, reason in problems:
        reject(run, batch, row.number, name, reason)
    return None if problems else out


def check_organizations(run: Run, rows: list[Row], batch: Batch) -> dict[str, dict[str, Any]]:
    """The batch's valid rows as one organization's values per name (no database access)."""
    rule = run.job.merge_rule
    by_name: dict[str, dict[str, Any]] = {}
    for row in rows:
        values = _clean(run, row, batch)
        if values is None:
            continue
        key = values["name"].lower()
        if key in by_name:
            kept = by_name[key]
            for k, val in values.items():
                if val not in ("", None) and (rule == MergeRule.OVERWRITE or kept[k] in ("", None)):
                    kept[k] = val
            batch.add("organization", "merged")
        else:
            by_name[key] = values
    return by_name


def write_organizations(run: Run, by_name: dict[str, dict[str, Any]], batch: Batch) -> None:
    rule = run.job.merge_rule
    existing: dict[str, Organization] = {}
    for part in sink.chunks(list(by_name)):
        for found in (
            Organization.objects.annotate(key=Lower("name")).filter(key__in=part).order_by("-id")
        ):
            existing[found.key] = found
    new = [v for k, v in by_name.items() if k not in existing]
    if run.seen is not None:
        again = run.seen.find("organization", (v["name"].lower() for v in new))
        batch.add("organization", "merged", len(again))
        new = [v for v in new if v["name"].lower() not in again]
    ids = sink.reserve_ids(Organization, len(new))
    sink.insert(
        Organization,
        ["id", "created_at", "updated_at", "name", *FIELDS],
        [
            (pk, run.now, run.now, v["name"], *(v[f] for f in FIELDS))
            for pk, v in zip(ids, new, strict=True)
        ],
    )
    record_created(run, "organization", ids)
    batch.add("organization", "created", len(new))
    batch.created_organizations.extend(v["name"].lower() for v in new)
    before: dict[int, dict[str, Any]] = {}
    changed: list[Organization] = []
    for key, org in existing.items():
        values = by_name[key]
        changes = {
            f: values[f]
            for f in FIELDS
            if values[f] not in ("", None)
            and values[f] != getattr(org, f)
            and (rule == MergeRule.OVERWRITE or getattr(org, f) in ("", None))
        }
        if not changes:
            batch.add("organization", "unchanged")
            continue
        batch.add("organization", "updated")
        before[org.pk] = {f: getattr(org, f) for f in changes}
        for f, val in changes.items():
            setattr(org, f, val)
        org.updated_at = run.now
        changed.append(org)
    remember_before(run, "organization", before)
    Organization.objects.bulk_update(changed, [*FIELDS, "updated_at"], batch_size=500)
