"""One-to-one email from a person's page: sent as the associate, once, on the timeline."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from thrive.accounts.models import Role
from thrive.analytics.dashboard import _time_with_customers
from thrive.commerce.models import Deal, DealStage
from thrive.conftest import client_for
from thrive.contacts.models import Activity, ActivityKind, Direction
from thrive.outreach.models import Delivery, DeliveryStatus, Suppression, SuppressionReason
from thrive.outreach.personal import new_form_key, send_personal_email
from thrive.outreach.sending.sender import run_pump
from thrive.outreach.services import send_email
from thrive.testing.factories import AssociateFactory, PersonFactory

from .conftest import consenting_person, make_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def tom(db, settings):
    settings.THRIVE_BUSINESS_NAME = "Beans & Co"
    settings.DEFAULT_FROM_EMAIL = "hello@beans.example"
    return AssociateFactory(
        username="tom", first_name="Tom", last_name="Baker", email="tom@beans.example",
        role=Role.MEMBER,
    )  # fmt: skip


def _send(person, actor, **extra):
    values = {
        "subject": "Hi {{ person.first_name }}",
        "body": "Dear {{ person.first_name }},\n\nCoffee?",
    }
    values.update(extra)
    return send_personal_email(
        person, actor=actor, form_key=values.pop("form_key", new_form_key()), **values
    )


def test_it_goes_out_as_the_associate_with_replies_to_them_and_is_on_the_timeline(tom, smtp_sink):
    person = PersonFactory(first_name="Lea")  # no marketing consent: a personal email needs none
    sent = _send(person, tom, minutes=12)
    run_pump()
    [received] = smtp_sink.to(person.email)
    message = received.message
    assert message["Subject"] == "Hi Lea"
    [sender] = message["From"].addresses
    assert sender.display_name == "Tom Baker at Beans & Co"
    assert sender.addr_spec == "hello@beans.example"
    assert str(message["Reply-To"]) == "tom@beans.example"
    assert "Dear Lea" in message.get_body(preferencelist=("plain",)).get_content()
    assert message["List-Unsubscribe"] is None
    [activity] = Activity.objects.filter(person=person, kind=ActivityKind.EMAIL)
    assert activity.direction == Direction.OUTBOUND and not activity.automated
    assert activity.associate == tom and activity.duration_minutes == 12
    assert activity.subject == "Hi Lea" and activity.data["delivery"] == sent.delivery.pk
    sent.delivery.refresh_from_db()
    assert sent.delivery.status == DeliveryStatus.SENT and not sent.delivery.automated


def test_the_same_form_sent_twice_sends_one_email(tom, smtp_sink):
    person = PersonFactory()
    key = new_form_key()
    first = _send(person, tom, form_key=key)
    again = _send(person, tom, form_key=key)
    run_pump()
    run_pump()
    assert first.created and not again.created and first.delivery.pk == again.delivery.pk
    assert len(smtp_sink.to(person.email)) == 1
    assert Activity.objects.filter(person=person, kind=ActivityKind.EMAIL).count() == 1


def test_a_double_click_on_the_page_sends_once(tom, smtp_sink):
    person = PersonFactory(first_name="Ana")
    client = client_for(tom)
    url = reverse("personal_email", args=[person.pk])
    page = client.get(url)
    key = page.context["form"].initial["form_key"]
    post = {"subject": "Hello", "body": "Hi Ana", "form_key": key, "minutes": "5", "action": "send"}
    assert client.post(url, post).status_code == 302
    assert client.post(url, post).status_code == 302
    run_pump()
    assert len(smtp_sink.to(person.email)) == 1


def test_it_is_never_held_by_the_weekly_limit_on_automated_email(tom, smtp_sink, settings):
    settings.THRIVE_MAX_AUTOMATED_PER_WEEK = 1
    person = consenting_person(first_name="Max")
    template = make_template()
    send_email(person, template=template, idempotency_key="auto:1", reason={"why": "test"})
    run_pump()
    assert len(smtp_sink.to(person.email)) == 1  # the budget is now used up
    blocked = send_email(person, template=template, idempotency_key="auto:2", reason={"why": "t"})
    assert blocked.status == DeliveryStatus.DEFERRED
    sent = _send(person, tom, marketing=True)
    run_pump()
    assert sent.delivery.status == DeliveryStatus.QUEUED
    assert len(smtp_sink.to(person.email)) == 2


def test_marketing_content_needs_consent_and_says_so(tom, smtp_sink):
    person = PersonFactory(first_name="Noor")
    with pytest.raises(ValidationError) as caught:
        _send(person, tom, marketing=True)
    assert "Noor has not agreed to marketing email" in str(caught.value)
    assert not Delivery.objects.exists() and not Activity.objects.filter(kind="email").exists()
    # The same words as a personal message may go.
    assert _send(person, tom, marketing=False).created


def test_marketing_with_consent_carries_the_unsubscribe_header(tom, smtp_sink):
    person = consenting_person()
    _send(person, tom, marketing=True)
    run_pump()
    [received] = smtp_sink.to(person.email)
    assert received.message["List-Unsubscribe"]


def test_nobody_on_the_suppression_list_gets_one(tom, smtp_sink):
    person = PersonFactory()
    Suppression.objects.create(email=person.email, reason=SuppressionReason.HARD_BOUNCE)
    with pytest.raises(ValidationError) as caught:
        _send(person, tom)
    assert "suppression list (hard bounce" in str(caught.value)
    assert not Delivery.objects.exists()


def test_a_read_only_associate_may_not_send(db, smtp_sink):
    reader = AssociateFactory(username="reader", role=Role.READ_ONLY)
    person = PersonFactory()
    with pytest.raises(PermissionDenied):
        _send(person, reader)
    url = reverse("personal_email", args=[person.pk])
    post = {"subject": "x", "body": "y", "form_key": "k", "action": "send"}
    assert client_for(reader).post(url, post).status_code == 403
    assert client_for(reader).get(url).status_code == 403
    assert not Delivery.objects.exists()


@pytest.mark.parametrize("role", [Role.OWNER, Role.MEMBER])
def test_owners_and_members_see_the_composer(role, db):
    user = AssociateFactory(username=f"u-{role}", role=role)
    person = PersonFactory()
    page = client_for(user).get(reverse("personal_email", args=[person.pk]))
    assert page.status_code == 200
    assert b"Insert a merge field" in page.content and b"is marketing" in page.content
    detail = client_for(user).get(reverse("person", args=[person.pk]))
    assert reverse("personal_email", args=[person.pk]).encode() in detail.content


def test_an_empty_subject_and_an_unknown_merge_field_are_named(tom):
    person = PersonFactory()
    client = client_for(tom)
    url = reverse("personal_email", args=[person.pk])
    post = {"subject": "  ", "body": "Hi {{ person.nickname }}", "form_key": "k1", "action": "send"}
    page = client.post(url, post)
    assert page.status_code == 400
    text = page.content.decode()
    assert "Write a subject." in text
    assert "unknown merge field “person.nickname”" in text
    assert not Delivery.objects.exists()


def test_preview_shows_the_message_as_the_person_reads_it_and_sends_nothing(tom, smtp_sink):
    person = PersonFactory(first_name="Ines")
    url = reverse("personal_email", args=[person.pk])
    post = {"subject": "For {{ person.first_name }}", "body": "Hello {{ person.first_name }}!",
            "form_key": "k2", "action": "preview"}  # fmt: skip
    page = client_for(tom).post(url, post)
    assert page.status_code == 200
    assert "Hello Ines!" in page.content.decode()
    assert not Delivery.objects.exists() and smtp_sink.messages == []


def test_starting_from_a_template_fills_the_subject_and_message(tom):
    person = PersonFactory()
    template = make_template("Check in", subject="How are things, {{ person.first_name }}?",
                             text_body="Just checking in.")  # fmt: skip
    page = client_for(tom).get(
        reverse("personal_email", args=[person.pk]), {"template": template.pk}
    )
    assert page.context["form"].initial["subject"] == "How are things, {{ person.first_name }}?"
    assert page.context["form"].initial["body"] == "Just checking in."


def test_from_a_deal_the_email_is_linked_to_the_deal(tom, smtp_sink):
    person = PersonFactory()
    stage, _ = DealStage.objects.get_or_create(
        name="Proposal", defaults={"position": 3, "probability": Decimal("0.5")}
    )
    deal = Deal.objects.create(title="Roaster", person=person, stage=stage, value=Decimal(900))
    client = client_for(tom)
    url = reverse("personal_email", args=[person.pk])
    page = client.get(url, {"deal": deal.pk})
    assert page.context["deal"] == deal
    key = page.context["form"].initial["form_key"]
    post = {"subject": "The roaster", "body": "Here is the quote.", "form_key": key,
            "deal": deal.pk, "minutes": "10", "action": "send"}  # fmt: skip
    assert client.post(url, post).status_code == 302
    activity = Activity.objects.get(person=person, kind=ActivityKind.EMAIL)
    assert activity.data["deal"] == deal.pk and activity.ref == f"deal:{deal.pk}"
    edit = client.get(reverse("deal_edit", args=[deal.pk]))
    assert f"{url}?deal={deal.pk}".encode() in edit.content


def test_the_minutes_count_in_time_with_customers(tom, smtp_sink):
    person = PersonFactory()
    start = timezone.now() - dt.timedelta(days=1)
    before = _time_with_customers(start, timezone.now() + dt.timedelta(hours=1))["hours"]
    _send(person, tom, minutes=30)
    after = _time_with_customers(start, timezone.now() + dt.timedelta(hours=1))
    assert after["hours"] == pytest.approx(before + 0.5)
    assert after["by_associate"][0]["associate"] == "Tom Baker"
