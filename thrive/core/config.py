"""Reading Thrive's configuration from the environment (12-factor).

Kept free of Django imports so settings.py can use it before Django is configured.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
import time
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


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """Return the whole number in ``name``; raise ConfigError naming it if it is not one
    or is below ``minimum``."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from exc
    if value < minimum:
        raise ConfigError(f"{name}={raw!r} must be at least {minimum}")
    return value


def env_float(name: str, default: float, *, minimum: float = 0.0) -> float:
    """Return the number in ``name``; raise ConfigError naming it if it is not one or is
    below ``minimum``."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw.strip())
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r} is not a number") from exc
    if not value >= minimum:  # also refuses nan
        raise ConfigError(f"{name}={raw!r} must be at least {minimum}")
    return value


_UNITS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600,
          "hour": 3600, "d": 86400, "day": 86400}  # fmt: skip
_RATE = re.compile(r"^(\d+)\s*/\s*(\d*)\s*([a-z]+?)s?$")


def rate_limits(raw: str) -> dict[str, tuple[int, int]]:
    """Parse ``THRIVE_RATE_LIMITS``: ``name=hits/period`` items separated by commas, the
    period a unit (second, minute, hour, day; or s, m, h, d) with an optional count, e.g.
    ``join_per_ip=20/hour,sign_in_per_account=5/15min``. Returns name → (hits, seconds)."""
    limits: dict[str, tuple[int, int]] = {}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        name, _, rate = item.partition("=")
        match = _RATE.match(rate.strip().lower())
        if not name.strip() or not match or match.group(3) not in _UNITS:
            raise ConfigError(
                f"THRIVE_RATE_LIMITS item {item!r} is not name=hits/period "
                "(e.g. join_per_ip=20/hour or sign_in_per_account=5/15min)"
            )
        seconds = int(match.group(2) or 1) * _UNITS[match.group(3)]
        if seconds < 1:
            raise ConfigError(f"THRIVE_RATE_LIMITS item {item!r} has an empty period")
        limits[name.strip()] = (int(match.group(1)), seconds)
    return limits


# The key every laptop install used before each install made its own. Anything signed
# with it (opt-in, click and survey links) could be forged by anyone who read the source,
# so it is refused wherever it turns up.
OLD_DEVELOPMENT_KEY = "thrive-local-development-key-" + "x" * 40  # noqa: S105
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a key


def install_secret_key(folder: Path) -> str:
    """This install's own signing key, kept in ``folder/secret_key`` (mode 0600).

    Made on first start from 50 random bytes. Two processes starting together (the web
    server and the worker) agree on one key: the file appears whole through a hard link,
    which fails if the other process linked first, and then its key is read.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SECRET_KEY_FILE
    if not path.exists():
        fd, temporary = tempfile.mkstemp(prefix=".secret_key.", dir=folder)  # mode 0600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass  # another process made it first: use theirs
        finally:
            os.unlink(temporary)
    for _ in range(50):
        key = path.read_text().strip()
        if key:
            break
        time.sleep(0.01)  # a key written by hand and still being saved
    if len(key) < 32:
        raise ConfigError(f"{path} holds no usable key; delete it to make a new one")
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return key


def is_known_key(key: str, folder: Path) -> bool:
    """True for keys that must never sign production links: the old development key and
    the laptop key kept in ``folder`` (production sets its own in the environment)."""
    if key == OLD_DEVELOPMENT_KEY:
        return True
    path = folder / SECRET_KEY_FILE
    try:
        return path.is_file() and path.read_text().strip() == key
    except OSError:
        return False


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
