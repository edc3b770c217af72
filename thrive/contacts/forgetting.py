"""Who deletes what was predicted about a person who declines profiling.

The apps that store predictions (scores, churn risk, lead scores) sit above contacts, so
they register here from their AppConfig.ready and contacts calls them without importing
them."""

from __future__ import annotations

from collections.abc import Callable

_FORGET: list[Callable[[int], object]] = []


def on_decline(forget: Callable[[int], object]) -> None:
    """Register ``forget(person_id)``: delete what the app predicted about that person."""
    if forget not in _FORGET:
        _FORGET.append(forget)


def forget_predictions(person_id: int) -> None:
    for forget in _FORGET:
        forget(person_id)
