"""Net Promoter Score with Wald and adjusted-Wald confidence intervals.

On the 0–10 "how likely are you to recommend us" scale, promoters answer 9–10,
passives 7–8 and detractors 0–6 (Reichheld 2003, "The one number you need to grow").
With n answers and shares p_P, p_D:

    NPS      = 100 (p_P - p_D)                        (points, -100 … 100)
    Var(p_P - p_D) = (p_P + p_D - (p_P - p_D)^2) / n  (trinomial difference)
    Wald     = NPS ± z · 100 · sqrt(Var)

The Wald interval collapses to a point when every answer is a promoter (or detractor)
and under-covers for small n.  The *adjusted Wald* interval of Rocks (2016, "Interval
estimation for the 'net promoter score'", The American Statistician 70(4):365–372)
adds 3 pseudo-answers — 3/4 promoter, 3/4 detractor, 3/2 passive — before applying the
same formula:

    n~ = n + 3,  p~_P = (n_P + 3/4) / n~,  p~_D = (n_D + 3/4) / n~
    adjusted = 100 (p~_P - p~_D) ± z · 100 · sqrt((p~_P + p~_D - (p~_P - p~_D)^2) / n~)

Rocks found it the best-covering of the simple intervals; prefer it below ~100 answers.
Both intervals are clipped to [-100, 100].  ``z`` is the two-sided normal quantile for
``confidence``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

__all__ = ["NPSResult", "nps", "nps_from_counts"]


@dataclass(frozen=True, slots=True)
class NPSResult:
    score: float  # NPS points, -100 … 100
    promoters: int
    passives: int
    detractors: int
    n: int
    std_error: float  # Wald standard error, in NPS points
    ci_low: float  # Wald interval
    ci_high: float
    adjusted_ci_low: float  # adjusted Wald (Rocks 2016), better for small n
    adjusted_ci_high: float
    confidence: float


def _interval(n_p: float, n_d: float, n: float, z: float) -> tuple[float, float, float, float]:
    p = n_p / n
    d = n_d / n
    diff = p - d
    se = math.sqrt(max(p + d - diff * diff, 0.0) / n)
    lo = max(-1.0, diff - z * se)
    hi = min(1.0, diff + z * se)
    return 100.0 * diff, 100.0 * se, 100.0 * lo, 100.0 * hi


def nps_from_counts(
    promoters: int, passives: int, detractors: int, *, confidence: float = 0.95
) -> NPSResult:
    """NPS and intervals from category counts (e.g. a SQL aggregate).

    Raises ``ValueError`` when the counts are negative or all zero, or when confidence is
    not in (0, 1).
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must be in (0, 1)")
    counts = (int(promoters), int(passives), int(detractors))
    if min(counts) < 0:
        raise ValueError("counts must be non-negative")
    n = sum(counts)
    if n == 0:
        raise ValueError("NPS needs at least one answer")
    z = float(norm.ppf(0.5 + confidence / 2.0))
    score, se, lo, hi = _interval(counts[0], counts[2], n, z)
    _, _, alo, ahi = _interval(counts[0] + 0.75, counts[2] + 0.75, n + 3.0, z)
    return NPSResult(
        score=score,
        promoters=counts[0],
        passives=counts[1],
        detractors=counts[2],
        n=n,
        std_error=se,
        ci_low=lo,
        ci_high=hi,
        adjusted_ci_low=alo,
        adjusted_ci_high=ahi,
        confidence=confidence,
    )


def nps(scores: np.ndarray, *, confidence: float = 0.95) -> NPSResult:
    """NPS of 0–10 answers with Wald and adjusted-Wald intervals (see module docstring).

    Raises ``ValueError`` for empty input or answers that are not integers in 0–10.
    """
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    if s.size == 0:
        raise ValueError("NPS needs at least one answer")
    if not np.all(np.isfinite(s)) or np.any((s < 0) | (s > 10)) or np.any(s != np.round(s)):
        raise ValueError("answers must be integers from 0 to 10")
    promoters = int((s >= 9).sum())
    detractors = int((s <= 6).sum())
    return nps_from_counts(
        promoters, s.size - promoters - detractors, detractors, confidence=confidence
    )
