"""Styled error pages (with DEBUG off, as in production) and the site icon.

A visitor who is not signed in gets a "not found" page in the business's name with no
staff link; an associate gets the workspace with a way back to the dashboard. The 500
page needs neither the database nor a request context, since either may be what failed.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from thrive.accounts.models import Business
from thrive.conftest import client_for
from thrive.core.roles import Role
from thrive.testing.factories import AssociateFactory

from .test_public_pages_wear_the_brand import HEADER, WEBSITE, _staff_links

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production_like(settings):
    settings.DEBUG = False


def test_a_visitor_gets_a_not_found_page_in_the_business_name():
    Business.objects.create(name="Kettle & Crow Coffee Roasters", website=WEBSITE)
    response = Client().get("/ideas/no/such/page")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Kettle &amp; Crow Coffee Roasters" in HEADER.search(html).group(1)
    assert "Page not found" in html
    assert _staff_links(html) == []
    assert "Dashboard" not in html


def test_an_associate_gets_a_workspace_page_with_a_way_back_to_the_dashboard():
    client = client_for(AssociateFactory(username="lost", role=Role.MEMBER))
    response = client.get("/people/999999999/no-such-tab")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'class="topbar"' in html and "public-header" not in html
    assert re.search(r'<a class="button" href="/">Back to the dashboard</a>', html)


def test_the_server_error_page_is_styled_and_needs_no_database(django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert '/static/core/public.css"' in html and '/static/core/thrive.css"' in html
    assert 'href="/' not in html.replace('href="/static/', "")  # no link into the app


def test_favicon_ico_leads_to_the_icon_for_anyone():
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/core/favicon.svg"
    assert finders.find("core/favicon.svg")  # the file it points to exists
    assert response.has_header("Content-Security-Policy")
