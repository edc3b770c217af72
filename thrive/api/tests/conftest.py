"""Tokens and clients for the API tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from thrive.api.models import TokenScope
from thrive.api.services import issue_token


class ApiClient:
    """A Django test client that sends a bearer token and JSON."""

    def __init__(self, secret: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def send(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        call = getattr(self.client, method.lower())
        return call(
            f"/api/v1{path}", body, content_type="application/json",
            headers={**self.headers, **headers},
        )  # fmt: skip

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.send("POST", path, body, **headers)


def token(user: Any, scope: str = TokenScope.WRITE) -> str:
    return issue_token(actor=user, name=f"{user.username} {scope}", scope=scope).secret


@pytest.fixture
def owner_api(owner) -> ApiClient:
    return ApiClient(token(owner))
