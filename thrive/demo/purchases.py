"""When each person orders: the repeat-purchase process for one chunk of people.

Pure numpy. The same chunk always replays to the same orders (its generator is derived
from the seed and the chunk number), so the planner can summarise every chunk first and
the builder can regenerate a chunk's orders later without keeping them all in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .timeline import MONTH_DAYS, STREAM_RETAIL, Calendar, rng_for

if TYPE_CHECKING:
    from .b2b import B2BPlan
    from .population import People

# Calendar-month factors on the purchase rate, January first: holiday gifts in December,
# resolutions and empty wallets in January.
PURCHASE_SEASON = np.array([0.72, 0.85, 0.95, 0.97, 1.0, 0.92, 0.88, 0.92, 1.0, 1.05, 1.25, 1.6])

REGULAR, SUBSCRIPTION, WHOLESALE = 0, 1, 2


@dataclass(frozen=True)
class OrderTimes:
    """Orders of people lo..hi, sorted by person then time.

    ``kind`` is REGULAR, SUBSCRIPTION or WHOLESALE; ``ref`` is the renewal number of a
    subscription order and the index into the wholesale plan of a wholesale order.
    ``alive`` (length hi - lo) says who is still buying at the end of the history.
    ``sub_end`` (length hi - lo) is when a subscription was cancelled (inf: never/active).
    """

    person: np.ndarray
    t: np.ndarray
    kind: np.ndarray
    ref: np.ndarray
    alive: np.ndarray
    sub_end: np.ndarray


def retail_times(
    people: People, cal: Calendar, seed: int, chunk: int, lo: int, hi: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Regular orders of customers lo..hi as (person, t), and who is alive at the end.

    Each buyer's first order is at ``buy0``. Afterwards, while alive, candidate purchases
    arrive at rate λ·max(season) and are kept with probability season(t)/max(season);
    after every kept purchase (the first one included) the customer drops out with
    probability p. A customer whose next candidate falls after the end is still alive.
    """
    rng = rng_for(seed, STREAM_RETAIL, chunk)
    accept = cal.per_day(PURCHASE_SEASON / PURCHASE_SEASON.max())
    buyers = lo + np.flatnonzero(np.isfinite(people.buy0[lo:hi]))
    t = people.buy0[buyers].copy()
    rate = people.lam[buyers] * PURCHASE_SEASON.max()
    p = people.p_drop[buyers]
    got_parts, t_parts = [np.arange(buyers.size)], [t.copy()]
    alive = rng.random(buyers.size) >= p
    pos = np.flatnonzero(alive)
    while pos.size:
        t[pos] += rng.exponential(1.0, pos.size) / rate[pos]
        pos = pos[t[pos] < cal.days]
        keep = rng.random(pos.size) < accept[t[pos].astype(np.int64)]
        got = pos[keep]
        got_parts.append(got)
        t_parts.append(t[got])
        drop = rng.random(got.size) < p[got]
        alive[got[drop]] = False
        still = np.ones(pos.size, dtype=bool)
        still[np.flatnonzero(keep)[drop]] = False
        pos = pos[still]
    who = buyers[np.concatenate(got_parts)]
    alive_mask = np.zeros(hi - lo, dtype=bool)
    alive_mask[buyers[alive] - lo] = True
    return who, np.concatenate(t_parts), alive_mask


def subscription_times(
    people: People, cal: Calendar, lo: int, hi: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Monthly renewals (person, t, renewal number) and the cancel time per person
    (length hi - lo; inf when never subscribed or still subscribed at the end)."""
    idx = lo + np.flatnonzero(np.isfinite(people.sub_start[lo:hi]))
    start, months = people.sub_start[idx], people.sub_months[idx]
    fit = np.ceil((cal.days - start) / MONTH_DAYS).astype(np.int64)
    count = np.minimum(months, fit)
    person = np.repeat(idx, count)
    number = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    t = np.repeat(start, count) + number * MONTH_DAYS
    # The cancel comes some way into the last paid month, before the next renewal.
    end = start + (months - 1 + people.sub_cancel[idx]) * MONTH_DAYS
    sub_end = np.full(hi - lo, np.inf)
    sub_end[idx - lo] = np.where(end < cal.days, end, np.inf)
    return person, t, number, sub_end


def order_times(
    people: People,
    b2b: B2BPlan,
    cal: Calendar,
    seed: int,
    chunk: int,
    lo: int,
    hi: int,
    wholesale_alive: np.ndarray,
) -> OrderTimes:
    """Every order of people lo..hi: regular, subscription and wholesale.

    ``wholesale_alive`` (length N) marks the partners still ordering wholesale at the end.
    """
    r_person, r_t, alive = retail_times(people, cal, seed, chunk, lo, hi)
    s_person, s_t, s_number, sub_end = subscription_times(people, cal, lo, hi)
    ws = np.flatnonzero((b2b.ws_person >= lo) & (b2b.ws_person < hi))
    person = np.concatenate([r_person, s_person, b2b.ws_person[ws]])
    t = np.concatenate([r_t, s_t, b2b.ws_t[ws]])
    kind = np.concatenate(
        [
            np.full(r_person.size, REGULAR),
            np.full(s_person.size, SUBSCRIPTION),
            np.full(ws.size, WHOLESALE),
        ]
    ).astype(np.int8)
    ref = np.concatenate([np.zeros(r_person.size, np.int64), s_number, ws])
    order = np.lexsort((t, person))
    subscribed = np.isfinite(people.sub_start[lo:hi]) & ~np.isfinite(sub_end)
    alive = alive | subscribed | wholesale_alive[lo:hi]
    return OrderTimes(person[order], t[order], kind[order], ref[order], alive, sub_end)
