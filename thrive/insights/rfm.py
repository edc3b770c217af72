"""RFM (recency, frequency, monetary) scores and named customer segments.

Scores (Hughes 1994, *Strategic Database Marketing*; quantile variant as commonly used):
each of R, F and M is scored 1..``bins`` by the customer's mid-rank percentile inside the
customer base,

    p_i = (midrank_i - 1/2) / n,     score_i = 1 + floor(bins * p_i)   (clipped to bins)

where ``midrank`` gives tied values the average of the ranks they span, so customers
with equal values always get equal scores (a plain ``qcut`` on ``rank(method="first")``
would split ties arbitrarily).  With distinct values and ``n`` a multiple of ``bins``
every score holds exactly ``n / bins`` customers.  Recency is ranked on ``-days`` so
that *recent* customers score high.  Heavy ties (e.g. most customers ordering once)
put the whole tie at the score of its middle percentile — documented and deliberate.

Segments use R and the combined FM score ``FM = floor((F + M + 1) / 2)`` (the mean of F
and M rounded half up), on this 5 × 5 grid (rows R, columns FM):

    R \\ FM   1                2                    3                    4           5
    5        new_customers    potential_loyalists  potential_loyalists  champions   champions
    4        promising        potential_loyalists  potential_loyalists  loyal       champions
    3        about_to_sleep   about_to_sleep       need_attention       loyal       loyal
    2        hibernating      hibernating          at_risk              at_risk     cant_lose_them
    1        lost             lost                 at_risk              at_risk     cant_lose_them

This is our rendering of the widely used 11-segment RFM map (recent + valuable at the
top right, long-gone + low value at the bottom left); the plain-words meaning of each
segment is in :data:`RFM_SEGMENT_DESCRIPTIONS`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

__all__ = [
    "RFM_SEGMENTS",
    "RFM_SEGMENT_DESCRIPTIONS",
    "RFM_SEGMENT_GRID",
    "RFM_SEGMENT_NAMES",
    "RFMScores",
    "rfm_scores",
    "rfm_segment_name",
    "rfm_segments",
]

RFM_SEGMENT_DESCRIPTIONS: dict[str, str] = {
    "champions": "Bought recently, buy often and spend the most.",
    "loyal": "Buy regularly and spend well; respond to recognition and rewards.",
    "potential_loyalists": "Recent customers with average frequency and spend; can be "
    "turned into loyal ones with membership or follow-up offers.",
    "new_customers": "Bought very recently, but only once or twice and for little so far.",
    "promising": "Recent buyers who have not spent much yet; worth nurturing.",
    "need_attention": "Middling recency, frequency and spend; may slip without a nudge.",
    "about_to_sleep": "Below-average recency and low value; will be lost without re-activation.",
    "at_risk": "Used to buy often and spend well, but not for a long time; win them back.",
    "cant_lose_them": "Among the biggest, most frequent buyers ever, yet long gone; "
    "reach out personally.",
    "hibernating": "Last order long ago, few orders and low spend.",
    "lost": "Lowest recency, frequency and spend; unlikely to come back.",
}

RFM_SEGMENTS: tuple[str, ...] = tuple(RFM_SEGMENT_DESCRIPTIONS)

# The name people read for each segment key (the keys stay in data, segment rules and
# exports).
RFM_SEGMENT_NAMES: dict[str, str] = {
    "champions": "Champions",
    "loyal": "Loyal",
    "potential_loyalists": "Potential loyalists",
    "new_customers": "New customers",
    "promising": "Promising",
    "need_attention": "Need attention",
    "about_to_sleep": "About to sleep",
    "at_risk": "At risk",
    "cant_lose_them": "Can't lose them",
    "hibernating": "Hibernating",
    "lost": "Lost",
}


def rfm_segment_name(key: str) -> str:
    """``"cant_lose_them"`` → ``"Can't lose them"``; an unknown key in words."""
    text = str(key or "")
    return RFM_SEGMENT_NAMES.get(text) or text.replace("_", " ").capitalize()


# RFM_SEGMENT_GRID[r - 1][fm - 1] is the segment for R score r and FM score fm.
RFM_SEGMENT_GRID: tuple[tuple[str, ...], ...] = (
    ("lost", "lost", "at_risk", "at_risk", "cant_lose_them"),  # R = 1
    ("hibernating", "hibernating", "at_risk", "at_risk", "cant_lose_them"),  # R = 2
    ("about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"),  # R = 3
    (
        "promising",
        "potential_loyalists",
        "potential_loyalists",
        "loyal",
        "champions",
    ),  # R = 4
    (
        "new_customers",
        "potential_loyalists",
        "potential_loyalists",
        "champions",
        "champions",
    ),  # R = 5
)


@dataclass(frozen=True, slots=True)
class RFMScores:
    """Per-customer integer scores in 1..bins (higher is better for the business)."""

    recency: np.ndarray  # int64
    frequency: np.ndarray  # int64
    monetary: np.ndarray  # int64
    fm: np.ndarray  # int64, floor((F + M + 1) / 2)
    bins: int

    @property
    def codes(self) -> np.ndarray:
        """Three-digit "RFM cell" codes such as ``"545"`` (for bins <= 9)."""
        return np.char.add(
            np.char.add(self.recency.astype(str), self.frequency.astype(str)),
            self.monetary.astype(str),
        )


def _quantile_scores(values: np.ndarray, bins: int) -> np.ndarray:
    n = values.size
    if n == 0:
        return np.empty(0, dtype=np.int64)
    p = (rankdata(values, method="average") - 0.5) / n
    return np.minimum(np.floor(p * bins).astype(np.int64) + 1, bins)


def _as_float(name: str, x: object) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite")
    return a


def rfm_scores(
    recency_days: np.ndarray,
    frequency: np.ndarray,
    monetary: np.ndarray,
    *,
    bins: int = 5,
) -> RFMScores:
    """Quantile RFM scores (see module docstring for the formula).

    ``recency_days`` (days since last order, >= 0), ``frequency`` (orders, >= 0) and
    ``monetary`` (spend; any finite value) are equal-length per-customer arrays.  Empty
    input returns empty scores.  Raises ``ValueError`` on NaN/inf, negative recency or
    frequency, mismatched lengths or ``bins < 2``.
    """
    if bins < 2:
        raise ValueError("bins must be >= 2")
    r = _as_float("recency_days", recency_days)
    f = _as_float("frequency", frequency)
    m = _as_float("monetary", monetary)
    if not (r.size == f.size == m.size):
        raise ValueError("recency_days, frequency and monetary must have equal length")
    if np.any(r < 0) or np.any(f < 0):
        raise ValueError("recency_days and frequency must be non-negative")
    rs = _quantile_scores(-r, bins)  # fewer days since last order = better
    fs = _quantile_scores(f, bins)
    ms = _quantile_scores(m, bins)
    return RFMScores(recency=rs, frequency=fs, monetary=ms, fm=(fs + ms + 1) // 2, bins=bins)


def rfm_segments(scores: RFMScores) -> np.ndarray:
    """Segment name per customer from the R × FM grid (requires ``bins == 5``).

    Returns a numpy array of ``str`` with values from :data:`RFM_SEGMENTS`.
    """
    if scores.bins != 5:
        raise ValueError("the named segment map is defined for 5 bins only")
    # A fixed-width string grid: indexing it is a plain copy, no per-customer objects.
    grid = np.array(RFM_SEGMENT_GRID, dtype="<U19")
    if scores.recency.size == 0:
        return np.empty(0, dtype="<U19")
    return grid[scores.recency - 1, scores.fm - 1]
