"""One satisfaction question after resolution, under the survey rules: consent,
cool-down, once per conversation; answered from the email link, counted on the inbox."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from thrive.conftest import client_for
from thrive.contacts.models import ConsentMethod, ConsentPurpose
from thrive.contacts.services import grant_consent
from thrive.outreach.models import Delivery, DeliveryStatus, MessagePurpose
from thrive.service import services
from thrive.service.models import Conversation, CsatRequest, CsatStatus
from thrive.testing.factories import AssociateFactory, PersonFactory
from thrive.voice.models import InviteStatus, Survey, SurveyInvite

from .conftest import customer_email


@pytest.fixture(autouse=True)
def public_address(settings):
    settings.THRIVE_PUBLIC_URL = "http://testserver"


@pytest.fixture
def lena(db):
    return PersonFactory(first_name="Lena", last_name="Park", email="lena@example.com")


def _consent(person) -> None:
    grant_consent(person, ConsentPurpose.SURVEYS, actor=None, method=ConsentMethod.WEB_FORM,
                  source_text="Yes, ask me for feedback now and then.")  # fmt: skip


def _resolve(smtp_sink) -> Conversation:
    services.receive(bytes(customer_email()), source="lmtp")
    conversation = Conversation.objects.get()
    services.reply(conversation, actor=AssociateFactory(), text="Fixed.", status="resolved")
    conversation.refresh_from_db()
    return conversation


def test_resolving_asks_once_and_the_answer_counts(lena, smtp_sink):
    _consent(lena)
    conversation = _resolve(smtp_sink)
    request = CsatRequest.objects.get(conversation=conversation)
    assert request.status == CsatStatus.QUEUED
    delivery = Delivery.objects.get(pk=request.delivery_id)
    assert delivery.purpose == MessagePurpose.SURVEYS
    # Waiting to go out (quiet hours may defer it), not skipped.
    assert delivery.status in {DeliveryStatus.QUEUED, DeliveryStatus.DEFERRED}
    assert "How satisfied are you with the help you got?" in delivery.text_body
    link = re.search(r"5 – Very happy: http://testserver(\S+)", delivery.text_body).group(1)

    services.update_conversation(conversation, actor=None, status="open", priority="normal",
                                 assignee=None, tags="")  # fmt: skip
    services.update_conversation(conversation, actor=None, status="resolved",
                                 priority="normal", assignee=None, tags="")  # fmt: skip
    assert CsatRequest.objects.count() == 1  # asked once per conversation

    visitor = Client(enforce_csrf_checks=False)
    shown = visitor.get(link)
    assert shown.status_code == 200 and b"5 \xe2\x80\x93 Very happy" in shown.content
    request.refresh_from_db()
    assert request.score is None  # a scanner's GET answers nothing
    assert visitor.post(link).status_code == 200
    request.refresh_from_db()
    assert request.score == 5
    page = client_for(AssociateFactory(username="reader2")).get(reverse("inbox"))
    assert b"100%" in page.content and b"1 of 1 answers 4 or 5" in page.content


def test_without_survey_consent_the_question_is_not_sent(lena, smtp_sink):
    conversation = _resolve(smtp_sink)
    request = CsatRequest.objects.get(conversation=conversation)
    assert request.status == CsatStatus.SKIPPED
    assert "consent" in request.reason


def test_a_recent_nps_question_holds_the_satisfaction_question_back(lena, smtp_sink):
    _consent(lena)
    survey = Survey.objects.create(name="Autumn NPS")
    SurveyInvite.objects.create(survey=survey, person=lena, status=InviteStatus.QUEUED)
    conversation = _resolve(smtp_sink)
    request = CsatRequest.objects.get(conversation=conversation)
    assert request.status == CsatStatus.SKIPPED
    assert "last 90 days" in request.reason
    assert request.delivery_id is None


def test_a_forged_or_bad_link_is_refused_clearly(db):
    response = Client().get(reverse("inbox_csat", args=["not-a-token"]))
    assert response.status_code == 400
    assert b"This link does not work" in response.content
