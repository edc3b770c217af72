"""A template a member writes is shown to the owner as text or inside a sandboxed frame
with its own policy, never as markup of the owner's page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from thrive.conftest import client_for
from thrive.outreach.models import EmailTemplate
from thrive.testing.factories import PersonFactory

BREAKOUT = '"></iframe><img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


def _members_template(client: Client) -> EmailTemplate:
    response = client.post(
        reverse("outreach_template_new"),
        {
            "name": 'Spring <img src=x onerror="window.__pwned=3">',
            "subject": 'Hi <img src=x onerror="window.__pwned=4">',
            "html_body": f"<p>Hello {{{{ person.first_name }}}}</p>{BREAKOUT}",
            "text_body": "Plain <script>window.__pwned=5</script> text",
        },
    )
    assert response.status_code == 302, "the editor accepts any HTML a member writes"
    return EmailTemplate.objects.get()


def _executable(html: str) -> list[str]:
    """Markup in ``html`` that a browser would run: script elements, event handlers."""
    return re.findall(r"<script>window|<img src=x onerror", html)


@pytest.mark.django_db
def test_the_owners_preview_page_holds_no_markup_from_the_template(member, owner):
    PersonFactory(first_name="Ada")
    template = _members_template(client_for(member))
    page = client_for(owner).get(reverse("outreach_template_preview", args=[template.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert _executable(html) == []
    assert "srcdoc" not in html
    frame = re.search(r"<iframe[^>]*>", html)
    assert frame is not None
    tag = frame.group(0)
    assert re.search(r"\bsandbox\b(?!=)", tag), "an empty sandbox: no scripts, no same origin"
    assert "allow-scripts" not in tag and "allow-same-origin" not in tag
    assert reverse("outreach_template_preview_html", args=[template.pk]) in tag
    # The text part and the subject are shown escaped.
    assert "Plain &lt;script&gt;window.__pwned=5&lt;/script&gt; text" in html
    assert "Hi &lt;img src=x" in html


@pytest.mark.django_db
def test_the_list_and_editor_show_names_and_subjects_escaped(member, owner):
    template = _members_template(client_for(member))
    client = client_for(owner)
    for url in (reverse("outreach_templates"), reverse("outreach_template", args=[template.pk])):
        html = client.get(url).content.decode()
        assert _executable(html) == [], url


@pytest.mark.django_db
def test_the_frames_document_carries_its_own_strict_policy(member, owner):
    person = PersonFactory(first_name="Ada")
    template = _members_template(client_for(member))
    url = reverse("outreach_template_preview_html", args=[template.pk])
    response = client_for(owner).get(url, {"person": person.pk})
    assert response.status_code == 200
    assert "<p>Hello Ada</p>" in response.content.decode()
    policy = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    assert "sandbox" in policy, "an opaque origin even when opened outside the frame"
    assert "default-src 'none'" in policy
    assert not any(part.startswith("script-src") for part in policy)
    assert "frame-ancestors 'self'" in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_frames_document_needs_a_signed_in_associate(member):
    template = _members_template(client_for(member))
    url = reverse("outreach_template_preview_html", args=[template.pk])
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_ordinary_pages_may_not_be_framed_at_all(owner):
    response = client_for(owner).get(reverse("outreach_templates"))
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
