"""Calling addresses that people typed in (webhooks): http(s) only, never the server's
own network, and no way around that check by DNS rebinding.

The host name is resolved once; every address it resolves to is checked against the
private, loopback, link-local and other internal ranges; the connection then goes to
the checked address while the Host header and the TLS server name stay the original
host's. A name that answered a public address to the check and 127.0.0.1 to the
connection (rebinding) therefore cannot reach inside. Redirects are never followed.
``THRIVE_WEBHOOKS_ALLOW_PRIVATE=1`` lifts the range check (a receiver on your own
network) but still connects to the one resolved address.
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import socket
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

EXCERPT = 500


class AddressRefused(ValueError):
    """The address may not be called; the message says why."""


def allow_private() -> bool:
    return os.environ.get("THRIVE_WEBHOOKS_ALLOW_PRIVATE", "").strip().lower() in {
        "1", "true", "yes", "on",
    }  # fmt: skip


def is_internal(address: str) -> bool:
    """True for addresses a webhook must not reach: private, loopback, link-local,
    multicast, reserved, unspecified (also as IPv4-mapped IPv6)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    # is_global is False for every special-purpose range (also 100.64.0.0/10, shared
    # by carriers, which is_private misses); multicast can be "global" but is no server.
    return (
        not ip.is_global or ip.is_private or ip.is_loopback or ip.is_link_local
        or ip.is_multicast or ip.is_reserved or ip.is_unspecified
    )  # fmt: skip


@dataclass(frozen=True)
class Target:
    """Where to connect: ``addresses`` were all checked (tried in order); ``host`` goes
    in the Host header and the TLS server name."""

    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]
    path: str


def parse_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query); raises AddressRefused for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise AddressRefused("The address is not a valid URL.") from exc
    if parts.scheme not in {"http", "https"}:
        raise AddressRefused("Only http:// and https:// addresses can receive webhooks.")
    if not parts.hostname:
        raise AddressRefused("The address has no host name.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def resolve_target(url: str, *, allow_internal: bool | None = None) -> Target:
    """Resolve ``url``'s host once and check every address; returns the one to connect
    to, or raises AddressRefused naming the host and the reason."""
    scheme, host, port, path = parse_url(url)
    permit = allow_private() if allow_internal is None else allow_internal
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressRefused(f"The host {host} cannot be found.") from exc
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise AddressRefused(f"The host {host} cannot be found.")
    if not permit:
        for address in addresses:
            if is_internal(address):
                raise AddressRefused(
                    f"{host} is a private or local address ({address}); webhooks only go "
                    "to public addresses."
                )
    return Target(scheme, host, port, addresses, path)


def _pinned(connection: http.client.HTTPConnection, addresses: tuple[str, ...]) -> None:
    """Make ``connection`` open its socket to the first of ``addresses`` that answers
    (its host stays the name, which http.client sends as Host and, for HTTPS, as the
    TLS server name and the name the certificate must match)."""

    def create(destination: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        error: OSError = OSError("no address to connect to")
        for address in addresses:
            try:
                return socket.create_connection((address, destination[1]), *args, **kwargs)
            except OSError as exc:
                error = exc
        raise error

    connection._create_connection = create  # type: ignore[attr-defined]


def post_to(
    target: Target, body: bytes, headers: dict[str, str], *, timeout: float,
    context: ssl.SSLContext | None = None,
) -> tuple[int | None, str]:  # fmt: skip
    """POST ``body`` to the checked address; returns (status or None, excerpt or error).
    Any status is returned as it is (a redirect is not followed)."""
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = http.client.HTTPSConnection(
            target.host, target.port, timeout=timeout,
            context=context or ssl.create_default_context(),
        )  # fmt: skip
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
    _pinned(connection, target.addresses)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(EXCERPT).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return None, f"Could not reach the server: {exc}"[:EXCERPT]
    finally:
        connection.close()
