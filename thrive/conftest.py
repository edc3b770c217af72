"""Fixtures every app's tests share: the three personas and a signed-in client each."""

from __future__ import annotations

import pytest
from django.test import Client

from thrive.core.roles import Role
from thrive.core.testing.smtp import smtp_sink  # noqa: F401 (a fixture for every app)
from thrive.testing.factories import AssociateFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many associates; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_business_settings():
    """Each test reads the business's settings afresh: a rolled-back row leaves no trace."""
    from thrive.core import business

    business.clear_cache()
    yield
    business.clear_cache()


@pytest.fixture
def owner(db):
    return AssociateFactory(username="owner", role=Role.OWNER)


@pytest.fixture
def member(db):
    return AssociateFactory(username="member", role=Role.MEMBER)


@pytest.fixture
def read_only(db):
    return AssociateFactory(username="reader", role=Role.READ_ONLY)


@pytest.fixture(params=[Role.OWNER, Role.MEMBER, Role.READ_ONLY])
def persona(request, db):
    """Each of the three personas in turn."""
    return AssociateFactory(username=f"persona-{request.param}", role=request.param)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
