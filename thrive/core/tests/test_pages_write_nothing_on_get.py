"""Every page and API list without parameters answers GET without writing a row."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from thrive.conftest import client_for
from thrive.core.testing.db import no_writes

pytestmark = pytest.mark.django_db

# Rate-limit counters count requests, reads included; they are not the business's data.
BOOKKEEPING = ("api_ratewindow", "core_ratewindow")


def _plain_paths(patterns: list[Any], prefix: str = "") -> list[str]:
    found: list[str] = []
    for entry in patterns:
        if entry.pattern.converters or "^" in str(entry.pattern):
            continue  # needs an argument: covered by the apps' own tests
        if isinstance(entry, URLResolver):
            found += _plain_paths(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append("/" + prefix + str(entry.pattern))
    return found


PATHS = sorted(
    {p for p in _plain_paths(get_resolver().url_patterns) if not p.startswith("/admin/")}
)


@pytest.fixture
def fresh_dashboard(db):
    # With no snapshot (or a stale one) the dashboard queues the worker's refresh; a fresh
    # one is the everyday case, and the page must then only read.
    from thrive.analytics.models import DashboardSnapshot

    DashboardSnapshot.objects.create(
        computed_at=timezone.now(), as_of=timezone.localdate(), payload={"kpis": []}
    )


@pytest.mark.parametrize("path", PATHS)
def test_a_get_writes_no_row(owner, fresh_dashboard, path):
    client = client_for(owner)
    with no_writes(allow=BOOKKEEPING):
        response = client.get(path)
    assert response.status_code < 500


def test_a_persons_page_and_its_organization_page_write_no_row(owner, fresh_dashboard):
    from thrive.testing.factories import OrganizationFactory, PersonFactory

    organization = OrganizationFactory()
    person = PersonFactory(organization=organization)
    client = client_for(owner)
    for path in (f"/people/{person.pk}/", f"/organizations/{organization.pk}/"):
        with no_writes(allow=BOOKKEEPING):
            response = client.get(path)
        assert response.status_code == 200, path
