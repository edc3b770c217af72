"""``/api/v1/…``: the API's own URLs (token auth, not the sign-in page) and the token
page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, path

from . import views
from .idempotency import idempotent
from .main import api


def _api_urls() -> tuple[list[URLPattern | URLResolver], str, str]:
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        # The docs page wants a signed-in associate; endpoints authenticate themselves
        # (a token or the session) and answer 401 instead of redirecting to sign in.
        if isinstance(pattern, URLPattern) and pattern.name != "openapi-view":
            pattern.callback = login_not_required(idempotent(pattern.callback))
    return patterns, app_name, namespace


urlpatterns = [
    path("v1/", _api_urls()),
    path("tokens/", views.token_list, name="api_tokens"),
    path("tokens/<int:pk>/revoke", views.token_revoke, name="api_token_revoke"),
]
