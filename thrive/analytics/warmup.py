"""Start computing the dashboard when the site starts serving."""

from __future__ import annotations

from .queries import latest_snapshot
from .refresh import ensure_fresh


def warm_dashboard() -> None:
    ensure_fresh(latest_snapshot())
