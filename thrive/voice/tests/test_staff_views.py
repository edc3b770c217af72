"""Staff pages: every persona can look, only owners and members change anything."""

from __future__ import annotations

import pytest
from django.test import Client

from thrive.conftest import client_for
from thrive.core.roles import Role
from thrive.testing.factories import PersonFactory
from thrive.voice.models import Idea, IdeaStatus, Survey
from thrive.voice.services import create_survey, record_answer, send_survey_to, submit_idea

from .conftest import surveyable

pytestmark = pytest.mark.django_db


@pytest.fixture
def idea():
    return submit_idea(PersonFactory(first_name="Known"), title="Loyalty card")


def test_every_persona_can_read_the_voice_pages(persona, idea, member):
    survey = create_survey(actor=member, name="Q1")
    record_answer(send_survey_to(survey, surveyable()), 4)
    client = client_for(persona)
    for url in ("/voice/", f"/voice/ideas/{idea.pk}/", "/voice/surveys/",
                f"/voice/surveys/{survey.pk}/"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
    assert b"Known" in client.get(f"/voice/ideas/{idea.pk}/").content  # staff see voters


def test_staff_pages_need_a_staff_sign_in(idea):
    assert Client().get("/voice/").status_code == 302


def test_only_editors_change_a_status(persona, idea):
    response = client_for(persona).post(f"/voice/ideas/{idea.pk}/status", {"status": "planned"})
    idea.refresh_from_db()
    if persona.role == Role.READ_ONLY:
        assert response.status_code == 403 and idea.status == IdeaStatus.OPEN
    else:
        assert response.status_code == 302 and idea.status == IdeaStatus.PLANNED


def test_only_editors_create_surveys_and_log_ideas(persona):
    client = client_for(persona)
    created = client.post("/voice/surveys/", {"name": "Pulse", "question": "How likely…?",
                                              "cooldown_days": 90})  # fmt: skip
    logged = client.post(
        "/voice/ideas/new",
        {"email": "caller@example.com", "title": "From a call", "importance": "nice"},
    )
    if persona.role == Role.READ_ONLY:
        assert created.status_code == logged.status_code == 403
        assert not Survey.objects.exists() and not Idea.objects.exists()
    else:
        assert created.status_code == logged.status_code == 302
        assert Idea.objects.get().author.email == "caller@example.com"


def test_merge_from_the_staff_page(member):
    a, b = submit_idea(PersonFactory(), title="A"), submit_idea(PersonFactory(), title="B")
    response = client_for(member).post(f"/voice/ideas/{a.pk}/merge", {"into": b.pk})
    assert response["Location"] == f"/voice/ideas/{b.pk}/"
    assert b.votes.count() == 2


def test_the_idea_list_counts_its_queries(member, django_assert_max_num_queries):
    for i in range(15):
        submit_idea(PersonFactory(), title=f"Idea {i}")
    client = client_for(member)
    client.get("/voice/")
    with django_assert_max_num_queries(15):
        assert client.get("/voice/").status_code == 200
