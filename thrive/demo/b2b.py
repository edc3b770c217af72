"""Planning the roastery's business relationships: staff, vendors, partner cafés, the
wholesale pipeline and the wholesale orders of the cafés that signed. Pure numpy.

These groups are small (about 1% of the people each), so they are planned in one piece
from their own random stream.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from . import catalog
from .timeline import MONTH_DAYS, Calendar

INF = np.inf
# Share of partner contacts who also send customers our way (the referral_partner role).
REFERRAL_PARTNER_SHARE = 0.4
WHOLESALE_GAP_DAYS = 14.0
WHOLESALE_CHURN = 0.2


@dataclass(frozen=True, slots=True)
class Org:
    name: str
    domain: str
    industry: str
    city: int  # index into catalog.CITIES
    employees: int
    kind: str  # vendor / partner


@dataclass
class B2BPlan:
    """Indices ``*_person`` are global person indices; ``t`` values are plan days."""

    staff_t: np.ndarray
    vendor_t: np.ndarray
    vendor_org: np.ndarray
    vendor_title: np.ndarray
    partner_t: np.ndarray
    partner_org: np.ndarray
    partner_title: np.ndarray
    partner_referral: np.ndarray  # bool: also a referral partner
    partner_prospect_t: np.ndarray  # when their deal opened (inf: never)
    partner_alive: np.ndarray  # still ordering wholesale at the end
    orgs: list[Org]
    emails: list[str]  # vendors then partners
    deal_org: np.ndarray
    deal_person: np.ndarray
    deal_stage: np.ndarray  # index into catalog.DEAL_STAGES
    deal_value_cents: np.ndarray
    deal_created_t: np.ndarray
    deal_closed_t: np.ndarray  # inf while open
    deal_expected_t: np.ndarray
    deal_topic: np.ndarray
    ws_person: np.ndarray  # wholesale orders, sorted by person then time
    ws_t: np.ndarray
    ws_line_order: np.ndarray  # index into ws_person/ws_t
    ws_line_product: np.ndarray
    ws_line_qty: np.ndarray
    act_person: np.ndarray  # interactions with vendors and partners
    act_t: np.ndarray
    act_topic: np.ndarray  # index into catalog.INTERACTIONS


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", ascii_text.lower())


def _org_names(
    count: int, kind: str, rng: np.random.Generator, taken: set[str]
) -> list[tuple[str, str, int]]:
    """``count`` distinct (name, industry, city) for vendors or partner businesses."""
    sizes = catalog.N_VENDOR_NAMES if kind == "vendor" else catalog.N_CAFE_NAMES
    namer = catalog.vendor_name if kind == "vendor" else catalog.cafe_name
    home = len(catalog.HOME_CITIES)
    out: list[tuple[str, str, int]] = []
    firsts, kinds = rng.integers(0, sizes[0], count), rng.integers(0, sizes[1], count)
    # Partner businesses are local (they pour our coffee); vendors are anywhere in the US.
    cities = (
        rng.integers(0, home, count)
        if kind == "partner"
        else rng.integers(home, home + len(catalog.US_CITIES), count)
    )
    for first, kind_index, city in zip(
        firsts.tolist(), kinds.tolist(), cities.tolist(), strict=True
    ):
        name, industry = namer(first, kind_index)
        if name in taken:
            name = f"{name} {catalog.CITIES[city][0]}"
        number = 2
        base = name
        while name in taken:
            name, number = f"{base} {number}", number + 1
        taken.add(name)
        out.append((name, industry, city))
    return out


def _contacts(n: int, n_orgs: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Assign ``n`` people to ``n_orgs`` organizations: the first person of each is its
    primary contact, the rest join random organizations. Returns (org, is_primary)."""
    org = np.concatenate([np.arange(n_orgs), rng.integers(0, n_orgs, n - n_orgs)])
    primary = np.zeros(n, dtype=bool)
    primary[:n_orgs] = True
    return org.astype(np.int32), primary


