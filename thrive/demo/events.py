"""Everything that happens to one chunk of people, as arrays ready to be written.

Pure numpy, deterministic in (plan, chunk): orders with their baskets and refunds,
subscriptions, consents, tags, the stage history and the associates' interactions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import catalog
from .plan import LOST_AFTER_DAYS, Plan
from .population import CH, COFFEE_PRODUCT, COFFEE_WEIGHTS, COFFEES, Group
from .purchases import REGULAR, SUBSCRIPTION, WHOLESALE, order_times
from .timeline import STREAM_BASKETS, STREAM_EXTRAS, rng_for

INF = np.inf
SALES_CHANNELS = ["online", "in_store", "wholesale", "subscription"]
ONLINE, IN_STORE, WHOLESALE_CH, SUBSCRIPTION_CH = range(4)
STATUSES = ["completed", "refunded", "partially_refunded", "voided"]
COMPLETED, REFUNDED, PARTIAL, VOIDED = range(4)
STAGES = ["suspect", "prospect", "client", "advocate", "lost"]
CAUSES = ["manual", "automation", "order"]
MANUAL, AUTOMATION, ORDER = range(3)
STAGE_NOTES = {
    (1, AUTOMATION): "Signed up for the roast letter",
    (1, MANUAL): "Wholesale conversation opened",
    (3, AUTOMATION): "Referred a friend",
    (3, MANUAL): "A regular: six orders and counting",
    (4, AUTOMATION): f"No order for {LOST_AFTER_DAYS:.0f} days",
}
# The welcome email automation was switched on 15 months into the history; it greets
# roast-letter sign-ups (a checkout gets its order confirmation instead).
WELCOME_FROM_DAY = 455.0
TAG_NAMES = [name for name, _ in catalog.TAGS]

P = catalog.PRODUCTS
PRICE_USD = np.array([p.price_cents for p in P], dtype=np.int64)
PRICE_CAD = np.array([p.cad_cents for p in P], dtype=np.int64)
IS_ESPRESSO = np.array([p.espresso for p in P])
IS_DECAF = np.array([p.decaf for p in P])
IS_GIFT = np.array([p.kind == "gift_card" for p in P])
SKU = catalog.SKU_INDEX
HOLIDAY = next(i for i, c in enumerate(COFFEES) if c.seasonal)
CITY_CA = np.array([c[2] == "CA" for c in catalog.CITIES])
BREW = {name: i for i, name in enumerate(catalog.BREW_METHODS)}


@dataclass
class ChunkEvents:
    lo: int
    hi: int
    # Orders, sorted by person then time; lines point at them by position.
    o_person: np.ndarray
    o_t: np.ndarray
    o_channel: np.ndarray
    o_cad: np.ndarray
    o_total: np.ndarray  # cents
    o_status: np.ndarray
    o_refunded: np.ndarray
    o_refund_t: np.ndarray  # inf: no refund
    o_void_t: np.ndarray
    l_order: np.ndarray
    l_product: np.ndarray
    l_qty: np.ndarray
    l_unit: np.ndarray
    l_discount: np.ndarray
    s_person: np.ndarray  # subscriptions
    s_plan: np.ndarray
    s_start: np.ndarray
    s_end: np.ndarray
    c_person: np.ndarray  # email-marketing consents
    c_t: np.ndarray
    c_checkout: np.ndarray
    c_ip: list[str]
    c_withdrawn: np.ndarray
    c_unsubscribe: np.ndarray  # withdrawn by the unsubscribe link (else preference centre)
    g_person: np.ndarray  # tags
    g_tag: np.ndarray
    g_t: np.ndarray
    g_staff: np.ndarray  # -1: tagged by an automation
    sc_person: np.ndarray  # stage history, in order per person
    sc_t: np.ndarray
    sc_from: np.ndarray  # -1: first record
    sc_to: np.ndarray
    sc_cause: np.ndarray
    sc_staff: np.ndarray
    a_person: np.ndarray  # interactions and automated emails
    a_t: np.ndarray
    a_topic: np.ndarray
    a_staff: np.ndarray
    a_minutes: np.ndarray  # -1: no duration
    r_person: np.ndarray  # referrals received
    r_referrer: np.ndarray
    r_t: np.ndarray


def starts(keys: np.ndarray) -> np.ndarray:
    """True where a run of equal ``keys`` begins (empty for empty input)."""
    out = np.ones(keys.size, dtype=bool)
    out[1:] = keys[1:] != keys[:-1]
    return out


def ends(keys: np.ndarray) -> np.ndarray:
    """True where a run of equal ``keys`` ends."""
    out = np.ones(keys.size, dtype=bool)
    out[:-1] = keys[1:] != keys[:-1]
    return out


def staff_at(plan: Plan, who: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The associate ``who`` if they had joined by ``t``, else the owner (index 0)."""
    who = np.asarray(who, dtype=np.int64)
    joined = plan.b2b.staff_t[np.maximum(who, 0)] <= t
    return np.where(who < 0, -1, np.where(joined, who, 0))


