"""Ideas: one vote per person, merges without double counting, voters hear back."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from thrive.contacts.models import Activity, ActivityKind
from thrive.contacts.services import merge_people
from thrive.outreach.sending.sender import run_pump
from thrive.testing.factories import PersonFactory
from thrive.voice.models import Idea, IdeaMerge, IdeaStatus, Importance, Vote
from thrive.voice.services import (
    change_idea_status,
    comment_on_idea,
    merge_ideas,
    submit_idea,
    vote_for_idea,
)

from .conftest import run_voice_jobs

pytestmark = pytest.mark.django_db


def test_submitting_an_idea_makes_the_author_its_first_supporter_on_their_timeline():
    ana = PersonFactory()
    idea = submit_idea(ana, title="Oat milk option", body="Please", importance="important")
    vote = Vote.objects.get(idea=idea)
    assert vote.person == ana and vote.importance == Importance.IMPORTANT
    activity = Activity.objects.get(person=ana, kind=ActivityKind.IDEA_VOTE)
    assert activity.data["idea"] == idea.pk and activity.data["action"] == "submitted"


def test_an_associate_can_log_an_idea_for_a_customer_but_a_reader_cannot(member, read_only):
    ana = PersonFactory()
    idea = submit_idea(ana, title="Decaf beans", actor=member)
    assert idea.logged_by == member and idea.author == ana
    with pytest.raises(PermissionDenied):
        submit_idea(ana, title="Other", actor=read_only)


def test_voting_twice_keeps_one_vote_and_updates_the_importance():
    idea = submit_idea(PersonFactory(), title="Bigger bags")
    bo = PersonFactory()
    vote_for_idea(bo, idea, importance="nice")
    vote_for_idea(bo, idea, importance="critical")
    assert Vote.objects.filter(idea=idea, person=bo).get().importance == "critical"
    assert Vote.objects.filter(idea=idea).count() == 2


def test_merge_carries_votes_over_without_double_counting(member):
    a, b, c = PersonFactory(), PersonFactory(), PersonFactory()
    keep = submit_idea(a, title="Subscription pause", importance="nice")
    dup = submit_idea(b, title="Pause my subscription", importance="important")
    # c voted for both: nice on the kept one, critical on the duplicate.
    vote_for_idea(c, keep, importance="nice", notify=False)
    vote_for_idea(c, dup, importance="critical", notify=True)
    comment_on_idea(dup, body="Yes please", person=c)

    merge = merge_ideas(dup, keep, actor=member)

    votes = {v.person_id: v for v in Vote.objects.filter(idea=keep)}
    assert set(votes) == {a.pk, b.pk, c.pk}  # three people, three votes
    assert votes[c.pk].importance == "critical" and votes[c.pk].notify is True
    assert not Vote.objects.filter(idea=dup).exists()
    assert (merge.votes_moved, merge.votes_combined, merge.comments_moved) == (1, 1, 1)
    dup.refresh_from_db()
    assert dup.merged_into == keep
    # A late vote on the duplicate's old link lands on the kept idea, still once.
    vote_for_idea(b, dup, importance="critical")
    assert Vote.objects.filter(idea=keep, person=b).count() == 1
    assert IdeaMerge.objects.count() == 1


def test_merge_refuses_itself_and_already_merged_ideas(member):
    a = submit_idea(PersonFactory(), title="A")
    b = submit_idea(PersonFactory(), title="B")
    with pytest.raises(Exception, match="itself"):
        merge_ideas(a, a, actor=member)
    merge_ideas(a, b, actor=member)
    with pytest.raises(Exception, match="already merged"):
        merge_ideas(a, b, actor=member)


def test_status_change_tells_voters_who_asked_and_records_it_for_every_voter(
    member, django_capture_on_commit_callbacks
):
    ana, bo = PersonFactory(email="ana@example.com"), PersonFactory(email="bo@example.com")
    idea = submit_idea(ana, title="Grinder rental")
    vote_for_idea(bo, idea, importance="important", notify=False)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        change = change_idea_status(idea, IdeaStatus.DONE, actor=member, public_note="Shipped!")
    # The request only queues the job: nobody is told yet.
    assert not Activity.objects.filter(kind=ActivityKind.IDEA_STATUS).exists()
    assert run_voice_jobs() == 1
    run_pump()

    change.refresh_from_db()
    assert change.voters_notified == 1
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]
    assert "is now done" in mail.outbox[0].body and "Shipped!" in mail.outbox[0].body
    for person in (ana, bo):
        activity = Activity.objects.get(person=person, kind=ActivityKind.IDEA_STATUS)
        assert activity.data == {
            "idea": idea.pk,
            "status": "done",
            "from": "open",
            "change": change.pk,
        }
    idea.refresh_from_db()
    assert idea.done_at is not None
    # The same status again changes nothing and sends nothing.
    assert change_idea_status(idea, IdeaStatus.DONE, actor=member) is None


def test_a_reader_cannot_change_a_status(read_only):
    idea = submit_idea(PersonFactory(), title="X")
    with pytest.raises(PermissionDenied):
        change_idea_status(idea, IdeaStatus.PLANNED, actor=read_only)


def test_length_limits_are_enforced_by_the_service():
    with pytest.raises(Exception, match="140"):
        submit_idea(PersonFactory(), title="x" * 141)
    with pytest.raises(Exception, match="empty"):
        submit_idea(PersonFactory(), title="   ")


def test_merging_two_people_who_voted_for_the_same_idea_keeps_one_vote(member):
    a, b = PersonFactory(), PersonFactory()
    idea = submit_idea(a, title="Same idea")
    vote_for_idea(b, idea)
    merge_people(a, b, actor=member)
    assert Vote.objects.filter(idea=idea).count() == 1
    assert Idea.objects.get(pk=idea.pk).author == a
