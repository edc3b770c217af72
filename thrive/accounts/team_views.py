"""The owner's Team page, and the public page where an invited associate joins."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods, require_POST

from thrive.core.public_forms import Refused, refusal
from thrive.core.ratelimit import Limit, check_all
from thrive.core.roles import role_required
from thrive.core.views import PasswordResetConfirmView

from . import team as services
from .forms import InviteForm, RoleForm
from .invitations import invitation_tokens
from .models import Associate
from .queries import team, team_changes

# Each invitation sends an email: a stolen owner session must not turn Thrive into a
# mail cannon. Resends count too.
INVITES_PER_OWNER = Limit(20, dt.timedelta(hours=1), "invitations_per_owner")


def _page(
    request: HttpRequest, form: InviteForm | None = None, *, error: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "accounts/team.html",
        {
            "form": form or InviteForm(),
            "team": team(),
            "changes": team_changes(),
            "role_choices": RoleForm.base_fields["role"].choices,  # type: ignore[attr-defined]
            "error": error,
            "here": "team",
        },
        status=status,
    )


def _message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _limited(request: HttpRequest) -> HttpResponse | None:
    try:
        check_all([(f"invite:owner:{request.user.pk}", INVITES_PER_OWNER)])
    except Refused as exc:
        return refusal(request, exc)
    return None


@require_http_methods(["GET", "HEAD"])
@role_required("manage")
def team_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@role_required("manage")
def team_invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    if (refused := _limited(request)) is not None:
        return refused
    try:
        actor = cast(Associate, request.user)
        associate = services.invite_associate(actor=actor, **form.cleaned_data)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return _page(request, form, status=400)
    messages.success(request, f"Invited {associate} ({associate.email}); the email is on its way.")
    return redirect("team")


def _act(request: HttpRequest, done: str, action: Any) -> HttpResponse:
    try:
        who = action()
    except ValidationError as exc:
        return _page(request, error=_message(exc), status=400)
    messages.success(request, done.format(who=who))
    return redirect("team")


@require_POST
@role_required("manage")
def team_resend(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(Associate, pk=pk)
    if (refused := _limited(request)) is not None:
        return refused
    actor = cast(Associate, request.user)
    return _act(request, "Sent {who}'s invitation again.",
                lambda: services.resend_invitation(actor=actor, associate_id=pk))  # fmt: skip


@require_POST
@role_required("manage")
def team_role(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(Associate, pk=pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _page(request, error="Choose a role: Owner, Member or Read-only.", status=400)
    actor, role = cast(Associate, request.user), form.cleaned_data["role"]
    return _act(request, "{who} is now " + dict(form.fields["role"].choices)[role] + ".",  # type: ignore[attr-defined]
                lambda: services.change_role(actor=actor, associate_id=pk, role=role))  # fmt: skip


@require_POST
@role_required("manage")
def team_active(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(Associate, pk=pk)
    active = request.POST.get("active") == "yes"
    actor = cast(Associate, request.user)
    done = "{who} can sign in again." if active else "{who} can no longer sign in."
    return _act(
        request, done, lambda: services.set_active(actor=actor, associate_id=pk, active=active)
    )


@method_decorator(login_not_required, name="dispatch")
class AcceptInvitationView(PasswordResetConfirmView):
    """The invitation link: choose a password, and be signed in. The core view's limit
    on new passwords per address applies; the token is the invitation's own."""

    token_generator = invitation_tokens
    post_reset_login = True
    success_url = reverse_lazy("home")
    template_name = "accounts/join.html"

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        # A deactivated associate's link stops working with their account.
        return user if user is not None and user.is_active else None

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Welcome to Thrive: your password is set.")
        return response
