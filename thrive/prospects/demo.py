"""What the demo business shows of this app."""

from __future__ import annotations


def seed_demo(owner_username: str) -> None:
    """Seed the demo's records for this app (idempotent)."""
