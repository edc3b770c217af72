"""Which addresses webhooks may call: http(s) only, and by default never private,
loopback, link-local or otherwise internal addresses (a webhook must not become a way
to reach the server's own network). ``THRIVE_WEBHOOKS_ALLOW_PRIVATE=1`` lifts the
second rule, e.g. for a receiver on the same machine. The checks and the pinned
connection live in :mod:`thrive.core.outbound`."""

from __future__ import annotations

from thrive.core.outbound import AddressRefused, allow_private, parse_url, resolve_target

__all__ = ["AddressRefused", "allow_private", "check_url"]


def check_url(url: str, *, resolve: bool = True) -> None:
    """Raise AddressRefused saying why ``url`` may not be called."""
    if resolve:
        resolve_target(url)
    else:
        parse_url(url)
