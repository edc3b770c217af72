"""What runs after orders change, registered by the apps above commerce at start-up.

Analytics registers its refresh request, so an order recorded, refunded or voided by
hand, through the API or anywhere else reaches the customer scores and the dashboard
without commerce importing analytics (which sits above it).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

_orders_changed: list[Callable[[], object]] = []


def on_orders_changed(hook: Callable[[], object]) -> None:
    """Run ``hook`` after a transaction that changed orders commits (once per hook)."""
    if hook not in _orders_changed:
        _orders_changed.append(hook)


def orders_changed() -> None:
    """Called by the order services inside their transaction; hooks run after commit, so
    a rolled-back change triggers nothing."""
    for hook in _orders_changed:
        transaction.on_commit(hook)
