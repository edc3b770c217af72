"""Forms that send the browser back to ``next`` never send it to another site."""

from __future__ import annotations

import pytest
from django.urls import reverse

from thrive.conftest import client_for
from thrive.core.redirects import safe_next
from thrive.tasks import services as task_services
from thrive.testing.factories import PersonFactory

OFF_SITE = [
    "//evil.example/phish",
    "https://evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "http:evil.example",
    "javascript:alert(1)",
    " //evil.example",
]


def _views(member):
    person = PersonFactory()
    task = task_services.create_task(actor=member, title="Call back", person=person)
    return {
        "people_bulk": (
            reverse("people_bulk"),
            {"ids": [person.pk], "action": "tag", "tag": "VIP"},
            reverse("people"),
        ),
        "task_create": (reverse("task_create"), {"title": "Write a note"}, reverse("tasks")),
        "task_finish": (reverse("task_finish", args=[task.pk]), {}, reverse("tasks")),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("target", OFF_SITE)
@pytest.mark.parametrize("view", ["people_bulk", "task_create", "task_finish"])
def test_an_off_site_next_falls_back_to_the_views_own_page(member, view, target):
    url, data, default = _views(member)[view]
    response = client_for(member).post(url, {**data, "next": target})
    assert response.status_code == 302
    assert response["Location"] == default


@pytest.mark.django_db
@pytest.mark.parametrize("view", ["people_bulk", "task_create", "task_finish"])
def test_a_page_of_this_site_is_where_the_form_returns(member, view):
    url, data, _ = _views(member)[view]
    response = client_for(member).post(url, {**data, "next": "/people/?stage=client&page=2"})
    assert response["Location"] == "/people/?stage=client&page=2"


def test_safe_next_keeps_local_paths_and_refuses_other_hosts(rf, settings):
    settings.ALLOWED_HOSTS = ["thrive.example"]
    request = rf.get("/", HTTP_HOST="thrive.example")
    assert safe_next(request, "/tasks/?mine=1", "/") == "/tasks/?mine=1"
    assert (
        safe_next(request, "http://thrive.example/people/", "/") == "http://thrive.example/people/"
    )
    assert safe_next(request, "https://other.example/", "/") == "/"
    assert safe_next(request, "", "/fallback") == "/fallback"
    assert safe_next(request, None, "/fallback") == "/fallback"
