"""Did a campaign make money? One arm's orders and revenue per person against a control.

Each person in an arm counts once, whether or not they ordered (zeros included), over the
same window after their own start (the send, the enrolment). For the treated arm T and
the control C:

* **Conversion**: p = people who ordered ÷ people in the arm; the difference p_T − p_C
  with Newcombe's hybrid score interval (Newcombe 1998, *Statistics in Medicine*
  17:873–890, method 10), built from each arm's Wilson score interval (l, u):

      Wilson:  (p + z²/2n ± z √(p(1−p)/n + z²/4n²)) ÷ (1 + z²/n)
      L = d − √((p_T − l_T)² + (u_C − p_C)²),   U = d + √((u_T − p_T)² + (p_C − l_C)²)

  It stays inside [−1, 1] and behaves with few or no buyers, where the Wald interval
  does not (Newcombe's example 56/70 − 48/80 = 0.200, interval 0.0524 to 0.3339).
* **Revenue per person**: the difference of the arms' means with Welch's interval
  (Welch 1947): se = √(s_T²/n_T + s_C²/n_C), ν from Welch–Satterthwaite,
  d ± t_{ν, 1−α/2} · se.

The verdict says in words what the intervals allow: too few people (fewer than
``MIN_PEOPLE`` in either arm) or too few buyers (fewer than ``MIN_BUYERS`` in both arms
together) to tell; likely more (or less) revenue when the whole revenue interval lies
above (below) zero; otherwise no clear difference, with the range the data allow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = [
    "MIN_BUYERS",
    "MIN_PEOPLE",
    "ArmOutcome",
    "Uplift",
    "arm_outcome",
    "compare_arms",
    "newcombe_interval",
    "without_top_spenders",
    "welch_interval",
    "wilson_interval",
]

MIN_PEOPLE = 30
MIN_BUYERS = 5


@dataclass(frozen=True)
class ArmOutcome:
    """One arm's people and what they did in the window."""

    people: int
    buyers: int  # people with at least one order
    orders: int
    revenue: float
    revenue_sd: float  # standard deviation of revenue per person (ddof 1; 0 for one person)

    @property
    def conversion(self) -> float:
        return self.buyers / self.people if self.people else math.nan

    @property
    def revenue_per_person(self) -> float:
        return self.revenue / self.people if self.people else math.nan

    @property
    def orders_per_person(self) -> float:
        return self.orders / self.people if self.people else math.nan


@dataclass(frozen=True)
class Uplift:
    """Treated against control: differences, intervals and the verdict in words."""

    treated: ArmOutcome
    control: ArmOutcome
    confidence: float
    conversion_difference: float
    conversion_low: float
    conversion_high: float
    revenue_difference: float  # per person
    revenue_low: float
    revenue_high: float
    verdict: str  # one of too_few_people, too_few_buyers, more, less, unclear
    words: str


def arm_outcome(orders: object, revenue: object) -> ArmOutcome:
    """Sum up per-person order counts and revenue (one entry per person in the arm)."""
    n_orders = np.asarray(orders, dtype=np.int64).reshape(-1)
    money = np.asarray(revenue, dtype=np.float64).reshape(-1)
    if n_orders.shape != money.shape:
        raise ValueError("orders and revenue need one entry per person")
    if np.any(n_orders < 0):
        raise ValueError("order counts cannot be negative")
    if not np.all(np.isfinite(money)):
        raise ValueError("revenue must be finite")
    sd = float(money.std(ddof=1)) if money.size > 1 else 0.0
    return ArmOutcome(
        people=int(n_orders.size),
        buyers=int(np.count_nonzero(n_orders > 0)),
        orders=int(n_orders.sum()),
        revenue=float(money.sum()),
        revenue_sd=sd,
    )


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError("confidence must lie between 0 and 1")
    return float(stats.norm.ppf(0.5 + confidence / 2))


