"""Which addresses webhooks may call: http(s) only, and by default never private,
loopback, link-local or otherwise internal addresses (a webhook must not become a way
to reach the server's own network). ``THRIVE_WEBHOOKS_ALLOW_PRIVATE=1`` lifts the
second rule, e.g. for a receiver on the same machine."""

from __future__ import annotations

import ipaddress
import os
import socket
from urllib.parse import urlsplit


class AddressRefused(ValueError):
    pass


def allow_private() -> bool:
    return os.environ.get("THRIVE_WEBHOOKS_ALLOW_PRIVATE", "").strip().lower() in {
        "1", "true", "yes", "on",
    }  # fmt: skip


def _internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
        or ip.is_reserved or ip.is_unspecified
    )  # fmt: skip


def check_url(url: str, *, resolve: bool = True) -> None:
    """Raise AddressRefused saying why ``url`` may not be called."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise AddressRefused("Only http:// and https:// addresses can receive webhooks.")
    host = parts.hostname
    if not host:
        raise AddressRefused("The address has no host name.")
    if allow_private() or not resolve:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressRefused(f"The host {host} cannot be found.") from exc
    for info in infos:
        if _internal(str(info[4][0])):
            raise AddressRefused(
                f"{host} is a private or local address; webhooks only go to public addresses."
            )
