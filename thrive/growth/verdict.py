"""An honest sentence about an A/B result: who won, by how much, how sure, or why not yet."""

from __future__ import annotations

from typing import Any


def _amount(value: float, rates: bool) -> str:
    return f"{value * 100:+.1f} points" if rates else f"{value:+,.2f}"


ARMS = ("A (control)", "B (variant)")


def verdict(
    result: Any, bayes: Any, *, n_now: int, n_planned: int, looks: int,
    arms: tuple[str, str] = ARMS,
) -> dict[str, str]:  # fmt: skip
    """``key`` is one of no_data, too_early, b_wins, a_wins, no_difference; ``title`` and
    ``text`` say it in words, naming each arm (``arms``: A's and B's names, e.g. the
    campaign variants' subjects). A verdict is withheld until the planned size is reached."""
    a, b = arms
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
            "title": f"{b} beats {a}",
            "text": f"The difference is significant: {effect} Keep {b}.",
        }
    if result.significant:
        return {
            "key": "a_wins",
            "title": f"{b} is worse than {a}",
            "text": f"{a} does better, significantly: {effect} Keep {a}.",
        }
    lean = ""
    if bayes is not None and bayes.prob_b_beats_a >= 0.8:
        lean = f" {b} may be a little better, but not surely enough to act on."
    return {
        "key": "no_difference",
        "title": "No detectable difference",
        "text": f"The interval includes zero ({a} against {b}): {effect}{lean} Treat the "
        "two as equal; a "
        "smaller real effect would need a bigger test.",
    }
