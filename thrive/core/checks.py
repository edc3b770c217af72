"""System checks of Thrive's own settings, run by ``thrive check --deploy``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.checks import Warning as CheckWarning

from .config import is_known_key


@register(Tags.security, deploy=True)
def secret_key_is_the_installs_own(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """A deployment signs public links (opt-in, click, survey, booking) with a key of its
    own from the environment: never the old development key, never a laptop's key file."""
    key = getattr(settings, "SECRET_KEY", "")
    if getattr(settings, "THRIVE_SECRET_KEY_SOURCE", "environment") != "environment":
        return [
            Error(
                "SECRET_KEY is not set in the environment; this install signs links with "
                "the key generated in its data folder.",
                hint="Set SECRET_KEY in the environment to 50+ random characters.",
                id="thrive.E002",
            )
        ]
    if is_known_key(key, settings.DATA_DIR):
        return [
            Error(
                "SECRET_KEY is a known key (the old development key or the laptop key in "
                "the data folder): anyone who knows it can forge Thrive's public links.",
                hint="Set SECRET_KEY in the environment to 50+ random characters.",
                id="thrive.E001",
            )
        ]
    return []


@register()
def rate_limit_names_are_known(app_configs: Any = None, **kwargs: Any) -> list[CheckWarning]:
    """A misspelt name in THRIVE_RATE_LIMITS would silently change nothing."""
    from django.urls import get_resolver

    from .ratelimit import NAMED

    get_resolver().url_patterns  # noqa: B018 - imports every view, which names its limits
    unknown = sorted(set(getattr(settings, "THRIVE_RATE_LIMITS", {})) - set(NAMED))
    if not unknown:
        return []
    return [
        CheckWarning(
            f"THRIVE_RATE_LIMITS names unknown limits: {', '.join(unknown)}.",
            hint=f"Known limits: {', '.join(sorted(NAMED))}.",
            id="thrive.W001",
        )
    ]
