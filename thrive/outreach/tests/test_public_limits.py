"""The public sign-up, opt-in and unsubscribe endpoints are rate limited and carry a
honeypot: over the limit or caught, nothing is written and no email is sent."""

from __future__ import annotations

import pytest
from django.test import Client

from thrive.contacts.models import Consent, Person
from thrive.outreach.models import Delivery
from thrive.outreach.sending import links
from thrive.outreach.sending.sender import run_pump

pytestmark = pytest.mark.django_db


def join(email: str, *, ip: str = "203.0.113.9", **extra: str):  # type: ignore[no-untyped-def]
    return Client(REMOTE_ADDR=ip).post("/m/join", {"email": email, "agree": "on", **extra})


def test_300_sign_ups_from_one_address_create_ten_people_and_send_ten_emails(smtp_sink):
    codes = [join(f"bot{n}@example.com").status_code for n in range(300)]
    assert codes[:10] == [200] * 10
    assert set(codes[10:]) == {429}
    run_pump()
    assert Person.objects.count() == 10
    assert len(smtp_sink.messages) == 10


def test_one_mailbox_gets_at_most_three_confirmations_from_many_addresses(smtp_sink):
    codes = [join("victim@example.com", ip=f"198.51.100.{n}").status_code for n in range(10)]
    assert codes[:3] == [200] * 3 and set(codes[3:]) == {429}


def test_over_the_limit_the_page_is_friendly_and_says_when(smtp_sink):
    for n in range(10):
        join(f"p{n}@example.com")
    response = join("late@example.com")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3601
    assert "Too many attempts; try again in" in response.content.decode()
    assert not Person.objects.filter(email="late@example.com").exists()


def test_a_filled_honeypot_creates_nobody_and_sends_nothing(smtp_sink):
    response = join("bot@example.com", website_url="http://spam.example")
    assert response.status_code == 400
    run_pump()
    assert not Person.objects.exists() and smtp_sink.messages == []


def test_the_join_form_has_the_honeypot_hidden_by_a_class():
    page = Client().get("/m/join").content.decode()
    assert 'name="website_url"' in page and 'class="hp-field"' in page
    assert "style=" not in page.split('class="hp-field"')[1].split("</div>")[0]


def test_the_limits_follow_thrive_rate_limits(settings, smtp_sink):
    settings.THRIVE_RATE_LIMITS = {"join_per_ip": (2, 3600)}
    codes = [join(f"x{n}@example.com").status_code for n in range(3)]
    assert codes == [200, 200, 429]


def test_opt_in_confirmations_are_limited_and_honeypotted(smtp_sink):
    from thrive.outreach.inbound.optin import request_signup

    delivery = request_signup(email="new@example.com")
    token = links.opt_in_url({
        "p": delivery.person_id, "e": "new@example.com", "pu": "email_marketing",
    }).rsplit("/", 1)[1]  # fmt: skip
    caught = Client().post(f"/m/confirm/{token}", {"website_url": "x"})
    assert caught.status_code == 400 and not Consent.objects.exists()
    codes = [Client(REMOTE_ADDR="203.0.113.3").post(f"/m/confirm/{token}").status_code
             for _ in range(31)]  # fmt: skip
    assert codes[:30] == [200] * 30 and codes[30] == 429


def test_unsubscribes_are_limited_per_address_but_generously(settings, smtp_sink):
    from thrive.outreach.services import send_email
    from thrive.outreach.tests.conftest import consenting_person, make_template

    person = consenting_person()
    send_email(person, template=make_template(), idempotency_key="u", reason={})
    run_pump()
    delivery = Delivery.objects.get()
    path = links.unsubscribe_url(delivery.pk).split("testserver", 1)[1]
    # Three a window; the caught bot's request counts too.
    settings.THRIVE_RATE_LIMITS = {"unsubscribe_per_ip": (3, 3600)}
    assert Client().post(path, {"website_url": "x"}).status_code == 400
    delivery.refresh_from_db()
    assert delivery.unsubscribed_at is None
    codes = [Client().post(path).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
