"""Background work of the webhook sender."""

from __future__ import annotations


def schedule_tick() -> bool:
    """Queue the next delivery tick unless one is pending; True if this call queued it."""
    return False
