"""Re-deriving scheduled background work from the data (after a restore).

Scheduled jobs (a booking's reminder, the automation engine's next tick, a campaign's
scheduled send) live in the task queue, which a restore does not bring back. Each app that
schedules work registers a hook in its ``AppConfig.ready``; ``reschedule_all()`` calls them
all. Core knows no app: the apps come to it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger("thrive.jobs")

# name → hook returning how many jobs it queued
_HOOKS: dict[str, Callable[[], int]] = {}


def register(name: str, hook: Callable[[], int]) -> None:
    """Register ``hook`` (idempotent: queues only what is missing) under ``name``."""
    _HOOKS[name] = hook


def hooks() -> dict[str, Callable[[], int]]:
    return dict(_HOOKS)


def reschedule_all() -> dict[str, int]:
    """Run every registered hook; returns how many jobs each queued."""
    queued: dict[str, int] = {}
    for name, hook in sorted(_HOOKS.items()):
        queued[name] = hook()
        log.info("rescheduled %s: %s job(s)", name, queued[name])
    return queued
