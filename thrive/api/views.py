"""The API page: an associate's tokens (create, shown once; revoke) and the docs link."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from thrive.core.roles import can_edit, can_manage

from . import queries
from .models import ApiToken, TokenScope
from .services import issue_token, revoke_token


class TokenForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="What uses it, e.g. “Shop sync”.")
    scope = forms.ChoiceField(choices=TokenScope.choices, initial=TokenScope.READ)


def token_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = TokenForm(request.POST or None)
    if not can_edit(user):
        scope = cast(forms.ChoiceField, form.fields["scope"])
        scope.choices = [(TokenScope.READ, TokenScope.READ.label)]
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = issue_token(
                actor=user, name=form.cleaned_data["name"], scope=form.cleaned_data["scope"]
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            secret = issued.secret
            form = TokenForm()
    tokens = queries.tokens_visible_to(user)
    return render(
        request,
        "api/tokens.html",
        {"here": "api", "form": form, "tokens": tokens, "secret": secret,
         "can_manage": can_manage(user)},
    )  # fmt: skip


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk)
    revoke_token(token, actor=request.user)
    messages.success(request, f"Token “{token.name}” revoked; programs using it now get 401.")
    return redirect("api_tokens")
