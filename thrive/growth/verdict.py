"""An honest sentence about an A/B result: who won, by how much, how sure, or why not yet."""

from __future__ import annotations

from typing import Any


def _amount(value: float, rates: bool) -> str:
    return f"{value * 100:+.1f} points" if rates else f"{value:+,.2f}"


def verdict(result: Any, bayes: Any, *, n_now: int, n_planned: int, looks: int) -> dict[str, str]:
    """``key`` is one of no_data, too_early, b_wins, a_wins, no_difference; ``title`` and
    ``text`` say it in words. A verdict is withheld until the planned size is reached."""
    if result is None:
        return {
            "key": "no_data",
            "title": "No numbers yet",
            "text": "Enter both arms' numbers to see the analysis.",
        }
    rates = hasattr(result, "rate_a")
    ci = (
        f"{_amount(result.ci_low, rates)} to {_amount(result.ci_high, rates)} "
        f"({1 - result.alpha:.0%} confidence)"
    )
    prob = f"; chance B is better: {bayes.prob_b_beats_a:.0%}" if bayes is not None else ""
    effect = f"B − A = {_amount(result.difference, rates)}, {ci}, p = {result.p_value:.3f}{prob}."
    if n_planned and n_now < n_planned:
        return {
            "key": "too_early",
            "title": "Too early to call",
            "text": f"{n_now:,} of {n_planned:,} planned people per arm so far. {effect} "
            "Deciding now would be peeking; wait for the planned sample.",
        }
    if result.significant and result.difference > 0:
        return {
            "key": "b_wins",
            "title": "B beats A",
            "text": f"The difference is significant: {effect}",
        }
    if result.significant:
        return {
            "key": "a_wins",
            "title": "B is worse than A",
            "text": f"The control does better, significantly: {effect} Keep A.",
        }
    lean = ""
    if bayes is not None and bayes.prob_b_beats_a >= 0.8:
        lean = " B may be a little better, but not surely enough to act on."
    return {
        "key": "no_difference",
        "title": "No detectable difference",
        "text": f"The interval includes zero: {effect}{lean} Treat the two as equal; a "
        "smaller real effect would need a bigger test.",
    }
