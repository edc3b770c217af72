"""The inbox pages for each role: everyone signed in reads, owners and members answer,
only owners keep canned replies and SLAs; bad input is answered with a message."""

from __future__ import annotations

import pytest
from django.urls import reverse

from thrive.conftest import client_for
from thrive.core.roles import Role
from thrive.service import services
from thrive.service.models import CannedReply, Conversation, Message, MessageKind, SlaPolicy
from thrive.testing.factories import AssociateFactory, PersonFactory

from .conftest import customer_email


@pytest.fixture
def conversation(db):
    PersonFactory(first_name="Lena", last_name="Park", email="lena@example.com")
    services.receive(bytes(customer_email()), source="lmtp")
    return Conversation.objects.get()


def test_every_role_sees_the_inbox_and_the_conversation(persona, conversation):
    client = client_for(persona)
    page = client.get(reverse("inbox"))
    assert page.status_code == 200
    assert b"Order 1042 arrived cold" in page.content
    detail = client.get(reverse("inbox_conversation", args=[conversation.pk]))
    assert detail.status_code == 200
    assert b"my order arrived cold" in detail.content
    can_answer = persona.role != Role.READ_ONLY
    assert (b"Send reply" in detail.content) == can_answer


def test_a_read_only_associate_cannot_reply_note_or_triage(read_only, conversation, smtp_sink):
    client = client_for(read_only)
    for name, data in [
        ("inbox_reply", {"text": "Hi", "status": "waiting"}),
        ("inbox_note", {"note": "psst"}),
        ("inbox_triage", {"status": "resolved", "priority": "high"}),
        ("inbox_drafting", {}),
    ]:
        assert client.post(reverse(name, args=[conversation.pk]), data).status_code == 403
    assert conversation.messages.count() == 1
    assert smtp_sink.messages == []


def test_a_member_replies_notes_and_triages(member, conversation, smtp_sink):
    client = client_for(member)
    url = reverse("inbox_reply", args=[conversation.pk])
    seen = conversation.messages.get().pk
    response = client.post(url, {"text": "Coming right up.", "status": "resolved",
                                 "minutes": "4", "seen": seen})  # fmt: skip
    assert response.status_code == 302
    assert len(smtp_sink.wait_for(1)) == 1
    client.post(reverse("inbox_note", args=[conversation.pk]), {"note": "Refund approved"})
    client.post(reverse("inbox_triage", args=[conversation.pk]), {
        "status": "resolved", "priority": "high", "assignee": member.pk, "tags": "Refund, cold",
    })  # fmt: skip
    conversation.refresh_from_db()
    assert conversation.status == "resolved" and conversation.priority == "high"
    assert conversation.assignee == member and conversation.tags == "refund, cold"
    assert conversation.messages.filter(kind=MessageKind.NOTE, text="Refund approved").exists()
    listed = client.get(reverse("inbox") + "?status=resolved&tag=refund")
    assert b"Order 1042 arrived cold" in listed.content
    assert b"Order 1042" not in client.get(reverse("inbox") + "?status=open").content


def test_an_empty_reply_is_refused_with_a_message(member, conversation, smtp_sink):
    response = client_for(member).post(
        reverse("inbox_reply", args=[conversation.pk]), {"text": " ", "status": "waiting"}
    )
    assert response.status_code == 400
    assert b"This field is required" in response.content or b"Write a reply" in response.content
    assert smtp_sink.messages == []


def test_a_colleague_s_reply_since_opening_asks_for_confirmation(conversation, smtp_sink):
    maya = AssociateFactory(username="maya", first_name="Maya", last_name="Okafor")
    sam = AssociateFactory(username="sam", first_name="Sam", last_name="Reyes")
    seen = conversation.messages.get().pk
    client = client_for(sam)
    assert client.post(reverse("inbox_drafting", args=[conversation.pk])).json() == {"warning": ""}
    page = client_for(maya).get(reverse("inbox_conversation", args=[conversation.pk]))
    assert b"Sam Reyes opened the reply box at" in page.content
    opened = client_for(maya).post(reverse("inbox_drafting", args=[conversation.pk])).json()
    assert opened["warning"].startswith("Sam Reyes opened the reply box at")

    services.reply(conversation, actor=maya, text="Maya here, sorted.")
    url = reverse("inbox_reply", args=[conversation.pk])
    data = {"text": "Sam here, sorting it.", "status": "waiting", "seen": seen}
    refused = client.post(url, data)
    assert refused.status_code == 409
    assert b"Maya Okafor replied at" in refused.content
    assert b"Sam here, sorting it." in refused.content  # the draft is kept
    assert Message.objects.filter(kind=MessageKind.OUTBOUND).count() == 1
    confirmed = client.post(url, {**data, "confirm": "True"})
    assert confirmed.status_code == 302
    assert Message.objects.filter(kind=MessageKind.OUTBOUND).count() == 2


def test_only_an_owner_keeps_canned_replies_and_slas(owner, member, read_only, conversation):
    url = reverse("inbox_settings")
    add = {"action": "canned", "title": "Cold order",
           "body": "Hi {first_name}, sorry about that. {agent} at {business}"}  # fmt: skip
    for who in (member, read_only):
        assert client_for(who).get(url).status_code == 200
        assert client_for(who).post(url, add).status_code == 403
    assert not CannedReply.objects.exists()
    client = client_for(owner)
    assert client.post(url, add).status_code == 302
    bad = client.post(url, {**add, "title": "Other", "body": "Hi {nickname}"})
    assert bad.status_code == 400 and b"Unknown merge field {nickname}" in bad.content
    page = client_for(member).get(reverse("inbox_conversation", args=[conversation.pk]))
    assert b"Hi Lena, sorry about that. Alex" in page.content
    assert b"at Kettle &amp;amp; Crow" in page.content or b"Kettle &amp; Crow" in page.content
    sla = {"action": "sla", **{f"{p}_{w}": "2" for p in ("low", "normal", "high", "urgent")
                               for w in ("first", "resolution")}}  # fmt: skip
    assert client.post(url, {**sla, "urgent_first": "0.5"}).status_code == 302
    assert SlaPolicy.objects.get(priority="urgent").first_response_minutes == 30
    wrong = client.post(url, {**sla, "high_resolution": "1"})
    assert wrong.status_code == 400 and b"Resolution must not come before" in wrong.content
    hours = client.post(url, {"action": "hours", "workdays": ["0", "1"], "opens": "17:00",
                              "closes": "09:00", "warn_minutes": "30"})  # fmt: skip
    assert hours.status_code == 400 and b"Closing time must be after" in hours.content


def test_an_unparseable_message_is_shown_raw_with_the_reason(member):
    raw = services.receive(b"not an email at all", source="lmtp")
    client = client_for(member)
    assert b"Kept, not filed" in client.get(reverse("inbox")).content
    page = client.get(reverse("inbox_raw", args=[raw.pk]))
    assert page.status_code == 200
    assert b"not an email at all" in page.content
    assert b"Could not be parsed" in page.content


def test_a_figure_clicks_through_to_the_conversations_it_counts(member, conversation):
    page = client_for(member).get(reverse("inbox"))
    assert f"ids={conversation.pk}".encode() in page.content


def test_the_person_s_timeline_links_to_the_conversation(member, conversation):
    page = client_for(member).get(reverse("person", args=[conversation.person_id]))
    assert f'href="/inbox/{conversation.pk}/"'.encode() in page.content
