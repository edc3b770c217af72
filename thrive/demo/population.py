"""Who the demo's people are: per-person parameters for the whole population. Pure numpy.

People are indexed 0..N-1: staff, vendors, partners, then customers in order of first
contact. Everything here comes from one random stream drawn in one go, so no parameter
depends on how the builder later splits people into chunks.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from . import catalog
from .timeline import STREAM_PEOPLE, Calendar, rng_for

INF = np.inf
GROWTH_PER_YEAR = 1.7
# Calendar-month factors, January first.
CONTACT_SEASON = np.array([0.9, 0.9, 1.0, 1.0, 1.0, 0.95, 0.9, 0.95, 1.0, 1.05, 1.3, 1.45])
EVENT_SEASON = np.array([0.15, 0.15, 0.35, 0.7, 1.5, 2.0, 2.2, 2.0, 1.6, 0.9, 1.3, 1.5])

K = len(catalog.CHANNELS)
CH = catalog.CHANNEL_INDEX
_ch = catalog.CHANNELS
CH_SIGNUP = np.array([c.signup for c in _ch])
CH_BUY = np.array([c.buy for c in _ch])
CH_RATE = np.array([c.rate for c in _ch])
CH_IN_STORE = np.array([c.in_store for c in _ch])

COFFEES = [p for p in catalog.PRODUCTS if p.kind == "coffee" and p.whole_bean]
# Product index of coffee c as whole bean [c, 0] or ground [c, 1].
COFFEE_PRODUCT = np.array(
    [[catalog.SKU_INDEX[p.sku], catalog.SKU_INDEX[p.sku[:-2] + "GR"]] for p in COFFEES]
)


class Group(IntEnum):
    STAFF = 0
    VENDOR = 1
    PARTNER = 2
    CUSTOMER = 3


class Region(IntEnum):
    HOME = 0
    US = 1
    CANADA = 2


@dataclass
class People:
    """Per-person parameters (length N; customer-only fields are neutral for others)."""

    group: np.ndarray
    first_seen: np.ndarray
    channel: np.ndarray  # -1 for staff, vendors and partners
    source: np.ndarray  # which acquisition-source text
    city: np.ndarray
    first: np.ndarray
    last: np.ndarray
    style: np.ndarray
    domain: np.ndarray
    email_rank: np.ndarray  # 0: the plain address; k: the address with k+1 appended
    phone: np.ndarray  # -1: none; else the last two digits of a 555-01xx number
    signup: np.ndarray  # when they signed up for the roast letter (inf: never)
    buy0: np.ndarray  # first order (inf: never)
    lam: np.ndarray  # purchases per day while alive
    p_drop: np.ndarray
    in_store: np.ndarray  # share of their orders bought in person
    sub_plan: np.ndarray  # index into catalog.SUBSCRIPTION_PLANS
    sub_start: np.ndarray  # inf: never subscribes
    sub_months: np.ndarray  # paid months before cancelling
    sub_cancel: np.ndarray  # fraction of the last month before the cancel
    roast: np.ndarray
    brew: np.ndarray
    whole_bean: np.ndarray
    decaf: np.ndarray
    gift: np.ndarray
    favs: np.ndarray  # (N, 3) favourite coffees
    grinder_k: np.ndarray  # buys a grinder with their k-th order (-1: never)
    dripper_k: np.ndarray
    profile: np.ndarray  # filled in taste questions (custom fields)
    birthday: np.ndarray  # days since 1970-01-01, -1: not given
    ref_weight: np.ndarray  # how keen they are to recommend us
    withdraw_after: np.ndarray  # days from consent to withdrawal (inf: never)

    @property
    def canadian(self) -> np.ndarray:
        return np.array([c[2] == "CA" for c in catalog.CITIES])[self.city]


def _first_contacts(cal: Calendar, n: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """(time, channel) of first contacts: growing, seasonal, channel mix moving over time."""
    d = np.arange(cal.days, dtype=np.float64)
    growth = GROWTH_PER_YEAR ** (d / 365.0)
    weights = np.empty((K, cal.days))
    for k, channel in enumerate(catalog.CHANNELS):
        season = cal.per_day(EVENT_SEASON if channel.slug == "events" else CONTACT_SEASON)
        # Word of mouth needs customers (and partner cafés) before it can bring anyone.
        ramp = (
            np.clip((d - 30.0) / 120.0, 0.0, 1.0)
            if channel.slug in ("referral", "partner")
            else 1.0
        )
        weights[k] = channel.weight * growth * season[: cal.days] * ramp
    cdf = np.cumsum(weights.ravel())
    cell = np.minimum(np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right"), cdf.size - 1)
    t = cell % cal.days + rng.random(n)
    order = np.argsort(t, kind="stable")
    return t[order], (cell // cal.days)[order].astype(np.int8)


def _coffee_weights() -> np.ndarray:
    """Preference weights over coffees for each (roast, espresso brewer, decaf) profile."""
    out = np.empty((3, 2, 2, len(COFFEES)))
    for r, roast in enumerate(catalog.ROASTS):
        for e in range(2):
            for dcf in range(2):
                w = np.array(
                    [
                        (4.0 if c.roast == roast else 1.0)
                        * ((4.0 if e else 0.3) if c.espresso else 1.0)
                        * ((25.0 if dcf else 0.05) if c.decaf else 1.0)
                        * (0.2 if c.price_cents > 3000 else 1.0)
                        * (0.0 if c.seasonal else 1.0)
                        for c in COFFEES
                    ]
                )
                out[r, e, dcf] = w / w.sum()
    return out


COFFEE_WEIGHTS = _coffee_weights()


def _favourites(
    roast: np.ndarray, espresso: np.ndarray, decaf: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Three distinct favourite coffees per person (Gumbel top-k on the profile weights)."""
    out = np.empty((roast.size, 3), dtype=np.int8)
    block = 100_000  # bounds the (block × coffees) noise matrix
    with np.errstate(divide="ignore"):
        logw = np.log(COFFEE_WEIGHTS)
    for lo in range(0, roast.size, block):
        sl = slice(lo, lo + block)
        scores = logw[roast[sl], espresso[sl], decaf[sl]] + rng.gumbel(
            size=(roast[sl].size, len(COFFEES))
        )
        out[sl] = np.argsort(-scores, axis=1)[:, :3]
    return out


