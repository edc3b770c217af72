"""The email template editor an owner can use: HTML cleaned on save, merge fields picked
by their plain names, preview as a person found by search, "send me a test" to your own
address only, and readable subjects in the list."""

from __future__ import annotations

import pytest

from thrive.conftest import client_for
from thrive.core.ratelimit import RateLimited
from thrive.outreach.email_templates.sample_send import TEST_HEADER, send_test_to_self
from thrive.outreach.email_templates.sanitize import clean_html
from thrive.outreach.email_templates.saving import save_template
from thrive.outreach.models import Delivery, EmailTemplate
from thrive.testing.factories import PersonFactory

from .conftest import make_template

pytestmark = pytest.mark.django_db

UNSAFE = (
    '<h2>Spring beans</h2><p onclick="steal()">Hi {{ person.first_name|default:"there" }},'
    "<script>alert(1)</script> <strong>new</strong> <em>roast</em></p>"
    '<ul><li><a href="https://kettle.example/beans">Beans</a></li>'
    '<li><a href="javascript:alert(1)">Bad</a></li></ul>'
    '<iframe src="https://evil.example"></iframe><form action="/x"><input name="a"></form>'
    '<img src="https://kettle.example/cup.png" alt="A cup" onerror="steal()">'
    "{% if orders.count > 1 %}<p>Thanks for coming back.</p>{% endif %}"
    '<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>'
)


def test_saved_html_keeps_the_allowed_tags_and_drops_scripts(owner):
    template = save_template(
        None, actor=owner, name="Spring", subject="Spring", html_body=UNSAFE, text_body=""
    )
    html = EmailTemplate.objects.get(pk=template.pk).html_body
    for kept in ("<h2>Spring beans</h2>", "<strong>new</strong>", "<em>roast</em>",
                 '<a href="https://kettle.example/beans">Beans</a>',
                 '<img src="https://kettle.example/cup.png" alt="A cup">',
                 '<a href="{{ unsubscribe_url }}">Unsubscribe</a>',
                 '{{ person.first_name|default:"there" }}',
                 "{% if orders.count > 1 %}<p>Thanks for coming back.</p>{% endif %}"):  # fmt: skip
        assert kept in html
    for dropped in ("<script", "alert(1)", "onclick", "onerror", "javascript:", "<iframe",
                    "<form", "<input"):  # fmt: skip
        assert dropped not in html


def test_the_editor_posts_html_that_is_cleaned_before_it_is_stored(member):
    client = client_for(member)
    response = client.post("/outreach/templates/new/", {
        "name": "Welcome", "subject": "Welcome {{ person.first_name }}",
        "html_body": '<p>Hi</p><script>document.cookie</script>'
                     '<p style="position:fixed;color:red">x</p>',
        "text_body": "",
    })  # fmt: skip
    assert response.status_code == 302
    html = EmailTemplate.objects.get(name="Welcome").html_body
    assert html == '<p>Hi</p><p style="color:red">x</p>'
    assert clean_html("") == ""


def test_the_editor_offers_merge_fields_by_their_plain_names(member):
    page = client_for(member).get("/outreach/templates/new/").content.decode()
    assert 'data-merge-tag="{{ person.first_name }}"' in page
    assert ">First name</button>" in page
    assert 'id="rich-body"' in page and "Edit HTML" in page
    # No 5,005-option list: the person is searched for.
    assert 'list="preview-people"' in page and "<select" not in page.split("preview-h")[1]


