"""Work to start when the site starts serving, so the first visitor does not wait for it.

Core knows no app: each app that has something to warm adds it here from its
``AppConfig.ready`` and ``thrive serve`` runs them all.
"""

from __future__ import annotations

from collections.abc import Callable

_warmups: list[Callable[[], None]] = []


def register(warmup: Callable[[], None]) -> None:
    """Run ``warmup`` when the site starts serving (once per registration)."""
    if warmup not in _warmups:
        _warmups.append(warmup)


def run_all() -> None:
    for warmup in _warmups:
        warmup()
