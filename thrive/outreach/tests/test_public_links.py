import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from thrive.contacts.models import Activity, Consent, ConsentMethod, ConsentPurpose
from thrive.contacts.services import has_consent
from thrive.core.tokens import make_token
from thrive.outreach.inbound.optin import confirm_signup, request_signup
from thrive.outreach.models import DeliveryStatus, Suppression, SuppressionReason
from thrive.outreach.sending import links
from thrive.outreach.sending.sender import run_pump
from thrive.outreach.services import send_email

from .conftest import consenting_person, make_template

pytestmark = pytest.mark.django_db


def sent_to(person, smtp_sink, key="k"):
    delivery = send_email(person, template=make_template(), idempotency_key=key, reason={})
    run_pump()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    [received] = smtp_sink.to(person.email)
    return delivery, received.message


def test_one_click_unsubscribe_works_from_the_header_alone(smtp_sink):
    person = consenting_person()
    delivery, message = sent_to(person, smtp_sink)
    header_url = message["List-Unsubscribe"].strip("<>")
    # As a mail provider does it: a bare POST, no cookies, no CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        urlsplit(header_url).path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not has_consent(person, ConsentPurpose.EMAIL_MARKETING)
    withdrawn = Consent.objects.get(person=person)
    assert withdrawn.withdrawal_method == ConsentMethod.UNSUBSCRIBE
    assert Suppression.objects.get(email=person.email).reason == SuppressionReason.UNSUBSCRIBED
    delivery.refresh_from_db()
    assert delivery.unsubscribed_at is not None
    # Honoured at once: the next message is not sent.
    again = send_email(person, template=make_template("Again"), idempotency_key="k2", reason={})
    run_pump()
    again.refresh_from_db()
    assert again.status == DeliveryStatus.SKIPPED
    assert len(smtp_sink.messages) == 1


def test_the_visible_link_asks_first_and_unsubscribes_on_the_button(smtp_sink, client):
    person = consenting_person()
    _, message = sent_to(person, smtp_sink)
    text = message.get_body(("plain",)).get_content()
    url = re.search(r"Unsubscribe: (\S+)", text).group(1)
    page = client.get(urlsplit(url).path)
    assert page.status_code == 200 and b"Unsubscribe" in page.content
    assert has_consent(person, ConsentPurpose.EMAIL_MARKETING)
    client.post(urlsplit(url).path, {"List-Unsubscribe": "One-Click"})
    assert not has_consent(person, ConsentPurpose.EMAIL_MARKETING)


def test_opens_and_clicks_feed_the_timeline(smtp_sink, client):
    person = consenting_person()
    delivery, message = sent_to(person, smtp_sink)
    html = message.get_body(("html",)).get_content()
    pixel = re.search(r'src="(http://testserver/m/o/[^"]+)"', html).group(1)
    tracked = re.search(r'href="(http://testserver/m/c/[^"]+)"', html).group(1)
    for _ in range(2):
        response = client.get(urlsplit(pixel).path)
        assert response["Content-Type"] == "image/gif"
    response = client.get(urlsplit(tracked).path)
    assert response.status_code == 302
    assert response["Location"] == "https://example.org/beans?a=1&b=2"
    events = list(
        Activity.objects.filter(person=person, data__delivery=delivery.pk)
        .order_by("id")
        .values_list("data__event", flat=True)
    )
    assert events == ["sent", "open", "click"]
    delivery.refresh_from_db()
    assert delivery.opened_at and delivery.clicked_at


@pytest.mark.parametrize("kind", ["u", "c", "confirm"])
@pytest.mark.parametrize("token", ["garbage", "a:b:c", "x" * 300, "%00", "..%2F..%2Fetc"])
def test_bad_tokens_get_a_friendly_page_not_an_error(client, kind, token):
    response = client.get(f"/m/{kind}/{token}")
    # A token with slashes is simply not one of our URLs (404); no input gives a 500.
    assert response.status_code in {400, 404}
    if response.status_code == 400:
        assert b"This link" in response.content
    response = client.post(
        f"/m/{kind}/{token}",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in {400, 404, 405}


def test_tokens_for_one_purpose_open_nothing_else(client):
    click_token = make_token(links.CLICK, {"d": 1, "u": "https://e.org"})
    assert client.post(f"/m/u/{click_token}").status_code == 400
    unsafe = make_token(links.CLICK, {"d": 1, "u": "javascript:alert(1)"})
    assert client.get(f"/m/c/{unsafe}").status_code == 400
    missing = make_token(links.UNSUBSCRIBE, {"d": 999999})
    assert client.post(f"/m/u/{missing}").status_code == 400
    assert client.get("/m/o/garbage")["Content-Type"] == "image/gif"


def test_double_opt_in_grants_consent_only_on_confirmation(smtp_sink, client):
    delivery = request_signup(email="New@Example.com", first_name="Noor", ip_address="10.0.0.1")
    person = delivery.person
    assert not has_consent(person, ConsentPurpose.EMAIL_MARKETING)
    run_pump()
    [received] = smtp_sink.to("new@example.com")
    text = received.message.get_body(("plain",)).get_content()
    url = re.search(r"(http://testserver/m/confirm/\S+)", text).group(1)
    assert client.get(urlsplit(url).path).status_code == 200
    assert not has_consent(person, ConsentPurpose.EMAIL_MARKETING)
    assert client.post(urlsplit(url).path).status_code == 200
    consent = Consent.objects.get(person=person, withdrawn_at__isnull=True)
    assert consent.method == ConsentMethod.DOUBLE_OPT_IN
    assert str(consent.ip_address) == "10.0.0.1"
    # Confirming twice keeps one grant; a signed-up person asking again gets no email.
    confirm_signup(urlsplit(url).path.rsplit("/", 1)[1])
    assert Consent.objects.filter(person=person).count() == 1
    assert request_signup(email="new@example.com") is None


def test_the_join_form_sends_a_confirmation(client, smtp_sink):
    response = client.post("/m/join", {"email": "joiner@example.com", "agree": "on"})
    assert response.status_code == 200 and b"Check your inbox" in response.content
    run_pump()
    assert len(smtp_sink.to("joiner@example.com")) == 1


def test_the_unsubscribe_page_can_also_decline_profiling(smtp_sink, client):
    from thrive.contacts import profiling

    person = consenting_person()
    _, message = sent_to(person, smtp_sink)
    text = message.get_body(("plain",)).get_content()
    path = urlsplit(re.search(r"Unsubscribe: (\S+)", text).group(1)).path
    assert b'name="profiling"' in client.get(path).content
    assert not profiling.has_declined(person)
    done = client.post(path, {"List-Unsubscribe": "One-Click", "profiling": "1"})
    assert "Nothing about you will be personalised" in done.content.decode()
    assert profiling.has_declined(person)
    assert not has_consent(person, ConsentPurpose.EMAIL_MARKETING)