def _first_match(
    person: np.ndarray, t: np.ndarray, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per person, the earliest ``t`` where ``mask`` holds: (person, t)."""
    p, tt = person[mask], t[mask]
    if not p.size:
        return p, tt
    order = np.lexsort((tt, p))
    p, tt = p[order], tt[order]
    first = starts(p)
    return p[first], tt[first]


def _baskets(
    plan: Plan,
    person: np.ndarray,
    t: np.ndarray,
    k: np.ndarray,
    in_store: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lines (order position, product, quantity) of regular orders.

    Coffee comes from each person's favourites; add-ons follow their brewing: a grinder
    once for whole-bean buyers, a dripper with filters (and often a kettle) for pour-over,
    filters again later, gift cards in December, cold brew in summer.
    """
    pp = plan.people
    n = person.size
    month = plan.cal.day_calmonth[plan.cal.day_index(t)]
    brew, wb = pp.brew[person], pp.whole_bean[person].astype(np.int64)
    espresso = (brew == BREW["espresso"]).astype(np.int64)
    cdf = np.cumsum(
        COFFEE_WEIGHTS[pp.roast[person], espresso, pp.decaf[person].astype(np.int64)], axis=1
    )
    holiday = np.isin(month, [10, 11])
    orders, products, qty = [], [], []

    def add(mask: np.ndarray, product: np.ndarray | int, quantity: np.ndarray | int = 1) -> None:
        idx = np.flatnonzero(mask)
        orders.append(idx)
        products.append(np.broadcast_to(np.asarray(product), (n,))[idx])
        qty.append(np.broadcast_to(np.asarray(quantity), (n,))[idx])

    u = rng.random(n)
    n_coffee = 1 + (u < np.where(in_store, 0.2, 0.38)) + ((u < 0.08) & ~in_store)
    favs = pp.favs[person]
    for slot, (p_a, p_b) in enumerate(((0.6, 0.85), (0.5, 0.8), (0.6, 0.6))):
        a, b = favs[:, slot], favs[:, (slot + 1) % 3]
        wander = (cdf < rng.random(n)[:, None]).sum(axis=1)
        v = rng.random(n)
        coffee = np.where(v < p_a, a, np.where(v < p_b, b, wander))
        coffee = np.where(holiday & (rng.random(n) < 0.3), HOLIDAY, coffee)
        coffee = np.where(~holiday & (coffee == HOLIDAY), favs[:, 0], coffee)
        quantity = np.where(rng.random(n) < 0.15, 2, 1)
        add(n_coffee > slot, COFFEE_PRODUCT[coffee, 1 - wb], quantity)

    pour, drip = brew == BREW["pour-over"], brew == BREW["drip machine"]
    grinder = k == pp.grinder_k[person]
    electric = (espresso == 1) | (rng.random(n) < 0.4)
    add(grinder, np.where(electric, SKU["KC-GR-ELC"], SKU["KC-GR-HND"]))
    dripper = k == pp.dripper_k[person]
    add(dripper, SKU["KC-DR-CER"])
    add(dripper & (rng.random(n) < 0.4), SKU["KC-KT-GSN"])
    filters = dripper | ((pour | drip) & ~in_store & (rng.random(n) < 0.3))
    add(filters, SKU["KC-FL-100"], np.where(rng.random(n) < 0.3, 2, 1))
    add((brew == BREW["french press"]) & (k == 0) & (rng.random(n) < 0.1), SKU["KC-FP-800"])
    add((pour | (espresso == 1)) & (rng.random(n) < 0.03), SKU["KC-SC-DIG"])
    mug_p = np.where(month == 11, 0.15, np.where(in_store, 0.06, 0.04))
    add(rng.random(n) < mug_p, np.where(rng.random(n) < 0.6, SKU["KC-MG-STN"], SKU["KC-TM-INS"]))
    gift_p = np.where(
        pp.gift[person], np.select([month == 11, month == 10], [0.5, 0.2], 0.03), 0.01
    )
    card = np.array([SKU["KC-GC-025"], SKU["KC-GC-050"], SKU["KC-GC-100"]])
    add(rng.random(n) < gift_p, card[rng.choice(3, n, p=[0.5, 0.35, 0.15])])
    summer = np.isin(month, [5, 6, 7])
    cold = brew == BREW["cold brew"]
    cold_p = np.where(summer, np.where(cold, 0.6, 0.08), np.where(cold, 0.15, 0.0))
    add(rng.random(n) < cold_p, np.where(rng.random(n) < 0.5, SKU["KC-CB-PCK"], SKU["KC-CB-CON"]))
    return np.concatenate(orders), np.concatenate(products), np.concatenate(qty)


def _lines(
    plan: Plan,
    person: np.ndarray,
    t: np.ndarray,
    kind: np.ndarray,
    ref: np.ndarray,
    channel: np.ndarray,
    cad: np.ndarray,
    k: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, ...]:
    """All lines, merged per (order, product) and sorted: (order, product, qty, unit, disc)."""
    pp, b2b = plan.people, plan.b2b
    reg = np.flatnonzero(kind == REGULAR)
    o, prod, qty = _baskets(plan, person[reg], t[reg], k[reg], channel[reg] == IN_STORE, rng)
    parts_o, parts_p, parts_q = [reg[o]], [prod], [qty]
    sub = np.flatnonzero(kind == SUBSCRIPTION)
    plan_sku = np.array([catalog.SKU_INDEX[s] for s, *_ in catalog.SUBSCRIPTION_PLANS])
    parts_o.append(sub)
    parts_p.append(plan_sku[pp.sub_plan[person[sub]]])
    parts_q.append(np.ones(sub.size, dtype=np.int64))
    ws = np.flatnonzero(kind == WHOLESALE)
    position = np.full(b2b.ws_t.size, -1)
    position[ref[ws]] = ws
    take = position[b2b.ws_line_order] >= 0
    parts_o.append(position[b2b.ws_line_order[take]])
    parts_p.append(b2b.ws_line_product[take])
    parts_q.append(b2b.ws_line_qty[take])

    order = np.concatenate(parts_o).astype(np.int64)
    product = np.concatenate(parts_p).astype(np.int64)
    quantity = np.concatenate(parts_q).astype(np.int64)
    key, inverse = np.unique(order * len(P) + product, return_inverse=True)
    quantity = np.bincount(inverse, weights=quantity).astype(np.int64)
    order, product = key // len(P), key % len(P)
    unit = np.where(cad[order], PRICE_CAD[product], PRICE_USD[product])
    # New subscribers to the roast letter get 10% off the first bag of their first order.
    welcome = (k == 0) & (kind == REGULAR) & (channel == ONLINE) & (pp.signup[person] < t)
    first_line = starts(order)
    discount = np.where(welcome[order] & first_line, np.round(unit * quantity * 0.1), 0)
    return order, product, quantity, unit, discount.astype(np.int64)


def chunk_events(plan: Plan, chunk: int) -> ChunkEvents:
    """Everything that happens to people in ``plan.bounds(chunk)``."""
    lo, hi = plan.bounds(chunk)
    pp, cal, days = plan.people, plan.cal, plan.cal.days
    wholesale_alive = np.zeros(plan.n, dtype=bool)
    partner_lo = plan.sizes[0] + plan.sizes[1]
    wholesale_alive[partner_lo : partner_lo + plan.sizes[2]] = plan.b2b.partner_alive
    times = order_times(pp, plan.b2b, cal, plan.cfg.seed, chunk, lo, hi, wholesale_alive)
    rng = rng_for(plan.cfg.seed, STREAM_BASKETS, chunk)
    person, t, kind = times.person, times.t, times.kind
    counts = np.bincount(person - lo, minlength=hi - lo)
    k = np.arange(person.size) - np.repeat(np.cumsum(counts) - counts, counts)

    cad = CITY_CA[pp.city[person]]
    shop = np.where(rng.random(person.size) < pp.in_store[person], IN_STORE, ONLINE)
    # A market customer's first purchase is the one at the stall where we met them.
    shop = np.where((k == 0) & (pp.channel[person] == CH["events"]), IN_STORE, shop)
    channel = np.select(
        [kind == WHOLESALE, kind == SUBSCRIPTION], [WHOLESALE_CH, SUBSCRIPTION_CH], shop
    )
    l_order, l_product, l_qty, l_unit, l_disc = _lines(
        plan, person, t, kind, times.ref, channel, cad, k, rng
    )
    totals = np.bincount(l_order, weights=l_qty * l_unit - l_disc, minlength=person.size)
    total = np.round(totals).astype(np.int64)

    u = rng.random(person.size)
    status = np.where(u < 0.005, VOIDED, np.where(u < 0.025, REFUNDED, COMPLETED))
    partial = (status == REFUNDED) & (rng.random(person.size) < 0.4)
    refund_t = np.where(status == REFUNDED, t + rng.uniform(1.0, 14.0, person.size), INF)
    void_t = np.where(status == VOIDED, t + rng.uniform(0.01, 0.5, person.size), INF)
    # A refund or void that would fall after the end has not happened yet.
    status = np.where((refund_t >= days) & (status == REFUNDED), COMPLETED, status)
    status = np.where((void_t >= days) & (status == VOIDED), COMPLETED, status)
    refund_t[status != REFUNDED] = INF
    void_t[status != VOIDED] = INF
    last_line = ends(l_order)
    last_total = np.zeros(person.size, dtype=np.int64)
    last_total[l_order[last_line]] = (l_qty * l_unit - l_disc)[last_line]
    n_lines = np.bincount(l_order, minlength=person.size)
    part = np.where(n_lines > 1, last_total, total // 2)
    partial &= (status == REFUNDED) & (part > 0) & (part < total)
    refunded = np.where(status == REFUNDED, np.where(partial, part, total), 0)
    status = np.where(partial, PARTIAL, status)

    extras = _extras(plan, chunk, person, t, kind, channel, l_order, l_product, times.sub_end)
    return ChunkEvents(
        lo=lo,
        hi=hi,
        o_person=person,
        o_t=t,
        o_channel=channel,
        o_cad=cad,
        o_total=total,
        o_status=status,
        o_refunded=refunded,
        o_refund_t=refund_t,
        o_void_t=void_t,
        l_order=l_order,
        l_product=l_product,
        l_qty=l_qty,
        l_unit=l_unit,
        l_discount=l_disc,
        **extras,
    )


def _extras(
    plan: Plan,
    chunk: int,
    person: np.ndarray,
    t: np.ndarray,
    kind: np.ndarray,
    channel: np.ndarray,
    l_order: np.ndarray,
    l_product: np.ndarray,
    sub_end: np.ndarray,
) -> dict[str, Any]:
    """Subscriptions, consents, tags, stage history, interactions and referrals."""
    pp, days = plan.people, plan.cal.days
    lo, hi = plan.bounds(chunk)
    rng = rng_for(plan.cfg.seed, STREAM_EXTRAS, chunk)
    idx = np.arange(lo, hi)
    out: dict[str, Any] = {}

    subs = idx[np.isfinite(pp.sub_start[lo:hi])]
    out.update(
        s_person=subs,
        s_plan=pp.sub_plan[subs],
        s_start=pp.sub_start[subs],
        s_end=sub_end[subs - lo],
    )

    signed = idx[np.isfinite(pp.signup[lo:hi])]
    first_order = plan.first_order[signed]
    first_online = np.zeros(hi - lo, dtype=bool)
    is_first = starts(person)
    first_online[person[is_first] - lo] = channel[is_first] == ONLINE
    checkout = (pp.signup[signed] > first_order) & first_online[signed - lo]
    granted = np.where(checkout, first_order, pp.signup[signed])
    withdrawn = granted + pp.withdraw_after[signed]
    withdrawn[withdrawn >= days] = INF
    prefixes = catalog.CONSENT_IP_PREFIXES
    ips = [
        f"{prefixes[a]}.{b}"
        for a, b in zip(
            rng.integers(0, 3, signed.size).tolist(),
            rng.integers(1, 255, signed.size).tolist(),
            strict=True,
        )
    ]
    out.update(
        c_person=signed,
        c_t=granted,
        c_checkout=checkout,
        c_ip=ips,
        c_withdrawn=withdrawn,
        c_unsubscribe=rng.random(signed.size) < 0.7,
    )

    # Tags, each added by its rule the first time it applies.
    lp, lt = person[l_order], t[l_order]
    rules = [
        (kind == WHOLESALE, person, t),
        (np.isfinite(pp.sub_start[idx]), idx, pp.sub_start[idx]),
        (IS_ESPRESSO[l_product] & (pp.brew[lp] == BREW["espresso"]), lp, lt),
        ((channel == IN_STORE) & (pp.channel[person] == CH["events"]), person, t),
        (IS_GIFT[l_product], lp, lt),
        (IS_DECAF[l_product] & pp.decaf[lp], lp, lt),
    ]
    firsts = [_first_match(who, when, mask) for mask, who, when in rules]
    g_person = np.concatenate([gp for gp, _ in firsts])
    g_t = np.concatenate([gt for _, gt in firsts]) + 0.002  # just after the order that caused it
    g_tag = np.concatenate([np.full(gp.size, tag) for tag, (gp, _) in enumerate(firsts)])
    wholesale_manager = catalog.STAFF_INDEX["luis"]
    g_staff = staff_at(plan, np.where(g_tag == 0, wholesale_manager, -1), g_t)
    keep = g_t < days
    out.update(g_person=g_person[keep], g_tag=g_tag[keep], g_t=g_t[keep], g_staff=g_staff[keep])

    out.update(_stage_history(plan, lo, hi, rng))
    web_form = granted[~checkout]
    out.update(
        _interactions(plan, lo, hi, person, t, kind, channel, web_form, signed[~checkout], rng)
    )
    referred = idx[plan.referrer[lo:hi] >= 0]
    out.update(r_person=referred, r_referrer=plan.referrer[referred], r_t=pp.first_seen[referred])
    return out


def _stage_history(plan: Plan, lo: int, hi: int, rng: np.random.Generator) -> dict[str, Any]:
    pp = plan.people
    idx = np.arange(lo, hi)
    group = pp.group[lo:hi]
    customer = group == Group.CUSTOMER
    n = hi - lo
    maya, luis = catalog.STAFF_INDEX["maya"], catalog.STAFF_INDEX["luis"]
    helpers = np.array([catalog.STAFF_INDEX[u] for u in ("tom", "grace", "aisha")])
    at_market = pp.channel[lo:hi] == CH["events"]
    # (stage, times, cause, associate) for each possible step.
    steps = [
        (
            0,
            # Staff are associates, not customers: they never enter the funnel.
            np.where(group == Group.STAFF, np.inf, pp.first_seen[lo:hi]),
            np.where(customer & ~at_market, AUTOMATION, MANUAL),
            np.where(
                customer & ~at_market,
                -1,
                np.where(
                    at_market,
                    catalog.STAFF_INDEX["tom"],
                    np.where(group == Group.PARTNER, luis, maya),
                ),
            ),
        ),
        (
            1,
            plan.prospect_at[lo:hi],
            np.where(customer, AUTOMATION, MANUAL),
            np.where(customer, -1, luis),
        ),
        (2, plan.client_at[lo:hi], np.full(n, ORDER), np.full(n, -1)),
        (
            3,
            plan.advocate_at[lo:hi],
            np.where(plan.advocate_manual[lo:hi], MANUAL, AUTOMATION),
            np.where(plan.advocate_manual[lo:hi], helpers[rng.integers(0, 3, n)], -1),
        ),
        (4, plan.lost_at[lo:hi], np.full(n, AUTOMATION), np.full(n, -1)),
    ]
    parts = []
    for stage, when, cause, who in steps:
        has = np.isfinite(when)
        parts.append((idx[has], when[has], np.full(has.sum(), stage), cause[has], who[has]))
    person, t, to, cause, who = (np.concatenate(col) for col in zip(*parts, strict=True))
    order = np.lexsort((to, t, person))  # a person's steps in time (stage breaks ties)
    person, t, to, cause, who = person[order], t[order], to[order], cause[order], who[order]
    first = starts(person)
    prev = np.where(first, -1, np.roll(to, 1))
    return dict(
        sc_person=person,
        sc_t=t,
        sc_from=prev,
        sc_to=to,
        sc_cause=cause,
        sc_staff=staff_at(plan, who, t),
    )


def _interactions(
    plan: Plan,
    lo: int,
    hi: int,
    person: np.ndarray,
    t: np.ndarray,
    kind: np.ndarray,
    channel: np.ndarray,
    granted: np.ndarray,
    signed: np.ndarray,
    rng: np.random.Generator,
) -> dict[str, Any]:
    """Associates' calls, meetings and notes, support conversations, welcome emails."""
    b2b, days = plan.b2b, plan.cal.days
    topics = catalog.INTERACTIONS
    mine = (b2b.act_person >= lo) & (b2b.act_person < hi)
    parts_p, parts_t, parts_k = [b2b.act_person[mine]], [b2b.act_t[mine]], [b2b.act_topic[mine]]

    # Some customers talk to us: a support conversation after one of their orders.
    regular = np.flatnonzero(kind == REGULAR)
    asks = regular[rng.random(regular.size) < 0.025]
    support = np.array([catalog.INTERACTION_INDEX[key] for key in catalog.SUPPORT_INTERACTIONS])
    parts_p.append(person[asks])
    parts_t.append(t[asks] + rng.uniform(0.3, 4.0, asks.size))
    parts_k.append(support[rng.integers(0, support.size, asks.size)])
    # Regulars at the counter get a note from the barista.
    counter = np.flatnonzero((channel == IN_STORE) & (rng.random(person.size) < 0.01))
    notes = np.array([catalog.INTERACTION_INDEX[key] for key in catalog.NOTE_INTERACTIONS])
    parts_p.append(person[counter])
    parts_t.append(t[counter] + 0.01)
    parts_k.append(notes[rng.integers(0, notes.size, counter.size)])
    welcome = granted >= WELCOME_FROM_DAY  # web-form sign-ups only (see WELCOME_FROM_DAY)
    parts_p.append(signed[welcome])
    parts_t.append(granted[welcome] + 0.003)
    parts_k.append(np.full(welcome.sum(), catalog.INTERACTION_INDEX["welcome"]))

    a_person, a_t = np.concatenate(parts_p), np.concatenate(parts_t)
    a_topic = np.concatenate(parts_k).astype(np.int64)
    keep = a_t < days
    a_person, a_t, a_topic = a_person[keep], a_t[keep], a_topic[keep]
    lo_min = np.array([row[5] for row in topics])[a_topic]
    hi_min = np.array([row[6] for row in topics])[a_topic]
    minutes = np.where(hi_min > 0, rng.integers(lo_min, np.maximum(hi_min, lo_min) + 1), -1)
    usernames = [row[7] for row in topics]
    who = np.array([catalog.STAFF_INDEX[u] if u else -1 for u in usernames])[a_topic]
    return dict(
        a_person=a_person,
        a_t=a_t,
        a_topic=a_topic,
        a_staff=staff_at(plan, who, a_t),
        a_minutes=minutes,
    )
