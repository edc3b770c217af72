"""Thrive under its Content-Security-Policy in a real Chromium: the main pages, the
admin, the API docs and the public pages load without a single violation, every
response carries the policy, and a member's email template cannot run script in the
owner's browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from thrive.contacts.services import create_person
from thrive.core.roles import Role
from thrive.outreach.email_templates.saving import save_template
from thrive.testing.factories import AssociateFactory

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sourceFile || ""));
});
"""

# Elements of the page itself that would run script: inline scripts and event handlers.
INJECTED = "document.querySelectorAll('script:not([src]), [onerror], [onload]').length"

SIGNED_IN_PAGES = [
    "/", "/ecosystem/", "/people/", "/organizations/", "/segments/", "/reach/",
    "/sessions/", "/outreach/", "/outreach/templates/", "/automations/", "/tasks/",
    "/voice/", "/growth/", "/data/", "/api/tokens/", "/api/v1/docs", "/admin/",
    "/admin/contacts/person/", "/admin/contacts/person/add/", "/no-such-page/",
]  # fmt: skip
PUBLIC_PAGES = ["/accounts/login/", "/ideas/", "/book/", "/partners/", "/healthz"]


class Watcher:
    """Collects CSP violations (console and DOM events) and responses without a policy."""

    def __init__(self, page, base: str) -> None:  # type: ignore[no-untyped-def]
        self.page = page
        self.console: list[str] = []
        self.missing: list[str] = []
        page.add_init_script(WATCH)
        page.on("console", self._console)
        page.on("response", self._response)
        self.base = base

    def _console(self, message) -> None:  # type: ignore[no-untyped-def]
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            self.console.append(message.text)

    def _response(self, response) -> None:  # type: ignore[no-untyped-def]
        # The test server serves /static/ itself, outside the middleware; WhiteNoise does
        # in production, inside it (thrive/core/tests/test_security_walk.py checks that).
        if response.url.startswith(f"{self.base}/static/"):
            return
        if response.url.startswith(self.base) and not response.headers.get(
            "content-security-policy"
        ):
            self.missing.append(f"{response.status} {response.url}")

    def visit(self, path: str) -> list[str]:
        self.page.goto(path)
        self.page.wait_for_load_state("networkidle")
        return list(self.page.evaluate("window.__csp || []"))


def test_the_main_pages_load_without_a_policy_violation(page, live_server):
    AssociateFactory(username="maya", role=Role.OWNER)
    person = create_person(actor=None, first_name="Ada", last_name="Lovelace", email="a@x.example")
    watcher = Watcher(page, live_server.url)
    violations: dict[str, list[str]] = {}
    for path in PUBLIC_PAGES:
        found = watcher.visit(path)
        if found:
            violations[path] = found
    sign_in(page, "maya")
    for path in [*SIGNED_IN_PAGES, f"/people/{person.pk}/"]:
        found = watcher.visit(path)
        if found:
            violations[path] = found
    assert violations == {}
    assert watcher.console == []
    assert watcher.missing == []


def test_the_api_docs_render_under_the_policy(page, live_server):
    AssociateFactory(username="maya", role=Role.OWNER)
    watcher = Watcher(page, live_server.url)
    sign_in(page, "maya")
    assert watcher.visit("/api/v1/docs") == []
    expect(page.locator(".swagger-ui .info .title")).to_be_visible(timeout=20_000)
    expect(page.locator(".opblock").first).to_be_visible(timeout=20_000)


def test_the_admin_works_under_the_policy(page, live_server):
    AssociateFactory(username="maya", role=Role.OWNER)
    create_person(actor=None, first_name="Ada", last_name="Lovelace", email="a@x.example")
    watcher = Watcher(page, live_server.url)
    sign_in(page, "maya")
    assert watcher.visit("/admin/contacts/person/") == []
    # The admin's own scripts run: "select all" and the action bar respond.
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_contain_text("1 of 1 selected")
    assert watcher.console == []


def test_a_members_template_cannot_run_script_in_the_owners_preview(page, live_server):
    owner = AssociateFactory(username="maya", role=Role.OWNER)
    member = AssociateFactory(username="sam", role=Role.MEMBER)
    create_person(actor=owner, first_name="Ada", last_name="Lovelace", email="a@x.example")
    payload = (
        '"></iframe><img src=x onerror="window.__pwned=1">'
        "<script>window.__pwned=2; parent.__pwned=2</script>"
        '<svg onload="window.__pwned=3"></svg>'
    )
    template = save_template(
        None,
        actor=member,
        name='Spring <img src=x onerror="window.__pwned=4">',
        subject='Hi <img src=x onerror="window.__pwned=5">',
        html_body=f"<p>Hello {{{{ person.first_name }}}}</p>{payload}",
        text_body="Plain <script>window.__pwned=6</script>",
    )
    watcher = Watcher(page, live_server.url)
    sign_in(page, "maya")
    # Not even blocked by the policy: the payload never becomes markup of this page.
    assert watcher.visit(f"/outreach/templates/{template.pk}/preview") == []
    assert page.evaluate(INJECTED) == 0
    frame_element = page.locator("iframe.preview")
    expect(frame_element).to_have_attribute("sandbox", "")
    frame = frame_element.content_frame
    expect(frame.locator("p").first).to_have_text("Hello Ada")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    # The frame's document is there and shows the email, yet its scripts never ran.
    inner = page.frames[1]
    assert inner.evaluate("typeof window.__pwned") == "undefined"
    for path in ("/outreach/templates/", f"/outreach/templates/{template.pk}/"):
        assert watcher.visit(path) == []
        assert page.evaluate(INJECTED) == 0
        assert page.evaluate("typeof window.__pwned") == "undefined"
