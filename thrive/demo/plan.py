"""The demo business planned with numpy alone: who exists, when they buy, how they move
through the lifecycle. No database and no Django.

Every per-person parameter is drawn once for the whole population (population.py), so the
result never depends on chunking; the purchase process is then simulated per fixed-size
chunk of people with its own generator (seed, stream, chunk number), which is how the
builder can replay any chunk without keeping every order in memory. Here the chunks are
summarised into the lifecycle: when each person became a prospect, client, advocate or
lost customer, who referred whom, and what each paid channel cost per month.

The repeat-purchase process is the BG/NBD story (Fader, Hardie & Lee 2005, "Counting your
customers the easy way"): while alive, a customer buys at their own Poisson rate
λ ~ Gamma; after each purchase they drop out with their own probability p ~ Beta. Monthly
seasonality is added by thinning (Lewis & Shedler 1979): candidate purchases at rate
λ·max(season) are kept with probability season(t)/max(season).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from . import catalog
from .b2b import B2BPlan, plan_b2b
from .population import CH, Group, People, plan_people
from .purchases import order_times
from .timeline import (
    STREAM_B2B,
    STREAM_REFERRALS,
    STREAM_SPEND,
    Calendar,
    make_calendar,
    rng_for,
)

INF = np.inf
CHUNK = 20_000
MIN_PEOPLE = 200
MAX_PEOPLE = 2_000_000
ADVOCATE_AFTER_ORDERS = 6
LOST_AFTER_DAYS = 180.0


@dataclass(frozen=True)
class Config:
    seed: int
    people: int
    as_of: dt.date

    def __post_init__(self) -> None:
        if not MIN_PEOPLE <= self.people <= MAX_PEOPLE:
            raise ValueError(f"people must be between {MIN_PEOPLE} and {MAX_PEOPLE}")


@dataclass
class Plan:
    cfg: Config
    cal: Calendar
    sizes: tuple[int, int, int, int]  # staff, vendors, partners, customers
    people: People
    b2b: B2BPlan
    # From the purchase process (every kind of order).
    n_orders: np.ndarray
    first_order: np.ndarray
    last_order: np.ndarray
    alive: np.ndarray  # still buying (or subscribed, or ordering wholesale) at the end
    # Lifecycle (inf: never).
    prospect_at: np.ndarray
    client_at: np.ndarray
    advocate_at: np.ndarray
    advocate_manual: np.ndarray  # True: an associate marked them, else an automation
    lost_at: np.ndarray
    referrer: np.ndarray  # -1: nobody
    spend: list[tuple[str, dt.date, int]]  # (channel slug, month, cents)
    unmatched_referrals: int

    @property
    def n(self) -> int:
        return self.cfg.people

    @property
    def n_chunks(self) -> int:
        return -(-self.n // CHUNK)

    def bounds(self, chunk: int) -> tuple[int, int]:
        return chunk * CHUNK, min(self.n, (chunk + 1) * CHUNK)

    def stage_now(self, lo: int = 0, hi: int | None = None) -> np.ndarray:
        """Final stage of people lo..hi: 0 suspect, 1 prospect, 2 client, 3 advocate, 4 lost."""
        hi = self.n if hi is None else hi
        stage = np.zeros(hi - lo, dtype=np.int8)
        for code, at in (
            (1, self.prospect_at),
            (2, self.client_at),
            (3, self.advocate_at),
            (4, self.lost_at),
        ):
            stage[np.isfinite(at[lo:hi])] = code
        return stage


def group_sizes(people: int) -> tuple[int, int, int, int]:
    staff = len(catalog.STAFF)
    vendors = max(6, round(people * 0.01))
    partners = max(6, round(people * 0.01))
    return staff, vendors, partners, people - staff - vendors - partners


def _referrers(
    plan_people: People,
    sizes: tuple[int, ...],
    b2b: B2BPlan,
    client_at: np.ndarray,
    lost_at: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, int]:
    """Pick who referred each referral- and partner-channel customer.

    A friend is a customer who was a client (not yet lost) at least a day before the
    referred person first showed up, chosen in proportion to their keenness; a partner
    café's contact is a referral partner we already knew. People nobody could have
    referred at that time are re-labelled as direct traffic. Returns (referrer, unmatched).
    """
    people = plan_people
    n_staff, n_vendors, n_partners, _ = sizes
    t = people.first_seen
    referrer = np.full(t.size, -1, dtype=np.int64)

    candidates = np.flatnonzero((people.group == Group.CUSTOMER) & np.isfinite(client_at))
    candidates = candidates[np.argsort(client_at[candidates], kind="stable")]
    since = client_at[candidates]
    keen = np.cumsum(people.ref_weight[candidates])
    todo = np.flatnonzero(people.channel == CH["referral"])
    for _ in range(12):  # a few redraws when the pick has since been lost
        if not todo.size:
            break
        eligible = np.searchsorted(since, t[todo] - 1.0, side="left")
        ok = eligible > 0
        top = keen[np.maximum(eligible - 1, 0)]
        pick = np.searchsorted(keen, rng.random(todo.size) * top, side="right")
        chosen = candidates[np.minimum(pick, np.maximum(eligible - 1, 0))]
        valid = ok & (lost_at[chosen] > t[todo] + 1.0)
        referrer[todo[valid]] = chosen[valid]
        todo = todo[ok & ~valid]

    partner_lo = n_staff + n_vendors
    known = partner_lo + np.flatnonzero(b2b.partner_referral)
    known = known[np.argsort(t[known], kind="stable")]
    todo = np.flatnonzero(people.channel == CH["partner"])
    eligible = np.searchsorted(t[known], t[todo] - 1.0, side="left")
    pick = np.floor(rng.random(todo.size) * eligible).astype(np.int64)
    ok = eligible > 0
    referrer[todo[ok]] = known[pick[ok]]

    unmatched = np.isin(people.channel, [CH["referral"], CH["partner"]]) & (referrer < 0)
    people.channel[unmatched] = CH["direct"]
    return referrer, int(unmatched.sum())


def _spend(
    cfg: Config, cal: Calendar, people: People, client_at: np.ndarray
) -> list[tuple[str, dt.date, int]]:
    """Monthly spend per paid channel: new customers that month × the channel's cost per
    customer, with noise, on top of a fixed monthly amount."""
    rng = rng_for(cfg.seed, STREAM_SPEND)
    new = np.isfinite(client_at) & (people.group == Group.CUSTOMER)
    month = cal.day_month[cal.day_index(client_at[new])]
    channel = people.channel[new]
    out: list[tuple[str, dt.date, int]] = []
    for k, ch in enumerate(catalog.CHANNELS):
        if not ch.is_paid:
            continue
        counts = np.bincount(month[channel == k], minlength=len(cal.months))[: len(cal.months)]
        noise = rng.lognormal(0.0, 0.2, len(cal.months))
        cents = np.round(ch.base_cents + counts * ch.cac_cents * noise).astype(np.int64)
        out.extend((ch.slug, m, int(c)) for m, c in zip(cal.months, cents, strict=True))
    return out


def make_plan(cfg: Config) -> Plan:
    """Plan the whole business for ``cfg``; deterministic in (seed, people, as_of)."""
    cal = make_calendar(cfg.as_of)
    sizes = group_sizes(cfg.people)
    n_staff, n_vendors, n_partners, _ = sizes
    people = plan_people(cfg.seed, cal, sizes)
    vendor_lo, partner_lo = n_staff, n_staff + n_vendors
    b2b = plan_b2b(
        cal,
        rng_for(cfg.seed, STREAM_B2B),
        vendor_lo,
        n_vendors,
        partner_lo,
        n_partners,
        people.first,
        people.last,
    )
    people.first_seen[:n_staff] = b2b.staff_t
    people.first_seen[vendor_lo:partner_lo] = b2b.vendor_t
    people.first_seen[partner_lo : partner_lo + n_partners] = b2b.partner_t
    wholesale_alive = np.zeros(cfg.people, dtype=bool)
    wholesale_alive[partner_lo : partner_lo + n_partners] = b2b.partner_alive

    n = cfg.people
    n_orders = np.zeros(n, dtype=np.int32)
    first_order, last_order, kth = np.full(n, INF), np.full(n, INF), np.full(n, INF)
    alive = np.zeros(n, dtype=bool)
    for chunk in range(-(-n // CHUNK)):
        lo, hi = chunk * CHUNK, min(n, (chunk + 1) * CHUNK)
        times = order_times(people, b2b, cal, cfg.seed, chunk, lo, hi, wholesale_alive)
        counts = np.bincount(times.person - lo, minlength=hi - lo)
        starts = np.cumsum(counts) - counts
        has = np.flatnonzero(counts)
        n_orders[lo:hi] = counts
        first_order[lo + has] = times.t[starts[has]]
        last_order[lo + has] = times.t[starts[has] + counts[has] - 1]
        many = np.flatnonzero(counts >= ADVOCATE_AFTER_ORDERS)
        kth[lo + many] = times.t[starts[many] + ADVOCATE_AFTER_ORDERS - 1]
        alive[lo:hi] = times.alive

    rng = rng_for(cfg.seed, STREAM_REFERRALS)
    client_at = first_order.copy()
    prospect_at = np.where(people.signup < first_order, people.signup, INF)
    partner_slice = slice(partner_lo, partner_lo + n_partners)
    prospect_at[partner_slice] = np.where(
        b2b.partner_prospect_t < client_at[partner_slice], b2b.partner_prospect_t, INF
    )
    lost = last_order + LOST_AFTER_DAYS + rng.uniform(0.0, 3.0, n)
    lost_at = np.where((n_orders > 0) & ~alive & (lost < cal.days), lost, INF)

    referrer, unmatched = _referrers(people, sizes, b2b, client_at, lost_at, rng)
    by_friend = np.flatnonzero(
        (referrer >= 0) & (people.group[np.maximum(referrer, 0)] == Group.CUSTOMER)
    )
    referred_adv = np.full(n, INF)
    # The referral automation marks the referrer an advocate a few minutes later.
    np.minimum.at(referred_adv, referrer[by_friend], people.first_seen[by_friend] + 0.005)
    noticed = np.isfinite(kth) & (rng.random(n) < 0.6)
    manual_adv = np.where(noticed, kth + rng.uniform(1.0, 10.0, n), INF)
    advocate_at = np.minimum(referred_adv, manual_adv)
    advocate_at[(advocate_at >= cal.days) | (people.group != Group.CUSTOMER)] = INF

    return Plan(
        cfg=cfg,
        cal=cal,
        sizes=sizes,
        people=people,
        b2b=b2b,
        n_orders=n_orders,
        first_order=first_order,
        last_order=last_order,
        alive=alive,
        prospect_at=prospect_at,
        client_at=client_at,
        advocate_at=advocate_at,
        advocate_manual=np.isfinite(advocate_at) & (manual_adv < referred_adv),
        lost_at=lost_at,
        referrer=referrer,
        spend=_spend(cfg, cal, people, client_at),
        unmatched_referrals=unmatched,
    )
