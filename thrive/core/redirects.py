"""Where a form may send the browser back to: only pages of this site.

Forms carry a ``next`` value so an action returns to the page it came from. A value
such as ``//evil.example`` or ``/\\evil.example`` starts with a slash yet leaves the
site, so every view that redirects to a value the request supplied asks this helper.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, value: str | None, default: str) -> str:
    """``value`` when it is a page of this site, otherwise ``default``."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return default


def next_from(request: HttpRequest, default: str, *, field: str = "next") -> str:
    """The safe ``next`` of a POST (or GET) request, or ``default``."""
    return safe_next(request, request.POST.get(field) or request.GET.get(field), default)