def wilson_interval(x: int, n: int, *, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson's score interval of the proportion x / n."""
    if n <= 0 or not 0 <= x <= n:
        raise ValueError(f"need 0 <= x <= n and n > 0 (got x={x}, n={n})")
    z = _z(confidence)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_interval(
    x_t: int, n_t: int, x_c: int, n_c: int, *, confidence: float = 0.95
) -> tuple[float, float, float]:
    """p_T − p_C with Newcombe's hybrid score interval: (difference, low, high)."""
    l_t, u_t = wilson_interval(x_t, n_t, confidence=confidence)
    l_c, u_c = wilson_interval(x_c, n_c, confidence=confidence)
    p_t, p_c = x_t / n_t, x_c / n_c
    d = p_t - p_c
    low = d - math.sqrt((p_t - l_t) ** 2 + (u_c - p_c) ** 2)
    high = d + math.sqrt((u_t - p_t) ** 2 + (p_c - l_c) ** 2)
    return d, low, high


def welch_interval(
    mean_t: float, sd_t: float, n_t: int, mean_c: float, sd_c: float, n_c: int,
    *, confidence: float = 0.95,
) -> tuple[float, float, float]:  # fmt: skip
    """mean_T − mean_C with Welch's interval: (difference, low, high).

    With no spread in either arm (everyone spent the same) the interval is the point."""
    if n_t < 2 or n_c < 2:
        raise ValueError("Welch's interval needs at least two people in each arm")
    d = mean_t - mean_c
    vt, vc = sd_t * sd_t / n_t, sd_c * sd_c / n_c
    se = math.sqrt(vt + vc)
    if se == 0:
        return d, d, d
    df = (vt + vc) ** 2 / (vt * vt / (n_t - 1) + vc * vc / (n_c - 1))
    q = float(stats.t.ppf(0.5 + confidence / 2, df))
    return d, d - q * se, d + q * se


def without_top_spenders(
    orders: object, revenue: object, *, share: float = 0.01
) -> tuple[np.ndarray, np.ndarray]:
    """The arm without its biggest spenders (``share`` of the people, at least one), to see
    whether a verdict rests on a few large orders (a wholesale customer, say)."""
    n_orders = np.asarray(orders, dtype=np.int64).reshape(-1)
    money = np.asarray(revenue, dtype=np.float64).reshape(-1)
    drop = max(1, math.ceil(share * money.size)) if money.size else 0
    keep = np.argsort(money, kind="stable")[: money.size - drop]
    keep.sort()
    return n_orders[keep], money[keep]


def _money(value: float) -> str:
    return f"{value:+,.2f}"


def compare_arms(treated: ArmOutcome, control: ArmOutcome, *, confidence: float = 0.95) -> Uplift:
    """The treated arm against the control, with intervals and an honest verdict."""
    _z(confidence)
    nan = math.nan
    conv = (nan, nan, nan)
    rev = (nan, nan, nan)
    if treated.people and control.people:
        conv = newcombe_interval(
            treated.buyers, treated.people, control.buyers, control.people,
            confidence=confidence,
        )  # fmt: skip
    if treated.people >= 2 and control.people >= 2:
        rev = welch_interval(
            treated.revenue_per_person, treated.revenue_sd, treated.people,
            control.revenue_per_person, control.revenue_sd, control.people,
            confidence=confidence,
        )  # fmt: skip
    level = f"{confidence:.0%}"
    smaller = min(treated.people, control.people)
    if smaller < MIN_PEOPLE:
        verdict = "too_few_people"
        words = (
            f"Not enough people to tell: the smaller group has {smaller} "
            f"{'person' if smaller == 1 else 'people'}; at least {MIN_PEOPLE} in each are "
            "needed before an interval means much."
        )
    elif treated.buyers + control.buyers < MIN_BUYERS:
        verdict = "too_few_buyers"
        buyers = treated.buyers + control.buyers
        words = (
            f"Not enough orders to tell: {buyers} of {treated.people + control.people} "
            f"people ordered in the window; at least {MIN_BUYERS} buyers are needed."
        )
    else:
        span = f"{_money(rev[1])} to {_money(rev[2])} per person ({level} interval)"
        if rev[1] > 0:
            verdict = "more"
            words = f"Likely more revenue: {_money(rev[0])} per person, {span}."
        elif rev[2] < 0:
            verdict = "less"
            words = f"Likely less revenue: {_money(rev[0])} per person, {span}."
        else:
            verdict = "unclear"
            ordered = ""
            if conv[1] > 0:
                ordered = " More people ordered, but not enough more revenue to be sure."
            words = (
                f"No clear difference in revenue: {_money(rev[0])} per person, but the "
                f"data allow anything from {span}.{ordered}"
            )
    return Uplift(
        treated=treated,
        control=control,
        confidence=confidence,
        conversion_difference=conv[0],
        conversion_low=conv[1],
        conversion_high=conv[2],
        revenue_difference=rev[0],
        revenue_low=rev[1],
        revenue_high=rev[2],
        verdict=verdict,
        words=words,
    )
