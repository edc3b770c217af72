"""Lead-capture forms in a real browser: Maya builds a form from the field list, a visitor
fills it on its hosted page (desktop and a 390 px phone), is told what is wrong, sends it,
and gets the confirmation email; the embedded form works inside another site's frame,
and the hosted page refuses to be framed."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from thrive.accounts.models import Business
from thrive.contacts.models import Person
from thrive.core.roles import Role
from thrive.leadforms.models import LeadForm, Submission
from thrive.outreach.models import EmailTemplate, MessagePurpose, OnCap
from thrive.outreach.sending.sender import run_pump
from thrive.outreach.sending.sequencing import add_step, create_sequence
from thrive.testing.factories import AssociateFactory

from .conftest import open_section, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "Kettle & Crow Coffee Roasters"
CONSENT = "Email me the brewing lessons and news. I can unsubscribe at any time."


@pytest.fixture
def shop(settings, live_server, smtp_sink):
    settings.THRIVE_PUBLIC_URL = live_server.url
    settings.THRIVE_QUIET_HOURS = "off"
    Business.objects.create(name=NAME, website="https://kettleandcrow.example")
    maya = AssociateFactory(username="maya", first_name="Maya", role=Role.OWNER,
                            email="maya@example.com")  # fmt: skip
    AssociateFactory(username="tom", first_name="Tom", last_name="Reyes", email="tom@example.com")
    sequence = create_sequence(
        actor=None, name="Brewing lessons", purpose=MessagePurpose.EMAIL_MARKETING,
        on_cap=OnCap.DEFER,
    )  # fmt: skip
    template = EmailTemplate.objects.create(name="Lesson 1", subject="Lesson 1: fresh beans",
                                            html_body="<p>Weigh 15 g of coffee.</p>")  # fmt: skip
    add_step(sequence, actor=None, template=template, delay_hours=0)
    return maya


def test_maya_builds_a_form_and_shares_its_snippet(page, shop):
    sign_in(page, "maya")
    open_section(page, "Reach")
    page.locator(".mainnav").get_by_role("link", name="Forms").click()
    expect(page.get_by_role("heading", name="Forms")).to_be_visible()
    page.get_by_role("link", name="New form").click()
    page.get_by_label("Name", exact=True).fill("Brewing course by email")
    page.get_by_label("Slug").fill("brewing-course")
    page.get_by_label("Button label").fill("Send me the course")
    page.get_by_label("Enrol in the sequence").select_option(label="Brewing lessons")
    page.get_by_label("Tags").fill("brewing course")
    page.get_by_label("Notify this associate").select_option(label="Tom Reyes")
    rows = page.get_by_test_id("field-row")
    rows.nth(2).locator("select").select_option(label="City")
    rows.nth(2).locator('input[name$="-label"]').fill("Where do you brew?")
    # Saving without the consent words is refused with the reason.
    page.get_by_role("button", name="Save the form").click()
    expect(page.get_by_test_id("builder-problems")).to_contain_text("not saved yet")
    expect(page.get_by_test_id("leadform-builder")).to_contain_text(
        "write the words of that consent box"
    )
    page.get_by_label("Consent box: email marketing").fill(CONSENT)
    screenshot(page, "leadforms-builder")
    page.get_by_role("button", name="Save the form").click()
    expect(page.get_by_role("heading", name="Brewing course by email")).to_be_visible()
    snippet = page.get_by_test_id("embed-snippet")
    expect(snippet).to_have_value(
        re.compile(r'<iframe src="http://[^"]+/f/brewing-course/\?embed=1"')
    )
    screenshot(page, "leadforms-detail")
    form = LeadForm.objects.get()
    assert [f.target for f in form.fields.all()] == ["first_name", "email", "city"]
    assert form.notify.username == "tom" and form.tag_list == ["brewing course"]


@contextmanager
def other_site(page: bytes) -> Iterator[str]:
    """Another website, on 127.0.0.1, that serves ``page`` at /blog."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/blog"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def course_form(shop):
    from thrive.leadforms.services import save_form
    from thrive.outreach.models import Sequence

    return save_form(None, actor=None, values={
        "name": "Brewing course by email", "slug": "brewing-course",
        "button_label": "Send me the course", "sequence": Sequence.objects.get(),
        "consent_texts": {"email_marketing": CONSENT},
        "thank_you_text": "Lesson 1 is on its way as soon as you confirm.",
    }, rows=[{"target": "first_name", "label": "First name", "required": True},
             {"target": "email", "label": "Email"}])  # fmt: skip


