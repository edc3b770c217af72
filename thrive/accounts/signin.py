"""Staff sign-in with a limit on failed passwords, per account and per client address.

Only failures count. While an account (or an address) has used up its failures for the
window, sign-in is refused before the password is even checked, with the time left;
when the window ends the owner gets in as usual. A successful sign-in clears the
account's failures. The address's count is not cleared by a success, so one known
password cannot reset the count of someone guessing other accounts from that address.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpResponse

from thrive.core.ratelimit import (
    Limit,
    RateLimited,
    client_ip,
    count_quietly,
    forget,
    refuse_if_over,
)

WINDOW = dt.timedelta(minutes=15)
FAILURES_PER_ACCOUNT = Limit(5, WINDOW, "sign_in_per_account")
FAILURES_PER_IP = Limit(20, WINDOW, "sign_in_per_ip")
THROTTLED = "throttled"


class ThrottledSignIn(AuthenticationForm):
    """Django's sign-in form with the failure limits around its password check."""

    def _keys(self) -> list[tuple[str, Limit]]:
        username = str(self.data.get("username", "")).strip().casefold()
        address = client_ip(self.request) if self.request is not None else "unknown"
        keys = [(f"signin:ip:{address}", FAILURES_PER_IP)]
        if username:
            keys.insert(0, (f"signin:account:{username}", FAILURES_PER_ACCOUNT))
        return keys

    def clean(self) -> dict[str, Any]:
        keys = self._keys()
        try:
            for key, limit in keys:
                refuse_if_over(key, limit)
        except RateLimited as exc:
            minutes = exc.minutes
            raise ValidationError(
                f"Too many attempts; try again in {minutes} minute{'s' if minutes != 1 else ''}.",
                code=THROTTLED,
            ) from exc
        try:
            cleaned = super().clean()
        except ValidationError:
            for key, limit in keys:
                count_quietly(key, limit)
            raise
        if len(keys) == 2:
            forget(keys[0][0])
        return cleaned

    @property
    def throttled(self) -> bool:
        return any(e.code == THROTTLED for e in self.errors.as_data().get("__all__", []))


class ThrottledAdminSignIn(ThrottledSignIn, AdminAuthenticationForm):
    """The admin's sign-in page, with the same limits (it shares the counts)."""


class SignInView(auth_views.LoginView):
    """The sign-in page; a refused attempt over the limit answers 429."""

    authentication_form = ThrottledSignIn

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if getattr(form, "throttled", False):
            response.status_code = 429
        return response