def _emails(first: np.ndarray, last: np.ndarray, domains: list[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for f, lname, domain in zip(first.tolist(), last.tolist(), domains, strict=True):
        base = f"{slug(catalog.FIRST_NAMES[f])}.{slug(catalog.LAST_NAMES[lname])}"
        email, number = f"{base}@{domain}", 2
        while email in seen:
            email, number = f"{base}{number}@{domain}", number + 1
        seen.add(email)
        out.append(email)
    return out


def plan_b2b(
    cal: Calendar,
    rng: np.random.Generator,
    vendor_lo: int,
    n_vendors: int,
    partner_lo: int,
    n_partners: int,
    first: np.ndarray,
    last: np.ndarray,
) -> B2BPlan:
    """Plan staff join dates, vendors, partners, deals, wholesale orders and interactions.

    ``first``/``last`` are the global name-index arrays (read for the contacts' emails).
    """
    days = cal.days
    staff_t = np.array([months * MONTH_DAYS + 0.01 for *_, months in catalog.STAFF])

    n_vendor_orgs = max(3, round(n_vendors * 0.5))
    n_partner_orgs = min(n_partners, max(4, round(n_partners * 0.8)))
    taken: set[str] = set()
    vendor_names = _org_names(n_vendor_orgs, "vendor", rng, taken)
    partner_names = _org_names(n_partner_orgs, "partner", rng, taken)
    employees = rng.integers(3, 60, n_vendor_orgs + n_partner_orgs)
    orgs = [
        Org(name, f"{slug(name)}.example", industry, city, int(staff), kind)
        for (name, industry, city), staff, kind in zip(
            vendor_names + partner_names,
            employees.tolist(),
            ["vendor"] * n_vendor_orgs + ["partner"] * n_partner_orgs,
            strict=True,
        )
    ]

    vendor_org, _ = _contacts(n_vendors, n_vendor_orgs, rng)
    vendor_t = rng.uniform(0.0, 0.6 * days, n_vendors)
    vendor_title = rng.integers(0, len(catalog.VENDOR_TITLES), n_vendors)
    partner_org, primary = _contacts(n_partners, n_partner_orgs, rng)
    partner_t = rng.uniform(0.0, 0.97 * days, n_partners)
    partner_title = rng.integers(0, len(catalog.PARTNER_TITLES), n_partners)
    partner_referral = rng.random(n_partners) < REFERRAL_PARTNER_SHARE
    partner_referral[: min(3, n_partners)] = True  # a few always exist, however small the demo
    partner_org = partner_org + n_vendor_orgs  # index into the combined org list

    domains = [orgs[o].domain for o in vendor_org.tolist() + partner_org.tolist()]
    people = np.r_[
        np.arange(vendor_lo, vendor_lo + n_vendors), np.arange(partner_lo, partner_lo + n_partners)
    ]
    emails = _emails(first[people], last[people], domains)

    # One deal per partner business, opened soon after we met its primary contact.
    primaries = np.flatnonzero(primary)
    n_deals = primaries.size
    created = np.minimum(partner_t[primaries] + rng.uniform(0.5, 20.0, n_deals), days - 0.5)
    outcome = rng.random(n_deals)
    closed = created + rng.uniform(14.0, 120.0, n_deals)
    is_closed = (outcome < 0.7) & (closed < days)
    won = is_closed & (outcome < 0.45)
    age = days - created
    open_stage = np.minimum(rng.integers(0, 4, n_deals), (age // 15).astype(np.int64))
    stage = np.where(won, 4, np.where(is_closed, 5, np.clip(open_stage, 0, 3)))
    closed = np.where(is_closed, closed, INF)
    expected = np.where(is_closed, closed, days + rng.uniform(7.0, 75.0, n_deals))
    value = np.round(rng.lognormal(np.log(9000.0), 0.6, n_deals), -2).astype(np.int64) * 100
    value = np.maximum(value, 100_000)
    topic = rng.integers(0, len(catalog.DEAL_TOPICS), n_deals)
    prospect_t = np.full(n_partners, INF)
    prospect_t[primaries] = created

    # Wholesale: cafés that signed order every couple of weeks; some stop after a while.
    ws_person_parts, ws_t_parts = [], []
    alive = np.zeros(n_partners, dtype=bool)
    for d in np.flatnonzero(won).tolist():
        start = closed[d] + rng.uniform(2.0, 10.0)
        stop = start + rng.exponential(300.0) if rng.random() < WHOLESALE_CHURN else INF
        gaps = rng.gamma(6.0, WHOLESALE_GAP_DAYS / 6.0, int(days / 4) + 2)
        times = start + np.concatenate([[0.0], np.cumsum(gaps)])
        times = times[(times < days) & (times < stop)]
        if times.size:
            ws_person_parts.append(np.full(times.size, partner_lo + primaries[d]))
            ws_t_parts.append(times)
            alive[primaries[d]] = stop == INF
    ws_person = np.concatenate(ws_person_parts) if ws_person_parts else np.zeros(0, np.int64)
    ws_t = np.concatenate(ws_t_parts) if ws_t_parts else np.zeros(0)
    lines = _wholesale_lines(cal, ws_t, rng)

    act = _interactions(
        cal,
        rng,
        vendor_lo,
        vendor_t,
        partner_lo,
        primaries,
        created,
        closed,
        stage,
        won,
        ws_person,
        ws_t,
    )
    return B2BPlan(
        staff_t=staff_t,
        vendor_t=vendor_t,
        vendor_org=vendor_org,
        vendor_title=vendor_title,
        partner_t=partner_t,
        partner_org=partner_org,
        partner_title=partner_title,
        partner_referral=partner_referral,
        partner_prospect_t=prospect_t,
        partner_alive=alive,
        orgs=orgs,
        emails=emails,
        deal_org=partner_org[primaries],
        deal_person=partner_lo + primaries,
        deal_stage=stage,
        deal_value_cents=value,
        deal_created_t=created,
        deal_closed_t=closed,
        deal_expected_t=expected,
        deal_topic=topic,
        ws_person=ws_person,
        ws_t=ws_t,
        ws_line_order=lines[0],
        ws_line_product=lines[1],
        ws_line_qty=lines[2],
        act_person=act[0],
        act_t=act[1],
        act_topic=act[2],
    )


def _wholesale_lines(
    cal: Calendar, ws_t: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lines of the wholesale orders: 5 lb bags, more cold brew in summer."""
    skus = ["KC-WS-HSE", "KC-WS-ESP", "KC-WS-DEC", "KC-WS-SOM", "KC-WS-CBC"]
    summer = np.isin(cal.day_calmonth[cal.day_index(ws_t)], [5, 6, 7])
    chance = np.array([0.9, 0.75, 0.3, 0.35, 0.1])
    take = rng.random((ws_t.size, len(skus))) < chance
    take[:, 4] |= summer & (rng.random(ws_t.size) < 0.5)
    take[~take.any(axis=1), 0] = True
    order, which = np.nonzero(take)
    product = np.array([catalog.SKU_INDEX[s] for s in skus])[which]
    qty = rng.integers(2, 9, order.size)
    return order.astype(np.int64), product.astype(np.int64), qty.astype(np.int64)


def _interactions(
    cal: Calendar,
    rng: np.random.Generator,
    vendor_lo: int,
    vendor_t: np.ndarray,
    partner_lo: int,
    primaries: np.ndarray,
    created: np.ndarray,
    closed: np.ndarray,
    stage: np.ndarray,
    won: np.ndarray,
    ws_person: np.ndarray,
    ws_t: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Meetings, calls, proposals and reviews with partners; calls and visits with vendors."""
    idx = catalog.INTERACTION_INDEX
    days = cal.days
    person: list[int] = []
    when: list[float] = []
    topic: list[int] = []

    def add(p: int, t: float, key: str) -> None:
        if t < days:
            person.append(p)
            when.append(t)
            topic.append(idx[key])

    steps = ["intro", "tasting", "proposal", "negotiation"]
    last_order = {int(p): float(t) for p, t in zip(ws_person, ws_t, strict=True)}
    for d, p in enumerate(primaries.tolist()):
        who = partner_lo + p
        reached = 3 if np.isfinite(closed[d]) else int(stage[d])
        end = closed[d] if np.isfinite(closed[d]) else days
        for k in range(reached + 1):
            add(who, created[d] + (end - created[d]) * k / (reached + 1.5) + 0.02, steps[k])
        if won[d]:
            add(who, closed[d] + 0.05, "won")
            until = last_order.get(who, closed[d])
            t = closed[d] + 91.0
            while t < until:
                add(who, t, "review")
                if t + 45.0 < until:
                    add(who, t + 45.0, "check_in")
                t += 91.0
    for v, t0 in enumerate(vendor_t.tolist()):
        t = t0 + rng.exponential(20.0)
        while t < days:
            add(vendor_lo + v, t, VENDOR_KEYS[rng.integers(0, len(VENDOR_KEYS))])
            t += rng.exponential(110.0) + 5.0
    return (
        np.array(person, dtype=np.int64),
        np.array(when, dtype=np.float64),
        np.array(topic, dtype=np.int64),
    )


VENDOR_KEYS = catalog.VENDOR_INTERACTIONS
