"""The hosted form and its embedded twin: clear messages for bad answers with nothing
half-written, the honeypot, the rate limit, CSRF, and framing allowed only for ?embed=1."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from thrive.accounts.models import Business
from thrive.conftest import client_for
from thrive.contacts.models import Activity, CustomFieldDefinition, CustomFieldType, Person
from thrive.contacts.models.fields import CustomFieldEntity
from thrive.core.models import RateCounter

from ..models import Submission
from .conftest import CONSENT_WORDS, course, make_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def form(db):
    CustomFieldDefinition.objects.create(
        entity=CustomFieldEntity.PERSON, key="roast", label="Favourite roast",
        field_type=CustomFieldType.CHOICE, choices=["light", "dark"],
    )  # fmt: skip
    return make_form(rows=[
        {"target": "first_name", "label": "First name", "required": True},
        {"target": "email", "label": "Email"},
        {"target": "custom:roast", "label": "Roast you like"},
    ], sequence=course(), consent_texts={"email_marketing": CONSENT_WORDS})  # fmt: skip


def test_the_hosted_form_wears_the_business_name_and_may_not_be_framed(form):
    Business.objects.create(name="Kettle & Crow", website="https://kc.example")
    response = Client().get("/f/brew-course/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Kettle &amp; Crow" in html and "Brew course" in html
    assert 'name="cf_roast"' in html and CONSENT_WORDS in html
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_only_the_embedded_form_may_be_framed_by_any_site(form):
    response = Client().get("/f/brew-course/?embed=1")
    assert response.status_code == 200
    assert not response.has_header("X-Frame-Options")
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors *" in policy and "script-src 'self'" in policy
    assert 'action="/f/brew-course/send"' in response.content.decode()


def test_bad_answers_get_a_message_per_field_and_nothing_is_written(form):
    response = Client().post("/f/brew-course/", {
        "first_name": "", "email": "not-an-address", "cf_roast": "burnt",
    })  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 400
    assert "First name: please fill this in." in html
    assert "Email: enter an email address like name@example.com." in html
    assert "Roast you like: choose one of the list." in html
    # The sequence needs marketing consent, so its box is required.
    assert "Tick this box to get the emails you asked for." in html
    assert 'value="not-an-address"' in html  # what they typed is kept
    assert not Person.objects.exists() and not Submission.objects.exists()
    assert not Activity.objects.exists()


def test_a_value_the_person_record_refuses_is_named_too(db):
    make_form(rows=[{"target": "email", "label": "Email"}, {"target": "phone", "label": "Phone"}])
    response = Client().post("/f/brew-course/", {"email": "a@example.com", "phone": "call me"})
    assert response.status_code == 400
    assert re.search(r'class="error"[^>]*>[^<]*phone', response.content.decode(), re.I)
    assert not Person.objects.exists()


def test_a_filled_honeypot_is_refused_before_anything_is_written(form):
    response = Client().post("/f/brew-course/", {
        "first_name": "Bot", "email": "bot@example.com", "consent_email_marketing": "on",
        "website_url": "http://spam.example",
    })  # fmt: skip
    assert response.status_code == 400
    assert not Person.objects.exists()


def test_the_rate_limit_stops_a_flood_from_one_address(form, settings):
    settings.THRIVE_RATE_LIMITS = {"leadform_per_ip": (2, 3600)}
    client = Client()
    for number in range(2):
        ok = client.post("/f/brew-course/", {"first_name": "Ann", "consent_email_marketing": "on",
                                             "email": f"ann{number}@example.com"})  # fmt: skip
        assert ok.status_code == 200
    third = client.post("/f/brew-course/", {"first_name": "Ann", "email": "ann9@example.com",
                                            "consent_email_marketing": "on"})  # fmt: skip
    assert third.status_code == 429 and third.has_header("Retry-After")
    assert Person.objects.count() == 2
    assert RateCounter.objects.exists()


def test_the_same_email_three_times_an_hour_is_the_most(form):
    client = Client()
    answers = {"first_name": "Cy", "email": "cy@example.com", "consent_email_marketing": "on"}
    codes = [client.post("/f/brew-course/", answers).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert Person.objects.count() == 1 and Submission.objects.count() == 3


def test_the_hosted_form_needs_its_csrf_token(form):
    client = Client(enforce_csrf_checks=True)
    answers = {"first_name": "Di", "email": "di@example.com", "consent_email_marketing": "on"}
    assert client.post("/f/brew-course/", answers).status_code == 403
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"',
                      client.get("/f/brew-course/").content.decode()).group(1)  # fmt: skip
    sent = client.post("/f/brew-course/", {**answers, "csrfmiddlewaretoken": token})
    assert sent.status_code == 200
    assert Person.objects.filter(email="di@example.com").exists()


def _stamp(client: Client) -> str:
    html = client.get("/f/brew-course/?embed=1").content.decode()
    return re.search(r'name="stamp" value="([^"]+)"', html).group(1)


def test_the_embedded_form_sends_only_from_its_own_page(form):
    client = Client(enforce_csrf_checks=True)
    answers = {"first_name": "Eli", "email": "eli@example.com", "consent_email_marketing": "on"}
    stamp = _stamp(client)
    # Another site posting (a cross-site request) or a post without a stamp is refused.
    forged = client.post("/f/brew-course/send", {**answers, "stamp": stamp},
                         headers={"Sec-Fetch-Site": "cross-site"})  # fmt: skip
    assert forged.status_code == 403
    unstamped = client.post("/f/brew-course/send", answers, headers={"Origin": "http://testserver"})
    assert unstamped.status_code == 403
    assert not Person.objects.exists()
    sent = client.post("/f/brew-course/send", {**answers, "stamp": stamp},
                       headers={"Sec-Fetch-Site": "same-origin"})  # fmt: skip
    assert sent.status_code == 200 and b"Check your inbox" in sent.content
    assert not sent.has_header("X-Frame-Options")  # the thank-you shows inside the frame
    assert Person.objects.filter(email="eli@example.com").exists()


def test_a_redirect_sends_the_visitor_on_and_the_policy_lets_it(db):
    make_form(rows=[{"target": "email", "label": "Email"}],
              redirect_url="https://kc.example/thanks")  # fmt: skip
    page = Client().get("/f/brew-course/")
    assert "form-action 'self' https://kc.example" in page["Content-Security-Policy"]
    response = Client().post("/f/brew-course/", {"email": "fay@example.com"})
    assert response.status_code == 303 and response["Location"] == "https://kc.example/thanks"


def test_a_closed_form_says_so(db):
    make_form(is_active=False)
    assert Client().get("/f/brew-course/").status_code == 410
    assert Client().post("/f/brew-course/", {"email": "g@example.com"}).status_code == 410
    assert not Person.objects.exists()


def test_a_forged_confirmation_link_gets_a_friendly_page(db):
    response = Client().get("/f/confirm/forged")
    assert response.status_code == 400 and b"This link does not work" in response.content


def test_the_list_counts_answers_and_the_form_links_each_to_its_person(form, read_only):
    client = Client()
    for email in ("h@example.com", "i@example.com", "h@example.com"):
        client.post("/f/brew-course/", {"first_name": "H", "email": email,
                                        "consent_email_marketing": "on"})  # fmt: skip
    staff = client_for(read_only)
    listing = staff.get("/forms/").content.decode()
    row = re.search(r"<tr>\s*<td><a href=\"/forms/\d+/\">Brew course</a>.*?</tr>", listing, re.S)
    cells = re.findall(r'<td class="num">(.*?)</td>', row.group(0), re.S)
    assert cells[0] == "3"
    assert cells[1].startswith("2 ") and "67%" in cells[1]
    assert cells[2].startswith("0 of 3")
    detail = staff.get(f"/forms/{form.pk}/").content.decode()
    for person in Person.objects.all():
        assert f'href="/people/{person.pk}/"' in detail


def test_the_answer_is_on_the_persons_timeline(form, member):
    answers = {"first_name": "Jo", "email": "jo@example.com", "cf_roast": "light",
               "consent_email_marketing": "on"}  # fmt: skip
    Client().post("/f/brew-course/", answers)
    person = Person.objects.get(email="jo@example.com")
    page = client_for(member).get(f"/people/{person.pk}/").content.decode()
    assert "Sent the form “Brew course”" in page
