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


def email_settings(url: str) -> dict[str, object]:
    """Translate ``EMAIL_URL`` into Django email settings.

    Supported: ``smtp://user:pass@host:port`` (``?tls=1`` for STARTTLS),
    ``smtps://…`` (implicit TLS), ``console:``, ``memory:``, ``file:///path``.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme in {"memory", "locmem"}:
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": unquote(parts.path),
        }
    if scheme not in {"smtp", "smtps"}:
        raise ConfigError(
            f"EMAIL_URL scheme {scheme!r} is not supported; use smtp, smtps, console or file"
        )
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    try:
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"EMAIL_URL has an invalid port: {exc}") from exc
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": port or (465 if scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": scheme == "smtps",
        "EMAIL_USE_TLS": query.get("tls", "").lower() in TRUE_WORDS,
        "EMAIL_TIMEOUT": int(query.get("timeout", "10")),
    }
