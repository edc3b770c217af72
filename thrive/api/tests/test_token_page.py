"""The API page: a token is shown once, works, and stops working when revoked."""

from __future__ import annotations

import re

import pytest

from thrive.api.models import ApiToken
from thrive.conftest import client_for

from .conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_a_token_made_on_the_page_is_shown_once_and_can_be_revoked(member):
    client = client_for(member)
    page = client.post("/api/tokens/", {"name": "Shop sync", "scope": "write"})
    assert page.status_code == 200
    secret = re.search(r'id="new-token">(thr_[^<]+)<', page.content.decode()).group(1)
    assert ApiClient(secret).post("/organizations", {"name": "Via page"}).status_code == 201
    again = client.get("/api/tokens/").content.decode()
    assert secret not in again and "Shop sync" in again
    token = ApiToken.objects.get()
    assert client.post(f"/api/tokens/{token.pk}/revoke").status_code == 302
    assert ApiClient(secret).get("/people").status_code == 401


def test_a_read_only_associate_is_offered_only_read_tokens(read_only, member):
    client = client_for(read_only)
    page = client.get("/api/tokens/").content.decode()
    assert 'value="write"' not in page
    client.post("/api/tokens/", {"name": "Sneaky", "scope": "write"})
    assert not ApiToken.objects.filter(scope="write").exists()
    # Nor may they revoke someone else's token.
    from thrive.api.services import issue_token

    other = issue_token(actor=member, name="Member's").token
    assert client.post(f"/api/tokens/{other.pk}/revoke").status_code == 403


def test_the_interactive_docs_are_served_by_thrive_to_signed_in_associates(read_only):
    from django.test import Client

    assert Client().get("/api/v1/docs").status_code == 302  # to the sign-in page
    page = client_for(read_only).get("/api/v1/docs").content.decode()
    assert "swagger" in page.lower()
    assert "cdn" not in page.lower() and "https://" not in page
