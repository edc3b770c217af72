"""Signed public links in emails: unsubscribe, click tracking, the open pixel, opt-in.

Each link carries a signed token (:mod:`thrive.core.tokens`) for one purpose only, so a
click link can never unsubscribe anyone and a forged token opens nothing.
"""

from __future__ import annotations

import html
import re
from typing import Any

from django.urls import get_script_prefix, get_urlconf, reverse

from thrive.core.tokens import make_token, read_token

from ..conf import public_url

UNSUBSCRIBE = "outreach.unsubscribe"
CLICK = "outreach.click"
OPEN = "outreach.open"
OPT_IN = "outreach.optin"

# Unsubscribe links must keep working long after the mail was sent (RFC 8058 asks for
# no expiry in practice); click links as long as someone might keep the mail.
UNSUBSCRIBE_MAX_AGE = 5 * 365 * 24 * 3600
CLICK_MAX_AGE = 2 * 365 * 24 * 3600
OPT_IN_MAX_AGE = 7 * 24 * 3600


def absolute(path: str) -> str:
    return f"{public_url()}{path}"


_MARK = "0thrive0token0"


def _link(name: str, token: str) -> str:
    """``reverse(name, args=[token])``, made absolute. Resolving a URL by name costs
    more than signing the token, and a batch makes three links per message, so the path
    around the token is resolved once per name (and URL configuration) and reused."""
    key = (name, get_script_prefix(), get_urlconf())
    parts = _SHAPES.get(key)
    if parts is None:
        path = reverse(name, args=[_MARK])
        if path.count(_MARK) != 1:
            return absolute(reverse(name, args=[token]))
        parts = _SHAPES[key] = tuple(path.split(_MARK))
    # Signed tokens are URL-safe base64 with ':' separators, which reverse() leaves as is.
    return absolute(f"{parts[0]}{token}{parts[1]}")


_SHAPES: dict[tuple[str, str, str | None], tuple[str, ...]] = {}


def unsubscribe_url(delivery_id: int) -> str:
    return _link("outreach_unsubscribe", make_token(UNSUBSCRIBE, {"d": delivery_id}))


def open_pixel_url(delivery_id: int) -> str:
    return _link("outreach_open", make_token(OPEN, {"d": delivery_id}))


def click_url(delivery_id: int, target: str) -> str:
    return _link("outreach_click", make_token(CLICK, {"d": delivery_id, "u": target}))


def opt_in_url(payload: dict[str, Any]) -> str:
    token = make_token(OPT_IN, payload)
    return absolute(reverse("outreach_confirm", args=[token]))


def read(purpose: str, token: str, max_age: int) -> dict[str, Any]:
    """The token's payload; raises thrive.core.tokens.TokenError when it is not valid."""
    return read_token(purpose, token, max_age_seconds=max_age)


_HREF = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)


def track_links(body: str, delivery_id: int) -> str:
    """Point every http(s) link in ``body`` at the click redirect; our own links (the
    unsubscribe link) and mailto: links are left as they are."""
    own = public_url()

    def rewrite(match: re.Match[str]) -> str:
        target = html.unescape(match.group(3)).strip()
        if not re.match(r"https?://", target, re.IGNORECASE) or target.startswith(own):
            return match.group(0)
        tracked = html.escape(click_url(delivery_id, target), quote=True)
        return f"{match.group(1)}{match.group(2)}{tracked}{match.group(2)}"

    return _HREF.sub(rewrite, body)


def add_pixel(body: str, delivery_id: int) -> str:
    pixel = (
        f'<img src="{html.escape(open_pixel_url(delivery_id))}" width="1" height="1" '
        'alt="" style="display:block;border:0">'
    )
    closing = re.search(r"</body\s*>", body, re.IGNORECASE)
    if closing:
        return body[: closing.start()] + pixel + body[closing.start() :]
    return body + pixel
