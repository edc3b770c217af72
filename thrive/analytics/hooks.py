"""What the apps above analytics plug into it, from their ``AppConfig.ready``.

* After-refresh hooks: work that reads fresh scores (growth's live goals, prospects' lead
  scores), run right after each refresh in registration order (INSTALLED_APPS order).
* KPI sources: dashboard cards computed from an upper app's data (voice's NPS), called
  with the current and previous 90-day windows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

_after_refresh: list[Callable[[], object]] = []


def after_refresh(hook: Callable[[], object]) -> None:
    """Run ``hook`` after every analytics refresh (once, however often it is registered)."""
    if hook not in _after_refresh:
        _after_refresh.append(hook)


def run_after_refresh() -> None:
    for hook in _after_refresh:
        hook()


KpiSource = Callable[[dt.datetime, dt.datetime, dt.datetime, dt.datetime], list[dict[str, Any]]]
_kpi_sources: list[KpiSource] = []


def add_kpi_source(source: KpiSource) -> None:
    """Show ``source``'s KPI cards on the dashboard (after retention, before the funnel)."""
    if source not in _kpi_sources:
        _kpi_sources.append(source)


def kpi_sources() -> list[KpiSource]:
    return list(_kpi_sources)
