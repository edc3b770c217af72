"""Writing the planned demo business into the database, chunk by chunk.

Reference data (channels, products, tags, custom fields, pipeline stages, associates,
organizations) goes in first; then every chunk of people is written in its own
transaction with everything that happened to them; deals, marketing spend and the owner's
password come last, so a demo with a usable owner password is a finished demo.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import F, Q, Sum
from tqdm import tqdm

from thrive.accounts.models import Associate
from thrive.commerce.models import (
    REVENUE_STATUSES,
    Deal,
    DealStage,
    MarketingSpend,
    Order,
    OrderLine,
    Product,
    Subscription,
)
from thrive.contacts.models import (
    AcquisitionChannel,
    Activity,
    Consent,
    CustomFieldDefinition,
    Organization,
    Person,
    PersonRole,
    PersonTag,
    Referral,
    StageChange,
    Tag,
)
from thrive.core.bulk import analyze_after_bulk_write, sqlite_bulk_session

from . import catalog
from .events import chunk_events
from .extras import finish_demo
from .plan import Config, Plan, make_plan
from .rows import ChunkWriter, Ids
from .writer import Writer, next_id

OWNER = "maya"
DEMO_USERNAMES = [row[2] for row in catalog.STAFF]
SIGNIN_FILE = "demo-signin.txt"
# Apps whose tables are not the business's data: never flushed by --reset.
SYSTEM_APPS = frozenset(
    {
        "admin",
        "auth",
        "contenttypes",
        "sessions",
        "messages",
        "staticfiles",
        "humanize",
        "django_tasks_db",
        "accounts",
        "core",
        "demo",
    }
)


@dataclass(frozen=True)
class BuildResult:
    password: str
    signin: str
    seconds: float
    plan: Plan


def signin_path() -> Path:
    return Path(settings.DATA_DIR) / SIGNIN_FILE


def owner_email() -> str:
    return f"{OWNER}@{catalog.BUSINESS_DOMAIN}"


def demo_state() -> str:
    """``none`` (no people), ``complete``, ``incomplete`` (a build stopped half-way) or
    ``other`` (people who are not the demo's)."""
    owner = Person.objects.filter(email=owner_email()).first()
    if owner is None:
        return "other" if Person.objects.exists() else "none"
    account = Associate.objects.filter(username=OWNER, person=owner).first()
    return "complete" if account is not None and account.has_usable_password() else "incomplete"


def saved_signin() -> str | None:
    try:
        return signin_path().read_text().splitlines()[0]
    except (OSError, IndexError):
        return None


def _business_models() -> list[type[models.Model]]:
    """Every model holding business data, each listed before the models it points at."""
    candidates = {
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label not in SYSTEM_APPS and m._meta.managed and not m._meta.proxy
    }
    points_at = {
        m: {
            f.related_model
            for f in m._meta.concrete_fields
            if f.is_relation and f.related_model in candidates and f.related_model is not m
        }
        for m in candidates
    }
    ordered: list[type[models.Model]] = []
    remaining = set(candidates)
    while remaining:
        free = [m for m in remaining if not any(m in points_at[o] for o in remaining - {m})]
        free = free or list(remaining)  # a cycle: constraints are checked at commit anyway
        free.sort(key=lambda m: m._meta.label)
        ordered.extend(free)
        remaining -= set(free)
    return ordered


def flush_business_data() -> None:
    """Delete all business data (people, orders, activities… in every domain app).

    Associates keep their accounts, unlinked from any person; the next build reuses the
    demo's own accounts (and gives the owner a new password).

    Plain DELETE statements: the activity log refuses ORM deletes by design, and the
    ORM's cascade collector would load a million people into memory.
    """
    qn = connection.ops.quote_name
    with transaction.atomic():
        Associate.objects.exclude(person=None).update(person=None)
        existing = set(connection.introspection.table_names())
        with connection.cursor() as cursor:
            for model in _business_models():
                if model._meta.db_table not in existing:
                    continue  # a model whose migration has not been applied holds nothing
                cursor.execute(f"DELETE FROM {qn(model._meta.db_table)}")  # noqa: S608 - model meta


AUTO_KEYS = frozenset({"AutoField", "BigAutoField", "SmallAutoField"})


def _restart_ids() -> None:
    """Ids from 1 again in every empty business table (``--reset`` leaves SQLite's and
    PostgreSQL's counters where they were): the same seed then gives the same ids, and
    what is keyed by an id (a campaign's A/B split and holdout) is the same too."""
    existing = set(connection.introspection.table_names())
    empty = [
        {"table": m._meta.db_table, "column": m._meta.pk.column}
        for m in _business_models()
        if m._meta.db_table in existing
        and m._meta.pk.get_internal_type() in AUTO_KEYS
        and not m._base_manager.exists()
    ]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_by_name_sql(no_style(), empty):
            cursor.execute(sql)


def _aware(plan: Plan, t: float) -> dt.datetime:
    return plan.cal.start_utc + dt.timedelta(seconds=int(plan.cal.seconds(np.array([t]))[0]))


def _reference_data(plan: Plan) -> Ids:
    """Channels, products, tags, custom fields, deal stages and associates (small: ORM)."""
    channels = [
        AcquisitionChannel.objects.update_or_create(
            slug=c.slug, defaults={"name": c.name, "is_paid": c.is_paid}
        )[0].pk
        for c in catalog.CHANNELS
    ]
    slug, name = catalog.SALES_CHANNEL
    sales = AcquisitionChannel.objects.update_or_create(
        slug=slug, defaults={"name": name, "is_paid": False}
    )[0].pk
    products = [
        Product.objects.update_or_create(
            sku=p.sku,
            defaults={
                "name": p.name,
                "category": p.category,
                "price": Decimal(p.price_cents) / 100,
                "currency": "USD",
                "is_subscription": p.is_subscription,
                "active": not p.seasonal or plan.cal.as_of.month in (11, 12),
            },
        )[0].pk
        for p in catalog.PRODUCTS
    ]
    Product.objects.filter(pk__in=products).update(created_at=plan.cal.start_utc)
    tags = []
    for name, colour in catalog.TAGS:
        tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(
            name=name, color=colour
        )
        tags.append(tag.pk)
    for key, label, kind, choices, help_text in catalog.CUSTOM_FIELDS:
        CustomFieldDefinition.objects.update_or_create(
            entity="person",
            key=key,
            defaults={
                "label": label,
                "field_type": kind,
                "choices": choices,
                "help_text": help_text,
            },
        )
    for name, position, probability, won, lost in catalog.DEAL_STAGES:
        DealStage.objects.update_or_create(
            name=name,
            defaults={
                "position": position,
                "probability": Decimal(probability),
                "is_won": won,
                "is_lost": lost,
            },
        )
    staff = []
    for i, (first, last, username, role, _, _) in enumerate(catalog.STAFF):
        email = f"{username}@{catalog.BUSINESS_DOMAIN}"
        account = Associate.objects.filter(username=username).first() or Associate(
            username=username
        )
        if account.pk is not None and account.email != email:
            raise ValueError(
                f"The username {username!r} is taken by an associate who is not "
                "part of the demo; rename them or use another database."
            )
        account.first_name, account.last_name, account.email = first, last, email
        account.role, account.time_zone = role, catalog.HOME_CITIES[0][3]
        account.date_joined = _aware(plan, plan.b2b.staff_t[i])
        account.is_active = True
        # Until the build finishes nobody can sign in: the owner's password comes last.
        account.set_unusable_password()
        account.save()
        staff.append(account.pk)
    return Ids(
        person=next_id(Person),
        org=next_id(Organization),
        order=next_id(Order),
        channel=channels,
        product=products,
        tag=tags,
        staff=staff,
        sales_channel=sales,
    )


def _organizations(plan: Plan, writer: Writer, ids: Ids) -> None:
    b2b = plan.b2b
    contacts = np.concatenate([b2b.vendor_org, b2b.partner_org])
    met = np.concatenate([b2b.vendor_t, b2b.partner_t])
    first_met = np.full(len(b2b.orgs), np.inf)
    np.minimum.at(first_met, contacts, met)
    created = writer.times(np.where(np.isfinite(first_met), first_met, 0.0))
    writer.insert(
        Organization,
        [
            "id",
            "name",
            "domain",
            "industry",
            "employees",
            "website",
            "country",
            "city",
            "custom_fields",
            "created_at",
            "updated_at",
        ],
        [
            (
                ids.org + o,
                org.name,
                org.domain,
                org.industry,
                org.employees,
                f"https://{org.domain}",
                catalog.CITIES[org.city][2],
                catalog.CITIES[org.city][0],
                "{}",
                created[o],
                created[o],
            )
            for o, org in enumerate(b2b.orgs)
        ],
    )


def _deals(plan: Plan, writer: Writer, ids: Ids) -> None:
    b2b = plan.b2b
    stages = {s.name: s.pk for s in DealStage.objects.all()}
    stage_ids = [stages[name] for name, *_ in catalog.DEAL_STAGES]
    luis = catalog.STAFF_INDEX["luis"]
    created, closed = writer.times(b2b.deal_created_t), writer.optional_times(b2b.deal_closed_t)
    expected = writer.dates(b2b.deal_expected_t)
    value = writer.money(b2b.deal_value_cents)
    rows = []
    for d in range(b2b.deal_org.size):
        owner = luis if b2b.deal_created_t[d] >= b2b.staff_t[luis] else 0
        org = b2b.orgs[b2b.deal_org[d]]
        rows.append(
            (
                f"{org.name}: {catalog.DEAL_TOPICS[b2b.deal_topic[d]]}",
                ids.person + int(b2b.deal_person[d]),
                ids.org + int(b2b.deal_org[d]),
                ids.staff[owner],
                stage_ids[b2b.deal_stage[d]],
                value[d],
                "USD",
                None,
                expected[d],
                closed[d],
                created[d],
                closed[d] or created[d],
            )
        )
    writer.insert(
        Deal,
        [
            "title",
            "person",
            "organization",
            "owner",
            "stage",
            "value",
            "currency",
            "probability",
            "expected_close",
            "closed_at",
            "created_at",
            "updated_at",
        ],
        rows,
    )


def _spend(plan: Plan, ids: Ids) -> None:
    notes = {
        "paid_search": "Search ads",
        "social_ads": "Social ads",
        "events": "Market stall fees, samples and festival booths",
    }
    channel = {c.slug: ids.channel[k] for k, c in enumerate(catalog.CHANNELS)}
    MarketingSpend.objects.bulk_create(
        [
            MarketingSpend(
                channel_id=channel[slug],
                month=month,
                amount=Decimal(cents) / 100,
                currency="USD",
                note=notes.get(slug, ""),
            )
            for slug, month, cents in plan.spend
        ],
        batch_size=1000,
    )


def _write_signin(text: str) -> None:
    path = signin_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")
    os.chmod(path, 0o600)  # an older file keeps its mode on open(); this one holds a password


def build_demo(cfg: Config, *, progress: bool = True) -> BuildResult:
    """Build the demo described by ``cfg`` into an empty database (see flush_business_data).

    Returns the owner's new password and the sign-in line, also saved (mode 0600) in
    ``<DATA_DIR>/demo-signin.txt``.
    """
    started = time.monotonic()
    plan = make_plan(cfg)
    writer = Writer(plan.cal)
    with transaction.atomic():
        _restart_ids()
        ids = _reference_data(plan)
        _organizations(plan, writer, ids)
    chunks = ChunkWriter(plan, writer, ids)
    with (
        sqlite_bulk_session(),
        tqdm(
            total=cfg.people,
            unit=" people",
            desc="Building the demo",
            file=sys.stderr,
            disable=not progress,
            smoothing=0.1,
        ) as bar,
    ):
        for chunk in range(plan.n_chunks):
            events = chunk_events(plan, chunk)
            with transaction.atomic():
                chunks.write(events)
            bar.update(events.hi - events.lo)
    password = secrets.token_urlsafe(12)
    with transaction.atomic():
        _deals(plan, writer, ids)
        _spend(plan, ids)
        for i, account in enumerate(ids.staff):
            Associate.objects.filter(pk=account).update(person_id=ids.person + i)
        writer.reset_sequences()
        owner = Associate.objects.get(pk=ids.staff[0])
        owner.set_password(password)
        owner.save(update_fields=["password"])
    # The finishing queries (segments, first win-backs) must not be planned on tables
    # PostgreSQL still takes for empty.
    analyze_after_bulk_write()
    finish_demo(OWNER, say=(lambda line: print(line, file=sys.stderr, flush=True)) if progress
                else (lambda line: None))  # fmt: skip
    # No address: `thrive serve` prints the one it listens on (the port may be any).
    signin = f"Sign in as {OWNER} / {password}"
    _write_signin(signin)
    return BuildResult(password, signin, time.monotonic() - started, plan)


def describe() -> dict[str, Any]:
    """Counts for the summary printed after a build."""
    by_stage = dict(Person.objects.values_list("stage").annotate(n=models.Count("id")))
    by_role = dict(PersonRole.objects.values_list("role").annotate(n=models.Count("id")))
    kept = Order.objects.filter(status__in=REVENUE_STATUSES)
    revenue = dict(
        kept.values_list("currency").annotate(net=Sum(F("total") - F("refunded"))).order_by()
    )
    return {
        "people": Person.objects.count(),
        "stages": by_stage,
        "roles": by_role,
        "orders": Order.objects.count(),
        "revenue": revenue,
        "activities": Activity.objects.count(),
        "stage_changes": StageChange.objects.count(),
        "subscriptions": Subscription.objects.count(),
        "active_subscriptions": Subscription.objects.filter(ended_on=None).count(),
        "deals": Deal.objects.count(),
        "referrals": Referral.objects.count(),
        "organizations": Organization.objects.count(),
    }


def _cents(value: Decimal | None) -> str:
    # SQLite sums decimals as floats: rounding to cents makes builds comparable everywhere.
    return str(Decimal(value or 0).quantize(Decimal("0.01")))


def fingerprint() -> dict[str, Any]:
    """What makes two builds the same business: row counts, money sums (to the cent, so
    SQLite and PostgreSQL builds compare equal), and a hash of every (email, stage) pair."""
    counted = [Person, PersonRole, Organization, StageChange, Activity, Consent, PersonTag,
               Referral, Order, OrderLine, Subscription, Deal, MarketingSpend]  # fmt: skip
    digest = hashlib.sha256()
    pairs = Person.objects.order_by("email").values_list("email", "stage")
    for email, stage in pairs.iterator(chunk_size=20_000):
        digest.update(f"{email}|{stage}\n".encode())
    orders = Order.objects.aggregate(total=Sum("total"), refunded=Sum("refunded"))
    return {
        "counts": {m._meta.label: m._default_manager.count() for m in counted},
        "order_total": _cents(orders["total"]),
        "order_refunded": _cents(orders["refunded"]),
        "line_total": _cents(OrderLine.objects.aggregate(s=Sum("line_total"))["s"]),
        "spend": _cents(MarketingSpend.objects.aggregate(s=Sum("amount"))["s"]),
        "withdrawn": Consent.objects.filter(~Q(withdrawn_at=None)).count(),
        "people": digest.hexdigest(),
    }
