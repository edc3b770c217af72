"""The one decorator pages use to say who may use them."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from thrive.core.roles import role_required

pytestmark = pytest.mark.django_db


def _page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def _call(view, user, method: str = "get") -> int | str:
    request = getattr(RequestFactory(), method)("/")
    request.user = user
    try:
        return view(request).status_code
    except PermissionDenied:
        return "denied"


def test_an_edit_page_is_refused_to_read_only_associates_for_every_method(owner, member, read_only):
    view = role_required("edit")(_page)
    assert [_call(view, u) for u in (owner, member, read_only)] == [200, 200, "denied"]
    assert _call(view, read_only, "post") == "denied"


def test_a_manage_page_is_open_to_owners_only(owner, member, read_only):
    view = role_required("manage")(_page)
    assert [_call(view, u, "post") for u in (owner, member, read_only)] == [200, "denied", "denied"]


def test_writes_only_lets_everyone_read_and_only_editors_post(owner, member, read_only):
    view = role_required("edit", writes_only=True)(_page)
    assert [_call(view, u) for u in (owner, member, read_only)] == [200, 200, 200]
    assert [_call(view, u, "post") for u in (owner, member, read_only)] == [200, 200, "denied"]
