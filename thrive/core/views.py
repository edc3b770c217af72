import datetime as dt
from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.templatetags.static import static
from django.utils.decorators import method_decorator

from .forms import TransactionalPasswordResetForm
from .public_forms import Refused, client_ip, guard, refusal
from .ratelimit import Limit

HOUR = dt.timedelta(hours=1)
RESETS_PER_IP = Limit(5, HOUR, "password_reset_per_ip")
RESETS_PER_EMAIL = Limit(3, HOUR, "password_reset_per_email")
NEW_PASSWORDS_PER_IP = Limit(20, HOUR, "password_reset_confirm_per_ip")


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers: the app answers and the database responds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_not_required
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: send them to the icon."""
    return HttpResponsePermanentRedirect(static("core/favicon.svg"))


# Password reset by email is reachable without signing in, and only there.
@method_decorator(login_not_required, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """Limited per address and per email (each reset sends a message), with a honeypot."""

    form_class = TransactionalPasswordResetForm

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"].strip().casefold()
        try:
            guard(self.request, (f"reset:ip:{client_ip(self.request)}", RESETS_PER_IP),
                  (f"reset:email:{email}", RESETS_PER_EMAIL))  # fmt: skip
        except Refused as exc:
            return refusal(self.request, exc)
        return super().form_valid(form)


@method_decorator(login_not_required, name="dispatch")
class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    pass


@method_decorator(login_not_required, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing the new password: limited per address, with a honeypot."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # Before the link is checked: guessing links is what the limit is for.
        if request.method == "POST":
            try:
                guard(request, (f"reset-confirm:ip:{client_ip(request)}", NEW_PASSWORDS_PER_IP))
            except Refused as exc:
                return refusal(request, exc)
        return super().dispatch(request, *args, **kwargs)


@method_decorator(login_not_required, name="dispatch")
class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    pass