def _email_ranks(keys: np.ndarray) -> np.ndarray:
    """Position of each key among equal keys, in index order (0 for the first)."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    pos = np.arange(keys.size)
    starts = np.ones(keys.size, dtype=bool)
    starts[1:] = sorted_keys[1:] != sorted_keys[:-1]
    rank_sorted = pos - np.maximum.accumulate(np.where(starts, pos, 0))
    ranks = np.empty_like(pos)
    ranks[order] = rank_sorted
    return ranks


def plan_people(seed: int, cal: Calendar, sizes: tuple[int, int, int, int]) -> People:
    """Every per-person parameter, drawn for the whole population from one stream."""
    rng = rng_for(seed, STREAM_PEOPLE)
    n_staff, n_vendors, n_partners, n_cust = sizes
    n = sum(sizes)
    lo = n_staff + n_vendors + n_partners
    days = cal.days

    group = np.full(n, Group.CUSTOMER, dtype=np.int8)
    group[:n_staff] = Group.STAFF
    group[n_staff : n_staff + n_vendors] = Group.VENDOR
    group[n_staff + n_vendors : lo] = Group.PARTNER

    t, channel = _first_contacts(cal, n_cust, rng)
    first_seen = np.zeros(n)
    first_seen[lo:] = t
    ch = np.full(n, -1, dtype=np.int8)
    ch[lo:] = channel
    c = ch[lo:].astype(np.int64)

    # Market and partner-café customers live nearby; the online shop reaches further.
    local = np.isin(c, [CH["events"], CH["partner"]])
    u = rng.random(n_cust)
    region = np.where(local | (u < 0.35), Region.HOME, np.where(u < 0.4, Region.CANADA, Region.US))
    city = np.zeros(n, dtype=np.int16)
    offsets = [0, len(catalog.HOME_CITIES), len(catalog.HOME_CITIES) + len(catalog.US_CITIES)]
    for r, cities in enumerate((catalog.HOME_CITIES, catalog.US_CITIES, catalog.CA_CITIES)):
        w = np.cumsum([row[5] for row in cities])
        pick = np.searchsorted(w, rng.random(n_cust) * w[-1], side="right")
        city[lo:] = np.where(region == r, offsets[r] + pick, city[lo:])

    first = rng.integers(0, len(catalog.FIRST_NAMES), n).astype(np.int16)
    last = rng.integers(0, len(catalog.LAST_NAMES), n).astype(np.int16)
    style = rng.choice(len(catalog.EMAIL_STYLES), n, p=[0.55, 0.15, 0.3]).astype(np.int8)
    domain = rng.integers(0, len(catalog.EMAIL_DOMAINS), n).astype(np.int8)
    # Addresses repeat only when every part matches: count the repeats to number them.
    nf, nl, nd = len(catalog.FIRST_NAMES), len(catalog.LAST_NAMES), len(catalog.EMAIL_DOMAINS)
    initial_of = np.array([ord(name[0].lower()) for name in catalog.FIRST_NAMES])
    first_key = np.where(style == 2, initial_of[first] + nf, first).astype(np.int64)
    keys = ((style.astype(np.int64) * 2 * nf + first_key) * nl + last) * nd + domain
    email_rank = np.zeros(n, dtype=np.int64)
    email_rank[lo:] = _email_ranks(keys[lo:])
    phone = np.where(rng.random(n) < 0.25, rng.integers(0, 100, n), -1).astype(np.int16)
    source = rng.integers(0, 1000, n).astype(np.int16)

    signs = rng.random(n_cust) < CH_SIGNUP[c]
    quick = rng.random(n_cust) < 0.35
    delay = np.where(quick, rng.uniform(0.003, 0.03, n_cust), rng.exponential(6.0, n_cust) + 0.03)
    signup = np.full(n, INF)
    signup[lo:] = np.where(signs, t + delay, INF)
    buys = rng.random(n_cust) < CH_BUY[c]
    # At the market stall the first contact usually is the first purchase.
    instant = rng.random(n_cust) < np.where(c == CH["events"], 0.75, 0.12)
    delay = np.where(instant, rng.uniform(0.002, 0.02, n_cust), rng.gamma(0.8, 35.0, n_cust) + 0.05)
    buy0 = np.full(n, INF)
    buy0[lo:] = np.where(buys, t + delay, INF)
    signup[signup >= days] = INF
    buy0[buy0 >= days] = INF

    subscriber = np.zeros(n, dtype=bool)
    subscriber[lo:] = rng.random(n_cust) < 0.07
    lam = np.zeros(n, dtype=np.float64)
    lam[lo:] = rng.gamma(1.3, 1.0 / 55.0, n_cust) * CH_RATE[c]
    # Subscribers get their coffee by post and buy less in between.
    lam = np.clip(np.where(subscriber, lam * 0.5, lam), 1.0 / 500.0, 1.0 / 7.0)
    p_drop = np.zeros(n)
    p_drop[lo:] = rng.beta(1.1, 3.4, n_cust)
    in_store = np.zeros(n, dtype=np.float32)
    in_store[lo:] = np.where(
        region == Region.HOME, np.clip(CH_IN_STORE[c] * rng.uniform(0.6, 1.4, n_cust), 0, 0.95), 0
    )
    sub_plan = (rng.random(n) < 0.2).astype(np.int8)
    sub_start = np.where(subscriber & np.isfinite(buy0), buy0 + rng.exponential(40.0, n) + 1.0, INF)
    sub_start[sub_start >= days] = INF
    sub_months = rng.geometric(rng.uniform(0.02, 0.07, n)).astype(np.int32)
    sub_cancel = rng.uniform(0.1, 0.9, n)

    roast = rng.choice(3, n, p=[0.35, 0.45, 0.2]).astype(np.int8)
    brew = rng.choice(len(catalog.BREW_METHODS), n, p=[0.3, 0.2, 0.15, 0.2, 0.05, 0.1])
    whole_bean = rng.random(n) < np.array(catalog.WHOLE_BEAN_SHARE)[brew]
    decaf = rng.random(n) < 0.07
    gift = rng.random(n) < 0.15
    espresso = brew == catalog.BREW_METHODS.index("espresso")
    favs = _favourites(roast, espresso.astype(np.int64), decaf.astype(np.int64), rng)
    grinder_k = np.where(whole_bean & (rng.random(n) < 0.3), rng.integers(0, 4, n), -1)
    pour_over = brew == catalog.BREW_METHODS.index("pour-over")
    dripper_k = np.where(pour_over & (rng.random(n) < 0.4), rng.integers(0, 3, n), -1)
    profile = np.isfinite(signup) & (rng.random(n) < 0.4)
    born = rng.integers(-5479, 12418, n)  # 1955-01-01 .. 2003-12-31
    birthday = np.where(profile & (rng.random(n) < 0.5), born, -1)
    ref_weight = rng.gamma(0.35, 1.0, n)
    withdraw_after = np.where(rng.random(n) < 0.05, rng.exponential(150.0, n) + 1.0, INF)

    return People(
        group=group,
        first_seen=first_seen,
        channel=ch,
        source=source,
        city=city,
        first=first,
        last=last,
        style=style,
        domain=domain,
        email_rank=email_rank,
        phone=phone,
        signup=signup,
        buy0=buy0,
        lam=lam,
        p_drop=p_drop,
        in_store=in_store,
        sub_plan=sub_plan,
        sub_start=sub_start,
        sub_months=sub_months,
        sub_cancel=sub_cancel,
        roast=roast,
        brew=brew.astype(np.int8),
        whole_bean=whole_bean,
        decaf=decaf,
        gift=gift,
        favs=favs,
        grinder_k=grinder_k.astype(np.int8),
        dripper_k=dripper_k.astype(np.int8),
        profile=profile,
        birthday=birthday,
        ref_weight=ref_weight,
        withdraw_after=withdraw_after,
    )
