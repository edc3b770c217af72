"""Customers read support for an idea in plain words; the staff page keeps the statistics."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from thrive.conftest import client_for
from thrive.contacts.models import Stage
from thrive.core.roles import Role
from thrive.testing.factories import AssociateFactory, PersonFactory
from thrive.voice.models import Vote
from thrive.voice.services.ideas import submit_idea, vote_for_idea

pytestmark = pytest.mark.django_db

STATISTICS = ("%", "×", "confidence", "likely between", "Score", "L × V × B")


def _idea(title: str, backers: int):
    people = [PersonFactory(stage=Stage.CLIENT) for _ in range(backers)]
    idea = submit_idea(people[0], title=title)
    for person in people[1:]:
        vote_for_idea(person, idea, importance="important")
    return idea


def _main(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def test_the_idea_page_says_how_many_back_it_without_statistics():
    [PersonFactory(stage=Stage.CLIENT) for _ in range(30)]  # the active base it is a share of
    idea = _idea("Decaf in 5 lb bags", 12)
    html = _main(Client().get(f"/ideas/{idea.pk}/").content.decode())
    assert "<strong>12</strong> customers back this." in html
    assert "11 say “important”" in html and "1 says “nice to have”" in html
    for word in STATISTICS:
        assert word not in html, f"{word!r} on the public idea page"


def test_the_board_speaks_plainly_and_marks_the_most_wanted_this_month():
    wanted = _idea("Oat milk", 5)
    quiet = _idea("Gift cards", 1)
    old = _idea("Bigger mugs", 6)
    Vote.objects.filter(idea=old).update(created_at=timezone.now() - dt.timedelta(days=45))
    html = _main(Client().get("/ideas/").content.decode())
    for word in STATISTICS:
        assert word not in html, f"{word!r} on the public board"
    rows = {idea.title: html.split(idea.title, 1)[1].split("</li>", 1)[0]
            for idea in (wanted, quiet, old)}  # fmt: skip
    assert "One of the most wanted this month" in rows["Oat milk"]
    assert "One of the most wanted this month" not in rows["Gift cards"]  # one vote
    assert "One of the most wanted this month" not in rows["Bigger mugs"]  # votes are old
    assert "customer backs this" in html.split("Gift cards", 1)[0].rsplit("<li>", 1)[1]
    idea_page = _main(Client().get(f"/ideas/{wanted.pk}/").content.decode())
    assert "One of the most wanted this month" in idea_page


def test_staff_still_see_the_ranking_figures():
    idea = _idea("Decaf in 5 lb bags", 4)
    staff = client_for(AssociateFactory(username="voice-staff", role=Role.MEMBER))
    html = staff.get(f"/voice/ideas/{idea.pk}/").content.decode()
    assert "%" in html or "×" in html
