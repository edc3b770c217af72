"""A mail provider reports bounces and complaints at /m/bounces with a shared secret."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from thrive.contacts.models import Activity, ConsentPurpose
from thrive.contacts.services import has_consent
from thrive.outreach.models import CampaignStatus, Delivery, DeliveryStatus, Suppression
from thrive.outreach.models import SuppressionReason as Why
from thrive.outreach.sending.sender import run_pump

from .conftest import consenting_person
from .test_campaigns import make_campaign

pytestmark = pytest.mark.django_db

SECRET = "s3cret-for-the-bounce-hook"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.THRIVE_BOUNCE_WEBHOOK_SECRET = SECRET


def post(payload, secret=SECRET, **headers):
    if secret is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    # No session and CSRF checks on: the provider's server has neither.
    client = Client(enforce_csrf_checks=True)
    return client.post(
        reverse("outreach_bounce_webhook"), body, content_type="application/json", **headers
    )


def sent_campaign(size, smtp_sink):
    people = [consenting_person() for _ in range(size)]
    owner, campaign = make_campaign(people)
    campaign.stop_after_sends = 10
    campaign.save()
    from thrive.outreach.sending.dispatch import send_campaign

    send_campaign(campaign, actor=owner)
    run_pump()
    return campaign, list(Delivery.objects.filter(campaign=campaign).order_by("pk"))


def test_a_hard_bounce_suppresses_and_enough_of_them_stop_the_campaign(smtp_sink, settings):
    # Ten of twenty sent now; the rest waits so the automatic stop has something to stop.
    settings.THRIVE_OUTREACH_BATCH = 10
    people = [consenting_person() for _ in range(20)]
    owner, campaign = make_campaign(people)
    campaign.stop_after_sends = 10
    campaign.save()
    from thrive.outreach.sending.dispatch import send_campaign

    send_campaign(campaign, actor=owner)
    run_pump(budget_seconds=0)
    sent = list(Delivery.objects.filter(campaign=campaign, status=DeliveryStatus.SENT))
    assert len(sent) == 10
    first = sent[0]
    response = post(
        {
            "events": [
                {
                    "recipient": first.to_email,
                    "type": "bounce",
                    "severity": "hard",
                    "message_id": first.message_id,
                    "detail": "550 5.1.1 no such user",
                }
            ]
        }
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"received": 1, "matched": 1, "unmatched": 0, "repeated": 0}
    first.refresh_from_db()
    assert first.status == DeliveryStatus.BOUNCED and first.bounced_at
    assert Suppression.objects.get(email=first.to_email).reason == Why.HARD_BOUNCE
    campaign.refresh_from_db()
    # 1 of 10 is 10%, above the 5% limit: nothing more goes out.
    assert campaign.status == CampaignStatus.STOPPED
    assert "10.0% of 10 messages bounced" in campaign.stopped_reason
    run_pump()
    assert len(smtp_sink.messages) == 10
    # The provider retries the same report: nothing changes, nothing is noted twice.
    again = post({"events": [{"type": "bounce", "message_id": first.message_id}]})
    assert again.json()["repeated"] == 1
    assert Activity.objects.filter(person_id=first.person_id, data__event="bounce").count() == 1


def test_a_complaint_suppresses_and_withdraws_consent_and_a_soft_bounce_only_notes(smtp_sink):
    _, deliveries = sent_campaign(3, smtp_sink)
    spam, soft, _ = deliveries
    response = post(
        [
            {"type": "complaint", "message_id": spam.message_id.strip("<>")},
            {"type": "bounce", "severity": "soft", "message_id": soft.message_id,
             "detail": "452 mailbox full"},
        ]
    )  # fmt: skip
    assert response.json()["matched"] == 2
    spam.refresh_from_db()
    soft.refresh_from_db()
    assert spam.complained_at is not None
    assert Suppression.objects.get(email=spam.to_email).reason == Why.COMPLAINT
    assert not has_consent(spam.person, ConsentPurpose.EMAIL_MARKETING)
    assert soft.status == DeliveryStatus.SENT and soft.bounced_at is None
    assert not Suppression.objects.filter(email=soft.to_email).exists()
    note = Activity.objects.get(person_id=soft.person_id, data__event="bounce")
    assert note.data["permanent"] is False and "mailbox full" in note.body


def test_an_unknown_message_still_suppresses_the_address():
    response = post({"type": "bounce", "recipient": "Gone@Example.org", "message_id": "<nope>"})
    assert response.json() == {"received": 1, "matched": 0, "unmatched": 1, "repeated": 0}
    assert Suppression.objects.get(email="gone@example.org").reason == Why.HARD_BOUNCE


def test_the_secret_is_required_and_compared_exactly(settings):
    event = {"type": "complaint", "recipient": "a@example.org"}
    assert post(event, secret=None).status_code == 401
    assert post(event, secret=SECRET + "x").status_code == 401
    assert post(event, secret=SECRET[:-1]).status_code == 401
    assert Client().get(reverse("outreach_bounce_webhook")).status_code == 405
    assert not Suppression.objects.exists()
    # The other header works too.
    ok = post(event, secret=None, HTTP_X_THRIVE_WEBHOOK_SECRET=SECRET)
    assert ok.status_code == 200
    settings.THRIVE_BOUNCE_WEBHOOK_SECRET = ""
    assert post(event).status_code == 404


def test_bad_events_are_named_and_nothing_is_recorded():
    response = post(
        {
            "events": [
                {"type": "complaint", "recipient": "fine@example.org"},
                {"type": "unsubscribe", "recipient": "b@example.org"},
                {"type": "bounce", "severity": "medium", "recipient": "not an address"},
                {"type": "bounce"},
                "text",
            ]
        }
    )
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert any(p.startswith("events[1].type") for p in problems)
    assert any(p.startswith("events[2].severity") for p in problems)
    assert any(p.startswith("events[2].recipient") for p in problems)
    assert any(p.startswith("events[3]: give the recipient") for p in problems)
    assert any(p.startswith("events[4]") for p in problems)
    assert not Suppression.objects.exists()
    assert post("{not json").status_code == 400
    assert post({"events": []}).status_code == 400
