"""Sending a survey to a segment and telling an idea's voters run as background jobs:
the request only queues them, the page shows their progress, and a job that is retried
or resumed after its worker died never sends anything twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from thrive.conftest import client_for
from thrive.contacts.models import Activity, ActivityKind
from thrive.core.jobs import sweep
from thrive.outreach.models import Delivery
from thrive.outreach.sending.sender import run_pump
from thrive.segments.models import Segment
from thrive.testing.factories import PersonFactory
from thrive.voice.models import JobStatus, SendJob, SurveyInvite
from thrive.voice.services import (
    change_idea_status,
    create_survey,
    run_send_job,
    start_survey_send,
    submit_idea,
    vote_for_idea,
)

from .conftest import run_voice_jobs, surveyable

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(member):
    segment = Segment.objects.create(name="Everyone")
    return create_survey(actor=member, name="Autumn NPS", segment=segment, owner=member)


def test_the_send_button_queues_a_job_and_the_worker_asks_everyone(
    survey, member, smtp_sink, django_capture_on_commit_callbacks
):
    people = [surveyable(email=f"p{i}@example.com") for i in range(4)]
    PersonFactory(email="no-consent@example.com")
    client = client_for(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/voice/surveys/{survey.pk}/send")
    assert response.status_code == 302
    assert not SurveyInvite.objects.exists()  # nothing is sent inside the request
    job = SendJob.objects.get()
    assert (job.state, job.total, job.done) == (JobStatus.QUEUED, 5, 0)
    page = client.get(f"/voice/surveys/{survey.pk}/").content.decode()
    assert 'id="job-bar"' in page and "Waiting for the background worker" in page
    assert "Send to “Everyone” now" not in page  # no second send while one runs

    assert run_voice_jobs() == 1
    job.refresh_from_db()
    assert (job.state, job.done, job.queued, job.skipped, job.percent) == (
        JobStatus.FINISHED, 5, 4, 1, 100,
    )  # fmt: skip
    assert job.reasons == {"no_consent": 1}
    run_pump()
    assert sorted(r for m in smtp_sink.messages for r in m.recipients) == sorted(
        p.email for p in people
    )
    page = client.get(f"/voice/surveys/{survey.pk}/").content.decode()
    assert (
        "4 asked; 0 asked recently (cool-down); 1 not sent (no consent for this kind of email: 1)"
        in page
    )
    status = client.get(f"/voice/jobs/{job.pk}/status").json()
    assert status == {
        "id": job.pk, "kind": "send", "state": "finished", "percent": 100, "done": 5,
        "total": 5, "words": "Finished", "active": False, "finished": True, "failed": False,
        "error": "", "queued": 4, "skipped": 1, "cooling_down": 0,
    }  # fmt: skip


def test_a_double_click_starts_one_job(survey, member):
    first = start_survey_send(survey, actor=member)
    again = start_survey_send(survey, actor=member)
    assert first.pk == again.pk and SendJob.objects.count() == 1


def test_a_reader_cannot_start_a_send(survey, read_only):
    response = client_for(read_only).post(f"/voice/surveys/{survey.pk}/send")
    assert response.status_code == 403 and not SendJob.objects.exists()


def _killed_after(job: SendJob, people_done: int, last_person_id: int) -> None:
    """The job's row as a worker killed mid-run leaves it: running, its lease expired,
    its checkpoint behind the people it had already asked."""
    SendJob.objects.filter(pk=job.pk).update(
        state=JobStatus.RUNNING, done=people_done, queued=people_done, skipped=0,
        cooling_down=0, reasons={}, last_person_id=last_person_id, lease_owner="dead:1:x",
        lease_expires_at=timezone.now() - dt.timedelta(minutes=10), finished_at=None,
    )  # fmt: skip


def test_a_job_resumed_after_its_worker_died_asks_nobody_twice(survey, member, smtp_sink):
    people = sorted((surveyable() for _ in range(6)), key=lambda p: p.pk)
    job = run_send_job(start_survey_send(survey, actor=member).pk)
    assert job.queued == 6
    # Killed after asking everyone but before its checkpoint passed the second person.
    _killed_after(job, 2, people[1].pk)
    job = run_send_job(job.pk)
    assert (job.state, job.done, job.queued, job.cooling_down) == (JobStatus.FINISHED, 6, 6, 0)
    assert SurveyInvite.objects.count() == 6 and Delivery.objects.count() == 6
    run_pump()
    run_pump()
    assert sorted(len(smtp_sink.to(p.email)) for p in people) == [1] * 6


def test_a_running_job_is_not_taken_over_while_its_worker_is_alive(survey, member):
    surveyable()
    job = start_survey_send(survey, actor=member)
    SendJob.objects.filter(pk=job.pk).update(
        state=JobStatus.RUNNING, lease_owner="alive:1:x",
        lease_expires_at=timezone.now() + dt.timedelta(minutes=1),
    )  # fmt: skip
    assert run_send_job(job.pk).done == 0
    assert not SurveyInvite.objects.exists()
    assert sweep() == []


def test_a_failed_job_says_why_and_tries_again_from_where_it_stopped(
    survey, member, monkeypatch, smtp_sink
):
    from thrive.voice.services import surveys

    people = sorted((surveyable() for _ in range(5)), key=lambda p: p.pk)
    real = surveys.send_survey_to

    def fails_on_the_third(survey, person, **kwargs):
        if person.pk == people[2].pk:
            raise RuntimeError("the database went away")
        return real(survey, person, **kwargs)

    monkeypatch.setattr(surveys, "send_survey_to", fails_on_the_third)
    job = run_send_job(start_survey_send(survey, actor=member).pk)
    assert job.state == JobStatus.FAILED and job.error == "the database went away"
    assert job.done == 2 and job.last_person_id == people[1].pk
    page = client_for(member).get(f"/voice/surveys/{survey.pk}/").content.decode()
    assert "Sending stopped after 2 of 5 people: the database went away" in page
    assert "Try again from where it stopped" in page

    monkeypatch.setattr(surveys, "send_survey_to", real)
    client_for(member).post(f"/voice/jobs/{job.pk}/retry")
    assert SendJob.objects.get(pk=job.pk).state == JobStatus.QUEUED
    job = run_send_job(job.pk)
    assert (job.state, job.done, job.queued) == (JobStatus.FINISHED, 5, 5)
    run_pump()
    assert sorted(len(smtp_sink.to(p.email)) for p in people) == [1] * 5


def test_telling_voters_resumed_after_a_crash_writes_each_timeline_and_email_once(
    member, smtp_sink
):
    voters = sorted((PersonFactory() for _ in range(4)), key=lambda p: p.pk)
    idea = submit_idea(voters[0], title="Decaf that tastes of something")
    for person in voters[1:]:
        vote_for_idea(person, idea)
    change = change_idea_status(idea, "done", actor=member, public_note="In the shop now.")
    job = SendJob.objects.get(status_change=change)
    assert job.total == 4 and not Activity.objects.filter(kind=ActivityKind.IDEA_STATUS).exists()
    run_send_job(job.pk)
    _killed_after(job, 1, voters[0].pk)
    job = run_send_job(job.pk)
    assert (job.state, job.done, job.queued) == (JobStatus.FINISHED, 4, 4)
    for person in voters:
        assert Activity.objects.filter(person=person, kind=ActivityKind.IDEA_STATUS).count() == 1
    change.refresh_from_db()
    assert change.voters_notified == 4
    run_pump()
    assert sorted(len(smtp_sink.to(p.email)) for p in voters) == [1] * 4
    page = client_for(member).get(f"/voice/ideas/{idea.pk}/").content.decode()
    assert "4 voters see it on their timeline; 4 emailed; 0 not emailed" in page


def test_a_vote_after_the_change_is_not_told_about_it(member):
    author, late = PersonFactory(), PersonFactory()
    idea = submit_idea(author, title="Cold brew on tap")
    change = change_idea_status(idea, "planned", actor=member)
    vote_for_idea(late, idea)
    run_send_job(SendJob.objects.get(status_change=change).pk)
    told = set(Activity.objects.filter(kind=ActivityKind.IDEA_STATUS).values_list(
        "person_id", flat=True))  # fmt: skip
    assert told == {author.pk}