@pytest.mark.parametrize("width", [1440, 390])
def test_a_visitor_fills_the_hosted_form(browser, live_server, course_form, smtp_sink, width):
    context = browser.new_context(base_url=live_server.url,
                                  viewport={"width": width, "height": 900})  # fmt: skip
    visitor = context.new_page()
    visitor.set_default_timeout(15_000)
    errors: list[str] = []
    visitor.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    visitor.goto("/f/brewing-course/")
    expect(visitor.get_by_test_id("public-header")).to_contain_text(NAME)
    expect(visitor.locator(".public-footer")).to_be_visible()
    visitor.get_by_label("Email", exact=True).fill("rosa-at-example")
    visitor.get_by_role("button", name="Send me the course").click()
    problems = visitor.get_by_test_id("leadform")
    expect(problems).to_contain_text("First name: please fill this in.")
    expect(problems).to_contain_text("enter an email address like name@example.com")
    expect(problems).to_contain_text("Tick this box to get the emails you asked for.")
    assert not Person.objects.exists()
    fits = visitor.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    assert fits, f"the form scrolls sideways at {width} px"
    screenshot(visitor, f"leadforms-public-errors-{width}")

    visitor.get_by_label("First name").fill("Rosa")
    visitor.get_by_label("Email", exact=True).fill(f"rosa{width}@example.com")
    visitor.get_by_label(CONSENT).check()
    visitor.get_by_role("button", name="Send me the course").click()
    expect(visitor.get_by_test_id("leadform-thanks")).to_contain_text("Check your inbox")
    screenshot(visitor, f"leadforms-public-thanks-{width}")
    run_pump()
    [mail] = smtp_sink.wait_for(1)
    assert mail.message["To"] == f"rosa{width}@example.com"
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()


def test_the_embedded_form_works_inside_another_sites_frame(browser, live_server, course_form):
    context = browser.new_context(viewport={"width": 1024, "height": 1000})
    host = context.new_page()
    host.set_default_timeout(15_000)
    # The business's own site pasting the snippet, plus the hosted page without ?embed=1,
    # which must stay unframed: a real web server on another origin (127.0.0.1 rather than
    # localhost, so another site for cookies too).
    form_url = f"{live_server.url}/f/brewing-course/"
    assert "localhost" in form_url
    blog = (
        "<!doctype html><h1>Kettle &amp; Crow blog</h1>"
        f'<iframe id="good" src="{form_url}?embed=1" width="600" height="800"></iframe>'
        f'<iframe id="bad" src="{form_url}" width="600" height="300"></iframe>'
    ).encode()
    with other_site(blog) as site:
        host.goto(site)
        framed = host.frame_locator("#good")
        # In the frame the business's name stays and the footer goes (the site has its own).
        expect(framed.get_by_test_id("public-header")).to_contain_text(NAME)
        expect(framed.locator(".public-footer")).to_be_hidden()
        framed.get_by_label("First name").fill("Iris")
        framed.get_by_label("Email", exact=True).fill("iris@example.com")
        framed.get_by_label(CONSENT).check()
        framed.get_by_role("button", name="Send me the course").click()
        expect(framed.get_by_test_id("leadform-thanks")).to_contain_text("Check your inbox")
        assert Submission.objects.get().person.email == "iris@example.com"
        blocked = host.frame_locator("#bad").locator("body")
        expect(blocked).not_to_contain_text("Send me the course")
        screenshot(host, "leadforms-embedded")
        context.close()
