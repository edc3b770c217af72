"""Turning one chunk's events into rows, mirroring what the services would have written.

Bulk inserts bypass ``Person.save`` and the services, so the timeline entries they would
have recorded are written here with the same kinds, subjects and data: a stage_change
activity for every StageChange (as ``Person._record_stage_change``), an order activity
for every order and refund or void (as ``record_order``/``refund_order``/``void_order``),
consent, tag and referral entries (as ``grant_consent``, ``add_tag``, ``record_referral``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from thrive.contacts.models import (
    Activity,
    Consent,
    Person,
    PersonRole,
    PersonTag,
    Referral,
    Stage,
    StageChange,
)

from . import catalog
from .b2b import slug
from .events import CAUSES, STAGE_NOTES, STAGES, TAG_NAMES, ChunkEvents
from .order_rows import write_orders, write_subscriptions
from .plan import Plan
from .population import CH, Group
from .writer import Writer

FIRST_SLUGS = [slug(n) for n in catalog.FIRST_NAMES]
LAST_SLUGS = [slug(n) for n in catalog.LAST_NAMES]
STAGE_LABELS = [Stage(s).label for s in STAGES]
# Columns written per table (the writer fills any other column with its model default).
PERSON_FIELDS = """id first_name last_name email phone organization job_title stage
stage_changed_at acquisition_channel acquisition_source first_seen_at time_zone country region
city custom_fields created_at updated_at""".split()
CONSENT_FIELDS = """person purpose granted_at method source_text source_url ip_address
withdrawn_at withdrawal_method""".split()
STAGE_FIELDS = "person from_stage to_stage changed_at cause actor note".split()
ACTIVITY_FIELDS = """person kind occurred_at recorded_at channel direction associate
duration_minutes automated subject body data ref""".split()


@dataclass
class Ids:
    """Primary keys the demo assigns (bases) or found (reference data)."""

    person: int
    org: int
    order: int
    channel: list[int]
    product: list[int]
    tag: list[int]
    staff: list[int]
    orders_written: int = 0
    # Where wholesale accounts come from: Luis's sales calls, not a marketing channel.
    sales_channel: int | None = None

    def staff_id(self, index: int) -> int | None:
        return None if index < 0 else self.staff[index]


@dataclass
class ChunkWriter:
    plan: Plan
    writer: Writer
    ids: Ids
    activities: list[tuple[Any, ...]] = field(default_factory=list)

    # -- people -----------------------------------------------------------------------
    def name(self, i: int) -> str:
        pp = self.plan.people
        if pp.group[i] == Group.STAFF:
            first, last, *_ = catalog.STAFF[i]
            return f"{first} {last}"
        return f"{catalog.FIRST_NAMES[pp.first[i]]} {catalog.LAST_NAMES[pp.last[i]]}"

    def email(self, i: int) -> str:
        pp, sizes = self.plan.people, self.plan.sizes
        group = pp.group[i]
        if group == Group.STAFF:
            return f"{catalog.STAFF[i][2]}@{catalog.BUSINESS_DOMAIN}"
        if group != Group.CUSTOMER:
            return self.plan.b2b.emails[i - sizes[0]]
        f, last = FIRST_SLUGS[pp.first[i]], LAST_SLUGS[pp.last[i]]
        local = catalog.EMAIL_STYLES[pp.style[i]].format(f=f, l=last, i=f[0])
        rank = int(pp.email_rank[i])
        return f"{local}{rank + 1 if rank else ''}@{catalog.EMAIL_DOMAINS[pp.domain[i]]}"

    def people(self, ev: ChunkEvents) -> None:
        plan, pp, w = self.plan, self.plan.people, self.writer
        lo, hi = ev.lo, ev.hi
        n_staff, n_vendors = plan.sizes[0], plan.sizes[1]
        stage = plan.stage_now(lo, hi)
        changed = np.full(hi - lo, -np.inf)
        np.maximum.at(changed, ev.sc_person - lo, ev.sc_t)
        # Staff have no stage history: their (unused) stage dates from when they joined.
        changed = np.where(np.isfinite(changed), changed, pp.first_seen[lo:hi])
        first_seen = w.times(pp.first_seen[lo:hi])
        changed_at = w.times(changed)
        rows, roles = [], []
        for j, i in enumerate(range(lo, hi)):
            group = int(pp.group[i])
            city, region, country, tz, area, _ = catalog.CITIES[pp.city[i]]
            org, title, channel, source = None, "", None, ""
            if group == Group.STAFF:
                first, last, _, _, title, _ = catalog.STAFF[i]
                city, region, country, tz, area, _ = catalog.HOME_CITIES[0]
                roles.append((i, "associate"))
            else:
                first, last = catalog.FIRST_NAMES[pp.first[i]], catalog.LAST_NAMES[pp.last[i]]
            if group == Group.VENDOR:
                o = int(plan.b2b.vendor_org[i - n_staff])
                title = catalog.VENDOR_TITLES[plan.b2b.vendor_title[i - n_staff]]
                roles.append((i, "vendor"))
            elif group == Group.PARTNER:
                k = i - n_staff - n_vendors
                o = int(plan.b2b.partner_org[k])
                title = catalog.PARTNER_TITLES[plan.b2b.partner_title[k]]
                roles.append((i, "partner"))
                channel = self.ids.sales_channel
                if plan.b2b.partner_referral[k]:
                    roles.append((i, "referral_partner"))
            if group in (Group.VENDOR, Group.PARTNER):
                org = self.ids.org + o
                city, region, country, tz, area, _ = catalog.CITIES[plan.b2b.orgs[o].city]
            elif group == Group.CUSTOMER:
                ch = int(pp.channel[i])
                channel = self.ids.channel[ch]
                texts = catalog.ACQUISITION_SOURCES[catalog.CHANNELS[ch].slug]
                source = texts[pp.source[i] % len(texts)]
                if ch == CH["partner"]:
                    source = self._partner_source(int(plan.referrer[i]), source)
            phone = f"+1{area}55501{pp.phone[i]:02d}" if pp.phone[i] >= 0 else ""
            rows.append(
                (
                    self.ids.person + i,
                    first,
                    last,
                    self.email(i),
                    phone,
                    org,
                    title,
                    STAGES[stage[j]],
                    changed_at[j],
                    channel,
                    source,
                    first_seen[j],
                    tz,
                    country,
                    region,
                    city,
                    self._custom_fields(i),
                    first_seen[j],
                    changed_at[j],
                )
            )
        w.insert(Person, PERSON_FIELDS, rows)
        since = w.dates(pp.first_seen[[i for i, _ in roles]]) if roles else []
        w.insert(
            PersonRole,
            ["person", "role", "since", "note"],
            [
                (self.ids.person + i, role, day, "")
                for (i, role), day in zip(roles, since, strict=True)
            ],
        )

    def _partner_source(self, referrer: int, fallback: str) -> str:
        if referrer < 0:
            return fallback
        k = referrer - self.plan.sizes[0] - self.plan.sizes[1]
        return f"Recommended by {self.plan.b2b.orgs[self.plan.b2b.partner_org[k]].name}"

    def _custom_fields(self, i: int) -> str:
        pp = self.plan.people
        if not pp.profile[i]:
            return "{}"
        values: dict[str, str] = {
            "favourite_roast": catalog.ROASTS[pp.roast[i]],
            "brew_method": catalog.BREW_METHODS[pp.brew[i]],
        }
        if pp.birthday[i] >= 0:
            values["birthday"] = str(np.datetime64(int(pp.birthday[i]), "D"))
        return json.dumps(values)

    # -- timeline helpers -------------------------------------------------------------
    def activity(
        self,
        person: int,
        kind: str,
        at: str,
        *,
        channel: str = "system",
        direction: str = "internal",
        associate: int | None = None,
        minutes: int | None = None,
        automated: bool = False,
        subject: str = "",
        body: str = "",
        data: str = "{}",
        ref: str = "",
    ) -> None:
        # recorded_at is set to when it happened: the demo back-fills a history.
        row = (self.ids.person + person, kind, at, at, channel, direction, associate, minutes,
               automated, subject, body, data, ref)  # fmt: skip
        self.activities.append(row)

    # -- stages -----------------------------------------------------------------------
    def stages(self, ev: ChunkEvents) -> None:
        w = self.writer
        at = w.times(ev.sc_t)
        rows = []
        for j, (p, frm, to, cause, staff) in enumerate(
            zip(
                ev.sc_person.tolist(),
                ev.sc_from.tolist(),
                ev.sc_to.tolist(),
                ev.sc_cause.tolist(),
                ev.sc_staff.tolist(),
                strict=True,
            )
        ):
            actor = self.ids.staff_id(staff)
            from_stage = STAGES[frm] if frm >= 0 else ""
            note = STAGE_NOTES.get((to, cause), "")
            rows.append(
                (self.ids.person + p, from_stage, STAGES[to], at[j], CAUSES[cause], actor, note)
            )
            subject = (
                f"{STAGE_LABELS[frm]} → {STAGE_LABELS[to]}"
                if frm >= 0
                else f"Became a {STAGE_LABELS[to].lower()}"
            )
            data = f'{{"from": "{from_stage}", "to": "{STAGES[to]}", "cause": "{CAUSES[cause]}"}}'
            self.activity(
                p,
                "stage_change",
                at[j],
                associate=actor,
                subject=subject,
                data=data,
                automated=CAUSES[cause] == "automation",
            )
        w.insert(StageChange, STAGE_FIELDS, rows)

    # -- consent, tags, referrals, interactions -----------------------------------------
    def consents(self, ev: ChunkEvents) -> None:
        w = self.writer
        granted, withdrawn = w.times(ev.c_t), w.optional_times(ev.c_withdrawn)
        rows = []
        for j, p in enumerate(ev.c_person.tolist()):
            method = "checkout" if ev.c_checkout[j] else "web_form"
            how = (
                ("unsubscribe" if ev.c_unsubscribe[j] else "preference_center")
                if withdrawn[j]
                else ""
            )
            rows.append(
                (
                    self.ids.person + p,
                    "email_marketing",
                    granted[j],
                    method,
                    catalog.CONSENT_TEXT[method],
                    catalog.CONSENT_URL[method],
                    ev.c_ip[j],
                    withdrawn[j],
                    how,
                )
            )
            self.activity(
                p,
                "consent_change",
                granted[j],
                direction="inbound",
                subject="Consented to email marketing",
                data=json.dumps(
                    {"purpose": "email_marketing", "action": "granted", "method": method}
                ),
            )
            withdrawal = withdrawn[j]
            if withdrawal is not None:
                self.activity(
                    p,
                    "consent_change",
                    withdrawal,
                    direction="inbound",
                    subject="Withdrew consent to email marketing",
                    data=json.dumps(
                        {"purpose": "email_marketing", "action": "withdrawn", "method": how}
                    ),
                )
        w.insert(Consent, CONSENT_FIELDS, rows)

    def tags(self, ev: ChunkEvents) -> None:
        w = self.writer
        at = w.times(ev.g_t)
        rows = []
        for j, (p, tag, staff) in enumerate(
            zip(ev.g_person.tolist(), ev.g_tag.tolist(), ev.g_staff.tolist(), strict=True)
        ):
            actor = self.ids.staff_id(staff)
            rows.append((self.ids.person + p, self.ids.tag[tag], at[j], actor))
            name = TAG_NAMES[tag]
            self.activity(
                p,
                "tag_change",
                at[j],
                associate=actor,
                subject=f"Tagged {name}",
                automated=actor is None,
                data=json.dumps({"tag": name, "action": "added"}),
            )
        w.insert(PersonTag, ["person", "tag", "added_at", "added_by"], rows)

    def referrals(self, ev: ChunkEvents) -> None:
        w, base = self.writer, self.ids.person
        at = w.times(ev.r_t)
        rows = []
        for j, (p, r) in enumerate(zip(ev.r_person.tolist(), ev.r_referrer.tolist(), strict=True)):
            rows.append((base + r, base + p, at[j], ""))
            data = f'{{"referrer": {base + r}, "referred": {base + p}}}'
            self.activity(
                r,
                "referral",
                at[j],
                direction="inbound",
                data=data,
                subject=f"Referred {self.name(p)}",
            )
            self.activity(
                p,
                "referral",
                at[j],
                direction="inbound",
                data=data,
                subject=f"Referred by {self.name(r)}",
            )
        w.insert(Referral, ["referrer", "referred", "referred_at", "note"], rows)

    def interactions(self, ev: ChunkEvents) -> None:
        at = self.writer.times(ev.a_t)
        for j, (p, topic, staff, minutes) in enumerate(
            zip(
                ev.a_person.tolist(),
                ev.a_topic.tolist(),
                ev.a_staff.tolist(),
                ev.a_minutes.tolist(),
                strict=True,
            )
        ):
            _, kind, channel, direction, subject, *_ = catalog.INTERACTIONS[topic]
            actor = self.ids.staff_id(staff)
            self.activity(
                p,
                kind,
                at[j],
                channel=channel,
                direction=direction,
                associate=actor,
                minutes=minutes if minutes >= 0 else None,
                automated=actor is None,
                subject=subject,
            )

    def write(self, ev: ChunkEvents) -> None:
        """Write the chunk: parents before children, the timeline last, oldest first."""
        self.activities = []
        self.people(ev)
        write_orders(self, ev)
        write_subscriptions(self, ev)
        self.consents(ev)
        self.tags(ev)
        self.stages(ev)
        self.referrals(ev)
        self.interactions(ev)
        # Within a chunk the log's ids follow time, as they would have been appended.
        self.activities.sort(key=lambda row: row[2])
        self.writer.insert(Activity, ACTIVITY_FIELDS, self.activities)
        self.activities = []
