"""Every URL of Thrive, for every role: who may see it, who may change data through it.

The walk resolves the whole urlconf (so a new page is walked the day it is added),
fills path parameters with ids of real demo records (or dummy values where none fits)
and asks each page with GET and an empty POST as an anonymous visitor, a read-only
associate, a member and an owner. It checks that:

- anonymous visitors are sent to sign in (or get 401/403) everywhere except the pages
  in ``thrive.core.public_pages.PUBLIC_URL_NAMES``;
- a read-only associate's POST never changes a row;
- nothing answers 5xx;
- every response carries a Content-Security-Policy.

The admin's per-model pages are walked anonymously here; what each role may do there is
``test_admin_roles.py``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.html import escape

from thrive.conftest import client_for
from thrive.core.public_pages import API_NAMESPACE, PUBLIC_URL_NAMES
from thrive.core.roles import Role
from thrive.testing.factories import AssociateFactory


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    callback: Any

    @property
    def public(self) -> bool:
        return self.name in PUBLIC_URL_NAMES

    @property
    def admin_model_page(self) -> bool:
        return self.route.startswith("admin/") and self.name != "admin:index"


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or f"(unnamed) {prefix}{pattern.pattern}"
            if pattern.name and namespace:
                name = f"{namespace}:{pattern.name}"
            yield Route(name, prefix + str(pattern.pattern), pattern.callback)


ROUTES = sorted(
    {(r.name, r.route): r for r in _walk(get_resolver().url_patterns)}.values(),
    key=lambda r: (r.route, r.name),
)
SITE_ROUTES = [r for r in ROUTES if not r.admin_model_page]

# The record behind an id, by the path segment before it ("people/<int:pk>/").
MODEL_BY_SEGMENT = {
    "people": "contacts.Person", "organizations": "contacts.Organization",
    "segments": "segments.Segment", "segment": "segments.Segment", "erase": "contacts.Person",
    "activities": "contacts.Activity", "campaigns": "outreach.Campaign",
    "templates": "outreach.EmailTemplate", "sequences": "outreach.Sequence",
    "drafts": "outreach.Draft", "ideas": "voice.Idea", "surveys": "voice.Survey",
    "jobs": "voice.SendJob", "tasks": "tasks.Task", "automations": "automations.Workflow",
    "goals": "growth.Goal", "experiments": "growth.Experiment", "health": "growth.HealthCheck",
    "imports": "imports.ImportJob", "backup": "portability.ExportRun",
    "webhooks": "webhooks.WebhookSubscription", "deliveries": "webhooks.WebhookDelivery",
    "sessions": "bookings.Booking", "partners": "contacts.Person", "tokens": "api.ApiToken",
    "products": "commerce.Product", "orders": "commerce.Order",
    "subscriptions": "commerce.Subscription", "deals": "commerce.Deal",
    "forms": "leadforms.LeadForm",
}  # fmt: skip
PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
MISSING_ID = 987654321


def _first_pk(label: str) -> int:
    pk = apps.get_model(label)._default_manager.order_by("pk").values_list("pk", flat=True)
    return pk.first() or MISSING_ID


def _value(route: str, start: int, name: str) -> str:
    segment = route[:start].rstrip("/").rsplit("/", 1)[-1]
    if name == "pk" or name.endswith("_id"):
        label = MODEL_BY_SEGMENT.get(segment)
        return str(_first_pk(label) if label else 1)
    kind = apps.get_model("bookings.SessionType")._default_manager.order_by("pk").first()
    hours = apps.get_model("bookings.Availability")._default_manager.order_by("pk")
    bookable = hours.select_related("associate").first()
    fixed = {
        "token": "not-a-real-token",
        "uidb64": "MQ",
        "tag": "VIP",
        "start": "2030-01-07T10:00",
        "username": bookable.associate.username if bookable else "maya",
        "kind": getattr(kind, "slug", "strategy") if route.startswith("book/") else "people",
    }
    return fixed.get(name, "1")


def url_of(route: Route) -> str:
    path = route.route.lstrip("^").rstrip("$")
    out, last = [], 0
    for match in PARAM.finditer(path):
        out.append(path[last : match.start()])
        out.append(_value(path, match.start(), match.group("name")))
        last = match.end()
    out.append(path[last:])
    return "/" + "".join(out).replace("\\", "")


def fingerprint() -> str:
    """A digest of every row of every table (the demo keeps this small)."""
    digest = hashlib.sha256()
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for row in model._base_manager.order_by("pk").values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()


def _ask(client: Client, method: str, url: str):  # type: ignore[no-untyped-def]
    response = getattr(client, method)(url)
    assert response.status_code < 500, f"{method.upper()} {url} answered {response.status_code}"
    assert response.has_header("Content-Security-Policy"), f"{method.upper()} {url}: no CSP"
    return response


def _sent_to_sign_in(response: Any) -> bool:
    if response.status_code in {401, 403, 405}:
        return True
    location = response.get("Location", "") if response.status_code == 302 else ""
    return location.startswith((resolve_url(settings.LOGIN_URL), "/admin/login/"))


def _ids(routes: list[Route]) -> list[str]:
    return [r.name if not r.name.startswith("(") else r.route for r in routes]


def test_every_view_that_skips_sign_in_is_a_listed_public_page():
    unlisted = [
        r.name
        for r in ROUTES
        if getattr(r.callback, "login_required", True) is False
        and not r.public
        and not r.name.startswith(f"{API_NAMESPACE}:")
    ]
    assert unlisted == []


def test_the_public_list_names_only_real_pages():
    assert PUBLIC_URL_NAMES - {r.name for r in ROUTES} == set()


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=_ids(ROUTES))
def test_anonymous_visitors_see_only_the_public_pages(demo_records, db, route):
    client = Client()
    url = url_of(route)
    for method in ("get", "post"):
        response = _ask(client, method, url)
        if not route.public:
            assert _sent_to_sign_in(response), (
                f"{method.upper()} {url} answered {response.status_code} without sign-in"
            )


# Pages a read-only associate may POST to: signing out changes only their session.
READ_ONLY_MAY_POST = {"logout"}


@pytest.mark.django_db
@pytest.mark.parametrize("route", SITE_ROUTES, ids=_ids(SITE_ROUTES))
def test_a_read_only_associate_never_changes_data(demo_records, db, route):
    client = client_for(AssociateFactory(username="walk-reader", role=Role.READ_ONLY))
    url = url_of(route)
    _ask(client, "get", url)
    if route.public or route.name in READ_ONLY_MAY_POST:
        return
    before = fingerprint()
    response = _ask(client, "post", url)
    assert fingerprint() == before, f"POST {url} ({response.status_code}) changed data"


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.MEMBER, Role.OWNER])
@pytest.mark.parametrize("route", SITE_ROUTES, ids=_ids(SITE_ROUTES))
def test_no_page_fails_for_members_and_owners(demo_records, db, role, route):
    client = client_for(AssociateFactory(username=f"walk-{role}", role=role))
    url = url_of(route)
    _ask(client, "get", url)
    _ask(client, "post", url)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/static/core/thrive.css", "/static/core/no-such-file.js", "/no-such-page/"]
)
def test_static_files_and_not_found_pages_carry_the_policy(url):
    response = Client().get(url)
    policy = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ):
        assert directive in policy
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy


PAYLOAD = "<img src=x onerror=alert(1)>"
# Free text is anything an associate, a customer or an import may write; fields that
# other code parses (zones, currencies, codes) keep their values.
PARSED = {"time_zone", "visitor_time_zone", "currency", "country", "phone", "locale", "language"}


def _write_payload_everywhere() -> int:
    written = 0
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if (
                isinstance(f, models.TextField)
                or (type(f) is models.CharField and (f.max_length or 0) >= 60)
                or isinstance(f, models.EmailField)
            )
            and not f.choices
            and not f.primary_key
            and f.name not in PARSED
        ]
        first = model._base_manager.order_by("pk").first()
        if fields and first is not None:
            value = f"{PAYLOAD}{first.pk}"  # unique fields stay unique
            model._base_manager.filter(pk=first.pk).update(**dict.fromkeys(fields, value))
            written += 1
    return written


@pytest.mark.django_db
def test_text_written_anywhere_is_shown_escaped_on_every_page(demo_records, db):
    assert _write_payload_everywhere() > 20
    client = client_for(AssociateFactory(username="walk-owner", role=Role.OWNER))
    raw, escaped = [], []
    for route in SITE_ROUTES:
        url = url_of(route)
        response = client.get(url)
        if response.get("Content-Type", "").startswith("text/html"):
            body = b"".join(response) if response.streaming else response.content
            if PAYLOAD.encode() in body:
                raw.append(url)
            if escape(PAYLOAD).encode() in body:
                escaped.append(url)
    assert raw == []
    # The walk did reach pages that show the text (escaped).
    assert len(escaped) >= 10, escaped
