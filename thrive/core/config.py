"""Reading Thrive's configuration from the environment (12-factor).

Kept free of Django imports so settings.py can use it before Django is configured.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class ConfigError(ValueError):
    """A setting in the environment has a value Thrive cannot use."""


def env_bool(name: str, default: bool) -> bool:
    """Return the boolean in ``name``; raise ConfigError naming it if it is not one."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean; use true or false")


def env_list(name: str, default: list[str]) -> list[str]:
    """Return the comma-separated list in ``name`` (blank items dropped)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def data_dir(base_dir: Path) -> Path:
    """Where the laptop install keeps its database and files (``THRIVE_DATA_DIR``)."""
    return Path(os.environ.get("THRIVE_DATA_DIR", base_dir / "var")).resolve()


def mailer_settings(url: str) -> dict[str, object]:
    """Translate ``EMAIL_URL`` into Django's ``MAILERS["default"]`` entry.

    Supported: ``smtp://user:pass@host:port`` (``?tls=1`` for STARTTLS, ``?timeout=10``),
    ``smtps://…`` (implicit TLS), ``console:``, ``memory:``, ``file:///path``.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme in {"memory", "locmem"}:
        return {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme == "file":
        return {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": unquote(parts.path)},
        }
    if scheme not in {"smtp", "smtps"}:
        raise ConfigError(
            f"EMAIL_URL scheme {scheme!r} is not supported; use smtp, smtps, console or file"
        )
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    try:
        port = parts.port
        timeout = int(query.get("timeout", "10"))
    except ValueError as exc:
        raise ConfigError(f"EMAIL_URL is not valid: {exc}") from exc
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": parts.hostname or "localhost",
            "port": port or (465 if scheme == "smtps" else 25),
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_ssl": scheme == "smtps",
            "use_tls": query.get("tls", "").lower() in TRUE_WORDS,
            "timeout": timeout,
        },
    }


PROXY_HEADERS = ("x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port",
                 "x-forwarded-by", "forwarded")  # fmt: skip


def trusted_proxy() -> dict[str, object]:
    """The TLS proxy whose forwarding headers ``thrive serve`` believes, as waitress options.

    ``THRIVE_TRUSTED_PROXY`` is the proxy's address as the server sees it (``127.0.0.1`` for
    nginx on the same machine, ``*`` for any peer: only when nothing else can reach the
    port). ``THRIVE_TRUSTED_PROXY_HEADERS`` (default ``x-forwarded-for x-forwarded-proto``)
    and ``THRIVE_TRUSTED_PROXY_COUNT`` (proxies in the chain, default 1) refine it. Empty
    when no proxy is trusted: then waitress drops every forwarding header, so a client cannot
    claim another address or scheme.
    """
    address = os.environ.get("THRIVE_TRUSTED_PROXY", "").strip()
    headers_raw = os.environ.get("THRIVE_TRUSTED_PROXY_HEADERS")
    count_raw = os.environ.get("THRIVE_TRUSTED_PROXY_COUNT")
    if not address:
        if headers_raw or count_raw:
            raise ConfigError(
                "THRIVE_TRUSTED_PROXY_HEADERS and THRIVE_TRUSTED_PROXY_COUNT need "
                "THRIVE_TRUSTED_PROXY (the proxy's address)"
            )
        return {}
    headers = (headers_raw or "x-forwarded-for x-forwarded-proto").replace(",", " ").split()
    headers = [header.lower() for header in headers]
    unknown = sorted(set(headers) - set(PROXY_HEADERS))
    if unknown:
        raise ConfigError(
            f"THRIVE_TRUSTED_PROXY_HEADERS has {', '.join(unknown)}; use any of "
            + ", ".join(PROXY_HEADERS)
        )
    try:
        count = int(count_raw or "1")
        if count < 1:
            raise ValueError
    except ValueError:
        raise ConfigError(
            f"THRIVE_TRUSTED_PROXY_COUNT={count_raw!r}; use a whole number of proxies, 1 or more"
        ) from None
    return {
        "trusted_proxy": address,
        "trusted_proxy_headers": " ".join(headers),
        "trusted_proxy_count": count,
    }
