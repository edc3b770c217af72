"""Work that reads fresh scores, run right after each analytics refresh.

Analytics sits below the apps that use its scores (growth's live goals, prospects' lead
scores), so it does not call them: they register here from their ``AppConfig.ready`` and
the refresh job runs them in registration order (the order of INSTALLED_APPS).
"""

from __future__ import annotations

from collections.abc import Callable

_after_refresh: list[Callable[[], object]] = []


def after_refresh(hook: Callable[[], object]) -> None:
    """Run ``hook`` after every analytics refresh (once, however often it is registered)."""
    if hook not in _after_refresh:
        _after_refresh.append(hook)


def run_after_refresh() -> None:
    for hook in _after_refresh:
        hook()