def test_the_people_search_needs_a_signed_in_associate(client, member):
    PersonFactory(first_name="Zed", email="zed@example.com")
    response = client.get("/outreach/templates/people", {"q": "zed"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert b"zed@example.com" not in response.content


def test_the_people_search_finds_by_name_or_email_and_returns_at_most_20(read_only):
    for n in range(25):
        PersonFactory(first_name="Robin", last_name=f"Hood{n:02d}", email=f"robin{n}@example.com")
    PersonFactory(first_name="Zed", last_name="Alder", email="zed@kettle.example")
    PersonFactory(first_name="Zed", last_name="Nomail", email=None)
    client = client_for(read_only)
    robins = client.get("/outreach/templates/people", {"q": "robin"}).json()["people"]
    assert len(robins) == 20
    zed = client.get("/outreach/templates/people", {"q": "kettle.example"}).json()["people"]
    assert [(p["name"], p["label"]) for p in zed] == [
        ("Zed Alder", "Zed Alder <zed@kettle.example>")
    ]
    both = client.get("/outreach/templates/people", {"q": "zed alder"}).json()["people"]
    assert [p["email"] for p in both] == ["zed@kettle.example"]
    assert client.get("/outreach/templates/people", {"q": ""}).json() == {"people": []}


def test_the_preview_page_takes_a_searched_person_not_a_long_list(member):
    template = make_template()
    ann = PersonFactory(first_name="Ann", last_name="Lee", email="ann@example.com")
    for _ in range(3):
        PersonFactory()
    page = (
        client_for(member)
        .get(f"/outreach/templates/{template.pk}/preview", {"person": "Ann Lee <ann@example.com>"})
        .content.decode()
    )
    assert "<select" not in page and "<option" not in page
    assert "Hello Ann" in page
    assert f"preview/html?person={ann.pk}" in page


def test_the_live_preview_renders_the_draft_cleaned_and_sandboxed(member):
    PersonFactory(first_name="Ann", last_name="Lee", email="ann@example.com")
    response = client_for(member).post("/outreach/templates/preview/draft", {
        "subject": "Hi", "html_body": "<p>Hi {{ person.first_name }}</p><script>x()</script>",
        "text_body": "", "person": "Ann Lee <ann@example.com>",
    })  # fmt: skip
    assert response.status_code == 200
    assert response.content.decode() == "<p>Hi Ann</p>"
    policy = response["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy
    assert not EmailTemplate.objects.exists()  # nothing saved
    bad = client_for(member).post("/outreach/templates/preview/draft", {
        "subject": "Hi", "html_body": "<p>{{ person.first_nam }}</p>", "text_body": "",
    })  # fmt: skip
    assert bad.status_code == 422 and "first_nam" in bad.content.decode()


def test_send_me_a_test_goes_to_the_associates_address_only(member, smtp_sink):
    member.email = "maya@kettle.example"
    member.save()
    template = make_template()
    ann = PersonFactory(first_name="Ann", last_name="Lee", email="ann@example.com")
    response = client_for(member).post(
        f"/outreach/templates/{template.pk}/send-test", {"person": str(ann.pk)}
    )
    assert response.status_code == 302
    received = smtp_sink.wait_for(1)
    assert len(received) == 1
    message = received[0]
    assert message.recipients == ["maya@kettle.example"]
    assert smtp_sink.to("ann@example.com") == []
    assert message.message["Subject"] == "[Test] Hello Ann"
    assert message.message[TEST_HEADER] == f"template {template.pk}"
    html = message.message.get_body(("html",)).get_content()
    assert "Hi Ann," in html
    # Not a delivery: nothing counted, nothing in reports or the weekly limit.
    assert not Delivery.objects.exists()


def test_send_me_a_test_without_a_person_uses_sample_data(member, smtp_sink):
    member.email = "maya@kettle.example"
    member.save()
    template = make_template(subject="Welcome to {{ business.name }}, {{ person.first_name }}")
    send_test_to_self(template, actor=member)
    message = smtp_sink.wait_for(1)[0].message
    assert message["Subject"].startswith("[Test] Welcome to ")
    assert message["Subject"].endswith(", First name")


def test_send_me_a_test_is_rate_limited_and_needs_an_address(member, smtp_sink, settings):
    settings.THRIVE_RATE_LIMITS = {"template_test_per_associate": (2, 3600)}
    template = make_template()
    member.email = ""
    member.save()
    response = client_for(member).post(
        f"/outreach/templates/{template.pk}/send-test", {}, follow=True
    )
    assert "Your account has no email address" in response.content.decode()
    member.email = "maya@kettle.example"
    member.save()
    send_test_to_self(template, actor=member)
    send_test_to_self(template, actor=member)
    with pytest.raises(RateLimited):
        send_test_to_self(template, actor=member)
    assert len(smtp_sink.wait_for(2)) == 2


def test_a_read_only_associate_cannot_send_tests(read_only, smtp_sink):
    template = make_template()
    response = client_for(read_only).post(f"/outreach/templates/{template.pk}/send-test", {})
    assert response.status_code == 403
    assert smtp_sink.messages == []


def test_the_list_shows_readable_subjects_never_template_tags(member, settings):
    make_template(
        name="Welcome",
        subject="Welcome to Kettle & Crow"
        "{% if person.first_name %}, {{ person.first_name }}{% endif %}",
    )
    page = client_for(member).get("/outreach/templates/").content.decode()
    assert "Welcome to Kettle &amp; Crow, First name" in page
    assert "{%" not in page and "{{" not in page
