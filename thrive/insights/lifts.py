"""What the best customers have in common: lift of each attribute value, with uncertainty.

For a population of ``n`` customers of whom ``t`` are in the top group (e.g. the top tenth
by predicted lifetime value), and an attribute value ``v`` held by ``n_v`` customers of
whom ``t_v`` are in the top group:

    base rate      p   = t / n
    rate of v      p_v = t_v / n_v
    lift of v          = p_v / p        ("customers with v are lift× as likely to be top")
    share of top       = t_v / t        (how much of the top group has v)

The uncertainty of ``p_v`` is the Wilson score interval (E. B. Wilson, "Probable
inference, the law of succession, and statistical inference", JASA 22, 1927):

    centre = (p̂ + z²/2m) / (1 + z²/m),   half = z √(p̂(1−p̂)/m + z²/4m²) / (1 + z²/m)

with ``m = n_v``; dividing its ends by ``p`` gives the lift's interval (the base rate is
taken as known: it rests on the whole population).  A lift is *clear* when its interval
excludes 1.  Values held by fewer than ``min_members`` customers are left out: their
lifts are noise.  The top group is the ``ceil(share · n)`` highest values, ties broken by
input order, so it always has the stated size.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Lift", "lift_sentence", "profile_lifts", "top_share_mask", "wilson_interval"]


@dataclass(frozen=True, slots=True)
class Lift:
    """The lift of one attribute value among the top group."""

    attribute: str  # e.g. "acquisition channel"
    value: str  # e.g. "Partner café"
    members: int  # customers with this value
    top_members: int  # of them in the top group
    rate: float  # top_members / members
    base_rate: float  # top / everyone
    lift: float  # rate / base_rate
    low: float  # lower end of the lift's Wilson interval
    high: float  # upper end
    share_of_top: float  # top_members / top

    @property
    def clear(self) -> bool:
        """True when the interval excludes 1: more (or less) likely beyond chance."""
        return self.low > 1.0 or self.high < 1.0


def wilson_interval(successes: int, trials: int, *, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion; (0, 1) when there are no trials.

    Raises ``ValueError`` if successes is outside 0..trials.
    """
    if trials < 0 or successes < 0 or successes > trials:
        raise ValueError("successes must lie between 0 and trials")
    if trials == 0:
        return 0.0, 1.0
    p = successes / trials
    z2 = z * z
    denom = 1.0 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def top_share_mask(values: np.ndarray, share: float = 0.1) -> np.ndarray:
    """Boolean mask of the ``ceil(share · n)`` highest ``values`` (NaN never counts as
    top; ties broken by input order).  Raises ``ValueError`` unless 0 < share <= 1."""
    if not 0.0 < share <= 1.0:
        raise ValueError("share must be in (0, 1]")
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    mask = np.zeros(v.size, dtype=bool)
    finite = np.flatnonzero(np.isfinite(v))
    k = min(math.ceil(share * v.size), finite.size)
    if k:
        # Stable sort of the negated values: highest first, earlier rows first on ties.
        order = finite[np.argsort(-v[finite], kind="stable")]
        mask[order[:k]] = True
    return mask


def profile_lifts(
    is_top: np.ndarray,
    attributes: Mapping[str, Sequence[str | None]],
    *,
    min_members: int = 5,
    z: float = 1.96,
) -> list[Lift]:
    """The lift of every attribute value held by at least ``min_members`` customers.

    ``is_top`` marks the top group (one bool per customer); each attribute gives one
    value per customer (``None`` or "" for unknown: left out of that attribute's values
    but kept in the base rate).  Sorted by lift, highest first, then by members.  An
    empty population or an empty top group gives no lifts.  Raises ``ValueError`` when
    an attribute's length differs from ``is_top``.
    """
    top = np.asarray(is_top, dtype=bool).reshape(-1)
    n, t = top.size, int(top.sum())
    if n == 0 or t == 0:
        return []
    base = t / n
    lifts: list[Lift] = []
    for attribute, raw in attributes.items():
        values = np.array(["" if v is None else str(v) for v in raw], dtype=object)
        if values.size != n:
            raise ValueError(f"attribute {attribute!r} has {values.size} values for {n} customers")
        known = values != ""
        labels, inverse = np.unique(values[known].astype(str), return_inverse=True)
        members = np.bincount(inverse, minlength=labels.size)
        tops = np.bincount(inverse, weights=top[known].astype(float), minlength=labels.size)
        for label, member_count, top_weight in zip(labels, members, tops, strict=True):
            m, k = int(member_count), int(round(top_weight))
            if m < min_members:
                continue
            lo, hi = wilson_interval(k, m, z=z)
            lifts.append(
                Lift(
                    attribute=attribute,
                    value=str(label),
                    members=m,
                    top_members=k,
                    rate=k / m,
                    base_rate=base,
                    lift=(k / m) / base,
                    low=lo / base,
                    high=hi / base,
                    share_of_top=k / t,
                )
            )
    lifts.sort(key=lambda item: (-item.lift, -item.members, item.attribute, item.value))
    return lifts


def _times(x: float) -> str:
    return f"{x:.1f}×" if x < 10 else f"{x:.0f}×"


def lift_sentence(
    lift: Lift, *, population: str = "Clients", top_label: str = "the top tenth"
) -> str:
    """The lift in plain words, e.g. "Clients whose acquisition channel is Partner café are
    2.3× as likely to be in the top tenth (9 of 20; likely between 1.4× and 3.1×)."""
    subject = f"{population} whose {lift.attribute} is {lift.value}"
    if lift.top_members == 0:
        claim = f"none of the {lift.members} are in {top_label}"
        return f"{subject}: {claim} (likely at most {_times(lift.high)} as likely)."
    if 0.95 <= lift.lift <= 1.05:
        verb = f"are about as likely as anyone to be in {top_label}"
    elif lift.lift > 1:
        verb = f"are {_times(lift.lift)} as likely to be in {top_label}"
    else:
        verb = f"are only {_times(lift.lift)} as likely to be in {top_label}"
    note = (
        f"{lift.top_members} of {lift.members}; likely between {_times(lift.low)} "
        f"and {_times(lift.high)}"
    )
    if not lift.clear:
        note += ", which could be chance"
    return f"{subject} {verb} ({note})."
