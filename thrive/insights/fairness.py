"""Is a scoring model fair to each group? Rates and calibration by group.

For people split into groups by one attribute (acquisition channel, a custom field…),
each with a predicted probability ``p`` and, when the outcome is known, whether it
happened ``y``:

    mean predicted   p̄_g = Σ p / n_g               (how the model treats the group)
    actual rate      ȳ_g = Σ y / n_g               (what happened)
    calibration gap      = p̄_g − ȳ_g               (> 0: the model expects too much)
    ratio to best        = p̄_g / max_h p̄_h         (over groups large enough to judge)

The "four-fifths rule" (US Uniform Guidelines on Employee Selection Procedures, 29 CFR
1607.4(D)) flags a group whose rate is below 80 % of the best group's.  Here the rate is
the mean predicted chance: a low ratio says the model ranks the group lower; whether
that is unfair depends on calibration — if the group's actual rate is just as low the
model reflects a real difference, if the model predicts below what actually happened it
under-rates the group.  Calibration is judged with the Wilson interval of the actual
rate (``thrive.insights.lifts.wilson_interval``): predicted inside it is "in line".
Groups with fewer than ``min_group`` people are reported but not judged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .lifts import wilson_interval

__all__ = ["FairnessGroup", "FairnessReport", "fairness_report"]

UNKNOWN = "Not recorded"
MIN_GROUP = 20
FOUR_FIFTHS = 0.8


@dataclass(frozen=True, slots=True)
class FairnessGroup:
    value: str
    count: int
    mean_predicted: float
    actual_rate: float | None  # None when outcomes are not known yet
    actual_low: float | None
    actual_high: float | None
    ratio_to_best: float | None  # None for a group too small to judge
    too_small: bool

    @property
    def gap(self) -> float | None:
        """Mean predicted minus actual rate (> 0: the model expects too much)."""
        return None if self.actual_rate is None else self.mean_predicted - self.actual_rate

    @property
    def calibration(self) -> str:
        """ "in line", "over" (predicts more than happened), "under", or "" unjudged."""
        if self.too_small or self.actual_low is None or self.actual_high is None:
            return ""
        if self.mean_predicted > self.actual_high:
            return "over"
        if self.mean_predicted < self.actual_low:
            return "under"
        return "in line"

    @property
    def below_four_fifths(self) -> bool:
        return self.ratio_to_best is not None and self.ratio_to_best < FOUR_FIFTHS


@dataclass(frozen=True, slots=True)
class FairnessReport:
    attribute: str
    groups: list[FairnessGroup]
    best: str  # the judged group with the highest mean predicted chance, "" if none
    has_outcomes: bool

    @property
    def judged(self) -> list[FairnessGroup]:
        return [g for g in self.groups if not g.too_small]

    def sentences(self) -> list[str]:
        """The report in words, one sentence per finding."""
        if not self.groups:
            return [f"Nobody scored has a {self.attribute} recorded yet."]
        if not self.judged:
            return [f"Every {self.attribute} group has fewer than {MIN_GROUP} people scored: "
                    "too few to judge whether the model treats them fairly."]  # fmt: skip
        out = [f"By {self.attribute}, the model gives the highest chance to {self.best}."]
        best = next(g for g in self.judged if g.value == self.best)
        for g in self.judged:
            if g.value == self.best:
                continue
            share = f"{g.ratio_to_best:.0%} of {self.best}'s"
            if g.below_four_fifths:
                text = f"{g.value}: the model's chance is {share}, below four-fifths"
                if g.calibration == "under":
                    text += (", and lower than what actually happened "
                             f"({g.mean_predicted:.1%} predicted, {g.actual_rate:.1%} "
                             "actual): the model under-rates this group.")  # fmt: skip
                elif g.actual_rate is not None and best.actual_rate is not None:
                    actual = (f"{g.actual_rate:.1%} became clients against "
                              f"{best.actual_rate:.1%} of {self.best}")  # fmt: skip
                    if g.actual_rate >= FOUR_FIFTHS * best.actual_rate:
                        text += (f", though {actual}: the model ranks this group lower than "
                                 "what happened warrants.")  # fmt: skip
                    else:
                        text += (f"; {actual}, so the model reflects a real difference; "
                                 "check it is not one your own treatment of this group "
                                 "caused.")  # fmt: skip
                else:
                    text += "; its actual rate is not known yet, so watch it."
                out.append(text)
            elif g.calibration == "under":
                out.append(f"{g.value}: within four-fifths ({share}), but the model predicts "
                           f"{g.mean_predicted:.1%} where {g.actual_rate:.1%} became clients: "
                           "it under-rates this group.")  # fmt: skip
            elif g.calibration == "over":
                out.append(f"{g.value}: within four-fifths ({share}); the model expects "
                           f"more ({g.mean_predicted:.1%}) than happened "
                           f"({g.actual_rate:.1%}).")  # fmt: skip
        flagged = [g for g in self.judged if g.below_four_fifths or g.calibration == "under"]
        if not flagged:
            out.append("No group is below four-fifths of the best or under-rated by the "
                       "model.")  # fmt: skip
        small = [g.value for g in self.groups if g.too_small]
        if small:
            out.append(f"Too few people to judge ({len(small)} group"
                       f"{'s' if len(small) != 1 else ''} under {MIN_GROUP}): "
                       f"{', '.join(small[:6])}{'…' if len(small) > 6 else ''}.")  # fmt: skip
        return out


def fairness_report(
    attribute: str,
    groups: Sequence[str | None],
    predicted: Sequence[float] | np.ndarray,
    outcomes: Sequence[bool] | np.ndarray | None = None,
    *,
    min_group: int = MIN_GROUP,
) -> FairnessReport:
    """Per group of ``attribute``: count, mean predicted, actual rate (when ``outcomes``
    is given) with its Wilson interval, and the ratio to the best judged group. Empty or
    None values form the group "Not recorded". Groups are ordered largest first. Raises
    ``ValueError`` when the lengths differ or a probability lies outside 0..1."""
    p = np.asarray(predicted, dtype=np.float64).reshape(-1)
    values = np.array([str(v) if v else UNKNOWN for v in groups], dtype=object)
    if values.size != p.size:
        raise ValueError(f"{values.size} groups for {p.size} predictions")
    if p.size and (np.isnan(p).any() or p.min() < 0 or p.max() > 1):
        raise ValueError("predicted probabilities must lie between 0 and 1")
    y = None
    if outcomes is not None:
        y = np.asarray(outcomes, dtype=bool).reshape(-1)
        if y.size != p.size:
            raise ValueError(f"{y.size} outcomes for {p.size} predictions")
    rows = []
    for value in sorted(set(values.tolist())):
        mask = values == value
        n = int(mask.sum())
        actual = low = high = None
        if y is not None:
            k = int(y[mask].sum())
            actual = k / n
            low, high = wilson_interval(k, n)
        rows.append((value, n, float(p[mask].mean()), actual, low, high))
    judged = [r for r in rows if r[1] >= min_group]
    best_row = max(judged, key=lambda r: (r[2], r[1]), default=None)
    top = best_row[2] if best_row else 0.0
    out = [
        FairnessGroup(
            value=value, count=n, mean_predicted=mean, actual_rate=actual, actual_low=low,
            actual_high=high, too_small=n < min_group,
            ratio_to_best=(mean / top if top > 0 else 1.0) if n >= min_group else None,
        )
        for value, n, mean, actual, low, high in rows
    ]  # fmt: skip
    out.sort(key=lambda g: (-g.count, g.value))
    return FairnessReport(attribute=attribute, groups=out, best=best_row[0] if best_row else "",
                          has_outcomes=y is not None)  # fmt: skip
