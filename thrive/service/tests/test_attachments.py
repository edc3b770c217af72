"""A customer's attachments download from the conversation, always as files: never shown
on Thrive's own address, never from another conversation, never to a visitor."""

from __future__ import annotations

import pytest
from django.urls import reverse

from thrive.conftest import client_for
from thrive.service import services
from thrive.service.models import Attachment, Conversation, ServiceSettings
from thrive.testing.factories import PersonFactory

from .conftest import customer_email

PAGE = b'<html><body><script>alert("here")</script></body></html>'


@pytest.fixture
def conversation(db):
    ServiceSettings.objects.create(max_attachment_bytes=1000)
    PersonFactory(email="lena@example.com")
    msg = customer_email()
    msg.add_attachment(PAGE, maintype="text", subtype="html", filename="receipt.html")
    msg.add_attachment(b"x" * 5000, maintype="application", subtype="pdf", filename="big.pdf")
    services.receive(bytes(msg), source="lmtp")
    return Conversation.objects.get()


def _url(conversation: Conversation, filename: str, pk: int | None = None) -> str:
    found = Attachment.objects.get(filename=filename)
    return reverse("inbox_attachment", args=[pk or conversation.pk, found.pk])


def test_every_role_downloads_an_attachment_as_a_file(persona, conversation):
    client = client_for(persona)
    page = client.get(reverse("inbox_conversation", args=[conversation.pk]))
    url = _url(conversation, "receipt.html")
    assert url.encode() in page.content
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == PAGE
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="receipt.html"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_skipped_attachment_has_no_link_and_no_download(member, conversation):
    client = client_for(member)
    url = _url(conversation, "big.pdf")
    assert (
        url.encode()
        not in client.get(reverse("inbox_conversation", args=[conversation.pk])).content
    )
    assert client.get(url).status_code == 404


def test_an_attachment_is_not_reached_through_another_conversation(member, conversation):
    PersonFactory(email="omar@example.com")
    services.receive(
        bytes(customer_email(sender="omar@example.com", subject="Another question")),
        source="lmtp",
    )  # fmt: skip
    other = Conversation.objects.exclude(pk=conversation.pk).get()
    response = client_for(member).get(_url(conversation, "receipt.html", pk=other.pk))
    assert response.status_code == 404


def test_a_visitor_is_sent_to_sign_in(client, conversation):
    response = client.get(_url(conversation, "receipt.html"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
