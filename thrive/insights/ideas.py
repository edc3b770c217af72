"""Ranking ideas by the breadth and value of the customers behind them, not by volume.

A board sorted by raw votes lets a loud few win; sorted by average importance it lets
three enthusiasts beat three hundred customers. The score here multiplies three terms,
each computed from per-idea aggregates (the database sums; nothing per vote is needed):

    score = L × V × B

**L — how much of the base asks for it, with its uncertainty.** ``k`` distinct supporting
customers out of a base of ``N`` (active customers plus anyone who voted). L is the
lower bound of the Wilson score interval for the share k/N (Wilson 1927, JASA
22:209–212; the same bound Evan Miller popularised for ranking by ratings):

    p = k / N,  z = one-sided normal quantile (1.645 for 95 %)
    L = (p + z²/2N − z·sqrt(p(1−p)/N + z²/4N²)) / (1 + z²/N)

A handful of supporters gets a bound near zero however keen they are; hundreds do not.

**V — how much those supporters weigh.** Each supporter i has an importance
``m_i`` ∈ {1 nice to have, 2 important, 3 critical} and a value ``v_i`` (revenue to date
or predicted CLV, whichever is larger). Their weight is

    u_i = m_i · (1 + ln(1 + v_i / v_ref))          (v_ref: the base's mean value)

log-scaled so that one very large account counts more, but not a hundred times more.
V is the supporters' mean weight shrunk toward a prior of ``m0`` pseudo-supporters
of weight ``u0 = 1 + ln 2`` (a typical customer, "nice to have") — Bayesian shrinkage
of a mean, so three critical votes from big spenders cannot inflate V on their own:

    V = (Σ u_i + m0 · u0) / (k + m0)

**B — how broadly they are spread.** For the supporters' memberships across saved
segments and across acquisition channels, the Shannon entropy normalised by the log of
the number of categories present in the base (Pielou's evenness, 1966, J. Theor. Biol.
13:131–144, with the base's categories as the denominator so covering 2 of 10
segments cannot count as "even"):

    H = −Σ_j q_j ln q_j / ln C      (q_j: share of memberships in category j; 0 if C ≤ 1)
    B = 1 + β · (H_segments + H_channels) / 2       (β = 0.5 by default, B ∈ [1, 1.5])

An idea nobody supports scores 0. All inputs are arrays over ideas in the same order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "IMPORTANCE_WEIGHTS",
    "IdeaRanking",
    "normalised_entropy",
    "rank_ideas",
    "supporter_weight",
    "wilson_lower_bound",
]

# Nice to have, important, critical.
IMPORTANCE_WEIGHTS: dict[str, int] = {"nice": 1, "important": 2, "critical": 3}
# The weight of a typical supporter: "nice to have" at the base's mean value.
PRIOR_WEIGHT = 1.0 + math.log(2.0)


@dataclass(frozen=True, slots=True)
class IdeaRanking:
    score: np.ndarray  # L × V × B
    lower_bound: np.ndarray  # L, Wilson lower bound of the support share
    value_factor: np.ndarray  # V, shrunk mean supporter weight
    breadth: np.ndarray  # B, 1 … 1 + β
    segment_evenness: np.ndarray  # H over segments, 0 … 1
    channel_evenness: np.ndarray  # H over channels, 0 … 1
    order: np.ndarray  # indices of the ideas, best first (ties: more supporters first)


def wilson_lower_bound(k: np.ndarray, n: int | np.ndarray, *, z: float = 1.645) -> np.ndarray:
    """Lower Wilson bound of the proportion k/n (see module docstring); 0 where n or k
    is 0. Raises ``ValueError`` when k < 0 or k > n."""
    k = np.asarray(k, dtype=np.float64)
    n_arr = np.broadcast_to(np.asarray(n, dtype=np.float64), k.shape)
    if np.any(k < 0) or np.any(k > n_arr):
        raise ValueError("supporters must be between 0 and the size of the base")
    out = np.zeros_like(k)
    ok = (n_arr > 0) & (k > 0)
    nn, p = n_arr[ok], k[ok] / n_arr[ok]
    z2 = z * z
    centre = p + z2 / (2 * nn)
    spread = z * np.sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn))
    out[ok] = np.maximum((centre - spread) / (1 + z2 / nn), 0.0)
    return out


def supporter_weight(importance: np.ndarray, value: np.ndarray, reference: float) -> np.ndarray:
    """u = m · (1 + ln(1 + v / v_ref)); negative values (refund-heavy) count as 0 and a
    non-positive reference treats every value as 0."""
    m = np.asarray(importance, dtype=np.float64)
    v = np.maximum(np.asarray(value, dtype=np.float64), 0.0)
    scaled = v / reference if reference > 0 else np.zeros_like(v)
    return m * (1.0 + np.log1p(scaled))


def normalised_entropy(counts: np.ndarray, categories: int) -> np.ndarray:
    """Row-wise Shannon entropy of ``counts`` (ideas × categories) divided by
    ln(categories); 0 for rows without counts or when there is at most one category."""
    c = np.atleast_2d(np.asarray(counts, dtype=np.float64))
    out = np.zeros(c.shape[0])
    if categories <= 1 or c.shape[1] == 0:
        return out
    totals = c.sum(axis=1)
    has = totals > 0
    q = c[has] / totals[has, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.where(q > 0, q * np.log(q), 0.0).sum(axis=1)
    out[has] = h / math.log(categories)
    return np.clip(out, 0.0, 1.0)


def rank_ideas(
    supporters: np.ndarray,
    weight_sums: np.ndarray,
    segment_counts: np.ndarray,
    channel_counts: np.ndarray,
    *,
    base_size: int,
    segment_categories: int | None = None,
    channel_categories: int | None = None,
    prior_supporters: float = 5.0,
    breadth_bonus: float = 0.5,
    z: float = 1.645,
) -> IdeaRanking:
    """Score ideas (see module docstring) from per-idea aggregates.

    ``supporters`` k (distinct customers), ``weight_sums`` Σu over them,
    ``segment_counts`` and ``channel_counts`` (ideas × categories) counting supporters
    per segment / channel. ``*_categories`` default to the number of columns. The base
    is raised to the largest k so a base count taken a moment earlier cannot fail.
    Raises ``ValueError`` for mismatched lengths or negative inputs.
    """
    k = np.asarray(supporters, dtype=np.float64).reshape(-1)
    w = np.asarray(weight_sums, dtype=np.float64).reshape(-1)
    seg = np.atleast_2d(np.asarray(segment_counts, dtype=np.float64))
    chan = np.atleast_2d(np.asarray(channel_counts, dtype=np.float64))
    if w.size != k.size or seg.shape[0] != k.size or chan.shape[0] != k.size:
        raise ValueError("every per-idea input must have one row per idea")
    if np.any(k < 0) or np.any(w < 0) or np.any(seg < 0) or np.any(chan < 0):
        raise ValueError("counts and weights must be non-negative")
    if prior_supporters < 0 or breadth_bonus < 0:
        raise ValueError("prior_supporters and breadth_bonus must be non-negative")
    n = max(int(base_size), int(k.max()) if k.size else 0)
    lower = wilson_lower_bound(k, n, z=z)
    denom = k + prior_supporters
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(denom > 0, (w + prior_supporters * PRIOR_WEIGHT) / denom, 0.0)
    value = np.where(k > 0, value, 0.0)
    h_seg = normalised_entropy(seg, segment_categories or seg.shape[1])
    h_chan = normalised_entropy(chan, channel_categories or chan.shape[1])
    breadth = 1.0 + breadth_bonus * (h_seg + h_chan) / 2.0
    score = lower * value * breadth
    order = np.lexsort((-k, -score)) if k.size else np.empty(0, dtype=np.intp)
    return IdeaRanking(
        score=score,
        lower_bound=lower,
        value_factor=value,
        breadth=breadth,
        segment_evenness=h_seg,
        channel_evenness=h_chan,
        order=order,
    )
