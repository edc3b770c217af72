"""The inbox's dashboard cards count what happened in the window and open the
conversations they counted."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from thrive.conftest import client_for
from thrive.service import services
from thrive.service.dashboard import service_kpis
from thrive.service.models import Conversation, CsatRequest, CsatStatus
from thrive.testing.factories import AssociateFactory

from .conftest import customer_email


def test_first_response_and_csat_cards_link_to_their_conversations(db, smtp_sink):
    maya = AssociateFactory(username="maya")
    services.receive(bytes(customer_email(subject="Answered")), source="lmtp")
    services.receive(bytes(customer_email(subject="Waiting", sender="sam@example.com")),
                     source="lmtp")  # fmt: skip
    answered = Conversation.objects.get(subject="Answered")
    services.reply(answered, actor=maya, text="Done.", status="resolved")
    CsatRequest.objects.update_or_create(conversation=answered, defaults={
        "person": answered.person, "status": CsatStatus.QUEUED, "score": 2,
        "answered_at": timezone.now(),
    })  # fmt: skip
    now = timezone.now()
    start = now - dt.timedelta(days=90)
    cards = {c["key"]: c for c in service_kpis(start, now + dt.timedelta(minutes=1),
                                               start - dt.timedelta(days=90), start)}  # fmt: skip
    assert cards["first_response"]["value"] is not None
    assert cards["first_response"]["lists"][0]["count"] == 1
    assert cards["csat"]["value"] == 0.0
    assert "0 of 1 answers" in cards["csat"]["data"]
    link = cards["first_response"]["lists"][0]["link"]
    page = client_for(maya).get(link)
    assert b"Answered" in page.content and b">Waiting<" not in page.content
    csat_page = client_for(maya).get(cards["csat"]["lists"][0]["link"])
    assert b"Answered" in csat_page.content
    assert link.startswith(reverse("inbox"))
