"""What customers write to the inbox is read by the themes page: their own words only, not
the quoted message they answer, automatic replies, bounces or the team's answers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from thrive.service.models import Conversation, Message, MessageKind
from thrive.service.themes import customer_emails, own_words
from thrive.testing.factories import PersonFactory
from thrive.voice.models import ThemeMessage, ThemeRun
from thrive.voice.themes_runs import compute_themes
from thrive.voice.themes_sources import SOURCES

pytestmark = pytest.mark.django_db


def test_only_the_customers_own_words_are_read():
    text = "The grinder arrived broken.\nCan you send another?\n\nOn Mon, Ann wrote:\n> Thanks"
    assert own_words(text) == "The grinder arrived broken. Can you send another?"
    now = timezone.now()
    talk = Conversation.objects.create(person=PersonFactory(), subject="Broken grinder")
    made = {
        kind: Message.objects.create(conversation=talk, kind=k, text=t, sent_at=now, **extra)
        for kind, k, t, extra in [
            ("mine", MessageKind.INBOUND, text, {}),
            ("reply", MessageKind.OUTBOUND, "Sorry! A new one is on its way.", {}),
            ("away", MessageKind.INBOUND, "I am out of office.", {"automatic": "auto-submitted"}),
            ("bounce", MessageKind.INBOUND, "Delivery failed.", {"bounce": True}),
            ("old", MessageKind.INBOUND, "Last year's note.", {}),
        ]
    }
    Message.objects.filter(pk=made["old"].pk).update(sent_at=now - dt.timedelta(days=400))
    said = list(customer_emails(now - dt.timedelta(days=365), 50))
    assert [s.ref for s in said] == [str(made["mine"].pk)]
    assert said[0].text.startswith("Broken grinder. The grinder arrived broken.")
    assert said[0].url == f"/inbox/{talk.pk}/"


def test_a_themes_run_includes_support_emails():
    assert SOURCES["conversation"][0] == "Support emails"
    talk = Conversation.objects.create(person=PersonFactory(), subject="Late parcel")
    Message.objects.create(
        conversation=talk, kind=MessageKind.INBOUND, text="My parcel is two weeks late."
    )
    run = compute_themes(ThemeRun.objects.create().pk)
    assert run.state == "done"
    assert ThemeMessage.objects.filter(run=run, source="conversation").count() == 1
