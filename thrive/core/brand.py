"""The business's face on every customer-facing page and email: its name, logo, accent
colour and website.

Customers and partners deal with the business, not with the software it runs on, so
public pages and customer emails show this brand (never "Thrive" as the sender, never a
link to a staff page). The brand is read from the business row through
:func:`brand_from`, the one place that knows its fields; core imports no app, so the
accounts app registers where the row comes from (:func:`set_business_source`), and outreach
registers the public address absolute links are built on (:func:`set_public_url`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape

from . import business

log = logging.getLogger(__name__)

# Used until the owner picks a colour: the teal of the workspace, readable on white.
DEFAULT_ACCENT = "#0f766e"
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")

_business_source: Callable[[], Any] | None = None
_public_url: Callable[[], str] | None = None


@dataclass(frozen=True)
class Brand:
    """What a customer sees of the business. ``logo_url`` may be relative (pages) — use
    :meth:`absolute_logo_url` in emails; ``website`` is "" when unknown."""

    name: str
    logo_url: str | None = None
    accent: str = DEFAULT_ACCENT
    website: str = ""

    @property
    def accent_ink(self) -> str:
        """Black or white, whichever reads better on the accent (WCAG relative luminance)."""
        hexes = self.accent.lstrip("#")
        if len(hexes) == 3:
            hexes = "".join(c * 2 for c in hexes)
        channels = [int(hexes[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
        # Contrast with white (1.05 / (L + .05)) against with black ((L + .05) / .05).
        return "#fff" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 else "#111"

    def absolute_logo_url(self) -> str | None:
        """The logo's URL with the public address in front (emails are read elsewhere)."""
        if not self.logo_url or self.logo_url.startswith(("http://", "https://")):
            return self.logo_url
        base = _public_url() if _public_url is not None else ""
        return base.rstrip("/") + "/" + self.logo_url.lstrip("/") if base else None


def set_business_source(provider: Callable[[], Any]) -> None:
    """Register where the business row comes from (the accounts app does, at start-up)."""
    global _business_source
    _business_source = provider


def set_public_url(provider: Callable[[], str]) -> None:
    """Register the public address of this install (outreach's ``public_url``)."""
    global _public_url
    _public_url = provider


def _logo_url(logo: Any) -> str | None:
    """A file field's URL, or a URL written as text; None when there is no logo."""
    if not logo:
        return None
    if isinstance(logo, str):
        return logo if logo.startswith(("http://", "https://", "/")) else None
    # An uploaded logo (the settings page) is served by the app at one address.
    return reverse("business_logo") if getattr(logo, "name", "") else None


def _colour(*values: Any) -> str:
    """The first value that is a plain hex colour (it goes into a style sheet, so
    anything else is ignored rather than trusted)."""
    for value in values:
        if isinstance(value, str) and _HEX_COLOUR.fullmatch(value.strip()):
            return value.strip().lower()
    return DEFAULT_ACCENT


def _website(value: Any) -> str:
    return value if isinstance(value, str) and value.startswith(("http://", "https://")) else ""


def brand_from(row: Any, *, default_name: str) -> Brand:
    """The brand of the business row ``row`` (None before the owner saved one).

    The one reader of the row's fields: logo and colour are read with ``getattr`` so this
    works whether or not the row has grown those fields yet."""
    if row is None:
        return Brand(name=default_name)
    return Brand(
        name=(getattr(row, "name", "") or "").strip() or default_name,
        logo_url=_logo_url(getattr(row, "logo", None)),
        accent=_colour(
            getattr(row, "brand_colour", None),
            getattr(row, "accent_colour", None),
            getattr(row, "colour", None),
        ),
        website=_website(getattr(row, "website", "")),
    )


def current_brand() -> Brand:
    """The brand now. A database that cannot answer (an error page while it is down)
    gives the configured name rather than a second error."""
    default_name = str(getattr(settings, "THRIVE_BUSINESS_NAME", "") or "Our business")
    if _business_source is None:
        return Brand(name=default_name)
    try:
        row = _business_source()
        # The name as thrive.core.business resolves it: the server's setting wins.
        name = business.name()
    except DatabaseError:
        log.warning("Could not read the business row; showing the configured name")
        return Brand(name=default_name)
    brand = brand_from(row, default_name=default_name)
    return replace(brand, name=name) if row is not None else brand


def context(request: HttpRequest) -> dict[str, Any]:
    """``brand`` for templates, read only by the pages that show it."""
    return {"brand": SimpleLazyObject(current_brand)}


def email_layout(inner_html: str, brand: Brand | None = None) -> str:
    """An email's HTML part in the business's name: its logo and name on top, its colour
    as a rule, the message, its name (and website) at the foot. Inline styles, because
    mail clients drop style sheets; one element a line, because SMTP limits line length."""
    brand = brand or current_brand()
    name = escape(brand.name)
    logo = brand.absolute_logo_url()
    logo_html = (
        f'<img src="{escape(logo)}" alt="" height="40" '
        'style="height:40px;width:auto;vertical-align:middle;margin-right:8px">\n'
        if logo
        else ""
    )
    website = (
        f' · <a href="{escape(brand.website)}" style="color:#4b5563">{escape(brand.website)}</a>'
        if brand.website
        else ""
    )
    return (
        '<!doctype html>\n<html><body style="margin:0;padding:0;background:#f6f7f9">\n'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
        'style="background:#f6f7f9"><tr><td align="center" style="padding:16px">\n'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
        f'style="max-width:600px;background:#ffffff;border-top:4px solid {brand.accent}">\n'
        '<tr><td style="padding:16px 24px;font:700 18px/1.3 system-ui,sans-serif;'
        f'color:#1f2937" data-brand="header">\n{logo_html}{name}\n</td></tr>\n'
        '<tr><td style="padding:0 24px 16px;font:16px/1.5 system-ui,sans-serif;'
        f'color:#1f2937">\n{inner_html}\n</td></tr>\n'
        '<tr><td style="padding:12px 24px;border-top:1px solid #d9dde3;'
        f'font:12px/1.4 system-ui,sans-serif;color:#4b5563">\n{name}{website}\n</td></tr>\n'
        "</table>\n</td></tr></table>\n</body></html>\n"
    )
