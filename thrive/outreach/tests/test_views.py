import pytest
from django.urls import reverse

from thrive.conftest import client_for
from thrive.outreach.models import Campaign, CampaignStatus, EmailTemplate, Sequence
from thrive.outreach.sending.sender import run_pump
from thrive.outreach.services import send_email
from thrive.segments.models import Segment

from .conftest import consenting_person, make_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def things(db):
    template = make_template()
    segment = Segment.objects.create(name="Everyone", rules={"match": "all", "rules": []})
    sequence = Sequence.objects.create(name="Welcome")
    return template, segment, sequence


def test_every_outreach_page_renders_for_every_persona(persona, things):
    template, _, sequence = things
    person = consenting_person()
    client = client_for(persona)
    for url in [
        reverse("campaigns"),
        reverse("outreach_templates"),
        reverse("sequences"),
        reverse("outreach_template", args=[template.pk]),
        reverse("outreach_template_preview", args=[template.pk]) + f"?person={person.pk}",
        reverse("sequence", args=[sequence.pk]),
    ]:
        assert client.get(url).status_code == 200, url


def test_read_only_cannot_create_or_send(read_only, owner, things):
    template, segment, sequence = things
    client = client_for(read_only)
    campaign = Campaign.objects.create(name="C", segment=segment)
    posts = {
        reverse("outreach_template_new"): {"name": "x", "subject": "y", "html_body": "z"},
        reverse("outreach_template", args=[template.pk]): {"name": "x", "subject": "y"},
        reverse("campaign_new"): {"name": "x"},
        reverse("campaign_send", args=[campaign.pk]): {},
        reverse("campaign_stop", args=[campaign.pk]): {},
        reverse("sequence_new"): {"name": "x"},
        reverse("sequence_add_step", args=[sequence.pk]): {},
        reverse("sequence_enroll", args=[sequence.pk]): {"email": "a@b.c"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    assert client.get(reverse("campaign_new")).status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_saving_a_template_shows_each_problem_with_its_line(member):
    client = client_for(member)
    response = client.post(
        reverse("outreach_template_new"),
        {"name": "Oops", "subject": "Hi {{ person.nick }}", "html_body": "<p>\n{% include 'x' %}"},
    )
    assert response.status_code == 200
    assert "Line 1: unknown merge field “person.nick”." in response.content.decode()
    assert "Line 2: the tag “include” is not allowed" in response.content.decode()
    assert not EmailTemplate.objects.filter(name="Oops").exists()
    response = client.post(
        reverse("outreach_template_new"),
        {"name": "Fine", "subject": "Hi", "html_body": "<p>{{ person.first_name }}</p>"},
    )
    assert response.status_code == 302


def test_a_member_creates_and_sends_a_campaign_and_sees_its_numbers(member, things, smtp_sink):
    template, segment, _ = things
    for _ in range(3):
        consenting_person()
    client = client_for(member)
    response = client.post(
        reverse("campaign_new"),
        {
            "name": "Spring",
            "segment": segment.pk,
            "purpose": "email_marketing",
            "template": template.pk,
            "variant_b_subject": "Other",
            "holdout_percent": 0,
        },
    )
    campaign = Campaign.objects.get(name="Spring")
    assert response.status_code == 302
    assert (
        client.post(reverse("campaign_send", args=[campaign.pk]), {"when": ""}).status_code == 302
    )
    run_pump()
    page = client.get(reverse("campaign", args=[campaign.pk]))
    assert page.status_code == 200
    assert page.context["totals"]["sent"] == 3
    assert len(smtp_sink.messages) == 3


def test_the_person_page_says_why_each_email_was_sent(owner, smtp_sink):
    person = consenting_person()
    send_email(
        person,
        template=make_template(),
        idempotency_key="why-1",
        reason={"why": "Ordered twice this month.", "orders": 2},
    )
    run_pump()
    page = client_for(owner).get(reverse("person", args=[person.pk]))
    body = page.content.decode()
    assert "Emails and why" in body
    assert "Ordered twice this month." in body and "Orders: 2" in body
    assert "Consent to email marketing given" in body
