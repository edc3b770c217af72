"""A real `thrive worker` killed with SIGKILL in the middle of a survey send, then another
worker started: the send is resumed from its checkpoint and everyone gets exactly one
email at a real SMTP server, even for the people asked after the last checkpoint."""

from __future__ import annotations

from collections import Counter

import pytest

from thrive.core.testing.workers import WorkerDatabase, kill, wait_until
from thrive.segments.models import Segment
from thrive.voice.services import create_survey, start_survey_send

from .conftest import surveyable

PEOPLE = 12
EVERY = 3  # a checkpoint every three people; the first worker stops at the second


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_survey_send_whose_worker_was_killed_asks_everyone_exactly_once(
    member, smtp_sink, tmp_path
):
    people = sorted((surveyable() for _ in range(PEOPLE)), key=lambda p: p.pk)
    segment = Segment.objects.create(name="Everyone")
    survey = create_survey(actor=member, name="Autumn NPS", segment=segment, owner=member)
    job = start_survey_send(survey, actor=member)
    db = WorkerDatabase(tmp_path)
    flag = tmp_path / "paused"
    common = {
        "EMAIL_URL": smtp_sink.url, "THRIVE_QUIET_HOURS": "off",
        "THRIVE_MAX_AUTOMATED_PER_WEEK": "20", "THRIVE_SEND_CHECKPOINT_EVERY": str(EVERY),
        "THRIVE_JOB_LEASE_SECONDS": "2", "THRIVE_JOB_SWEEP_SECONDS": "1",
    }  # fmt: skip
    try:
        first = db.start_worker(
            **common, THRIVE_JOBS_PAUSE_AFTER="2", THRIVE_JOBS_PAUSE_FLAG=str(flag)
        )
        wait_until(lambda: flag.exists() or first.poll() is not None, timeout=90, what="pause")
        assert first.poll() is None, db.log_text()
        # Six people asked; pretend the kill came before the second checkpoint was saved,
        # so the next worker goes through people 4–6 again.
        db.execute(
            "UPDATE voice_sendjob SET done = %s, queued = %s, last_person_id = %s WHERE id = %s",
            (EVERY, EVERY, people[EVERY - 1].pk, job.pk),
        )
        kill(first)
        queued = db.value("SELECT count(*) FROM outreach_delivery")
        assert queued == 2 * EVERY, db.log_text()

        db.start_worker(**common)
        wait_until(
            lambda: (
                db.value("SELECT state FROM voice_sendjob WHERE id = %s", (job.pk,)) == "finished"
            ),
            timeout=90,
            what="the send to finish",
        )
        smtp_sink.wait_for(PEOPLE, timeout=90)
        # A duplicate would follow within a sweep or two: give it the time.
        sent = "SELECT count(*) FROM outreach_delivery WHERE status = 'sent'"
        wait_until(lambda: db.value(sent) == PEOPLE, timeout=60, what="every delivery sent")
    finally:
        db.stop()
    received = Counter(r for m in smtp_sink.messages for r in m.recipients)
    assert received == Counter({p.email: 1 for p in people}), db.log_text()[-3000:]
    row = db.query("SELECT done, queued FROM voice_sendjob WHERE id = %s", (job.pk,))[0]
    assert tuple(row) == (PEOPLE, PEOPLE)
    assert db.value("SELECT count(*) FROM voice_surveyinvite") == PEOPLE
    assert f"send {job.pk} (" in db.log_text() and f"send {job.pk} finished" in db.log_text()
