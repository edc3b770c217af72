"""Writes for ideas: submit, vote, comment, change status (telling voters), merge.

Customers act through the portal (``person``, no actor); associates act with ``actor``
and are checked for edit rights. Every customer action lands on their timeline.
"""

from __future__ import annotations

import html
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from thrive.accounts.queries import business_name
from thrive.contacts.models import ActivityChannel, ActivityKind, Direction, Person
from thrive.contacts.services import record_activity
from thrive.core.brand import email_layout
from thrive.core.roles import check_actor
from thrive.outreach.conf import public_url
from thrive.outreach.email_templates.sandbox import Rendered

from ..models import (
    BODY_MAX,
    COMMENT_MAX,
    IMPORTANCE_RANK,
    TITLE_MAX,
    Comment,
    Idea,
    IdeaMerge,
    IdeaStatus,
    IdeaStatusChange,
    Importance,
    Vote,
)
from .jobs import start_idea_status_job


def _clean_text(value: str, *, field: str, limit: int, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: "This cannot be empty."})
    if len(text) > limit:
        raise ValidationError({field: f"At most {limit} characters."})
    return text


def _live(idea: Idea) -> Idea:
    """Votes and comments on a merged duplicate go to the idea it was merged into."""
    seen = 0
    while idea.merged_into_id is not None and seen < 10:
        idea = Idea.objects.get(pk=idea.merged_into_id)
        seen += 1
    return idea


def _timeline(person: Person, idea: Idea, subject: str, data: dict[str, Any], **kw: Any) -> None:
    record_activity(
        person,
        ActivityKind.IDEA_VOTE,
        channel=kw.pop("channel", ActivityChannel.WEB),
        direction=Direction.INBOUND,
        subject=subject[:255],
        data={"idea": idea.pk, **data},
        ref=f"idea:{idea.pk}",
        **kw,
    )


def submit_idea(
    person: Person,
    *,
    title: str,
    body: str = "",
    importance: str = Importance.NICE,
    actor: Any = None,
) -> Idea:
    """A new idea by ``person``, who also supports it. ``actor`` is the associate
    logging it on their behalf (e.g. during a call), checked for edit rights."""
    check_actor(actor)
    title = _clean_text(title, field="title", limit=TITLE_MAX, required=True)
    body = _clean_text(body, field="body", limit=BODY_MAX, required=False)
    if importance not in Importance.values:
        raise ValidationError({"importance": "Choose how important it is."})
    with transaction.atomic():
        idea = Idea.objects.create(title=title, body=body, author=person, logged_by=actor)
        Vote.objects.create(idea=idea, person=person, importance=importance)
        _timeline(
            person, idea, f"Suggested “{title}”",
            {"action": "submitted", "importance": importance},
            associate=actor, channel=ActivityChannel.PHONE if actor else ActivityChannel.WEB,
        )  # fmt: skip
    return idea


def vote_for_idea(
    person: Person, idea: Idea, *, importance: str = Importance.NICE, notify: bool = True
) -> Vote:
    """Support an idea, or change the importance of an existing vote: one vote per
    person and idea, whatever is clicked."""
    if importance not in Importance.values:
        raise ValidationError({"importance": "Choose how important it is."})
    with transaction.atomic():
        idea = _live(idea)
        vote, created = Vote.objects.select_for_update().get_or_create(
            idea=idea, person=person, defaults={"importance": importance, "notify": notify}
        )
        if not created and (vote.importance, vote.notify) == (importance, notify):
            return vote
        if not created:
            vote.importance, vote.notify = importance, notify
            vote.save(update_fields=["importance", "notify", "updated_at"])
        _timeline(
            person, idea, f"Voted for “{idea.title}” ({vote.get_importance_display().lower()})",
            {"action": "voted" if created else "changed", "importance": importance},
        )  # fmt: skip
    return vote


def withdraw_vote(person: Person, idea: Idea) -> bool:
    """Take back a vote; False if there was none."""
    with transaction.atomic():
        deleted, _ = Vote.objects.filter(idea=_live(idea), person=person).delete()
        if deleted:
            _timeline(person, idea, f"Withdrew the vote for “{idea.title}”", {"action": "withdrew"})
    return bool(deleted)


def comment_on_idea(
    idea: Idea, *, body: str, person: Person | None = None, actor: Any = None
) -> Comment:
    """A comment by a verified person or a reply by an associate (``actor``)."""
    if (person is None) == (actor is None):
        raise ValidationError({"person": "A comment is by a person or by an associate."})
    check_actor(actor)
    body = _clean_text(body, field="body", limit=COMMENT_MAX, required=True)
    with transaction.atomic():
        idea = _live(idea)
        comment = Comment.objects.create(idea=idea, person=person, associate=actor, body=body)
        if person is not None:
            _timeline(person, idea, f"Commented on “{idea.title}”",
                      {"action": "commented", "comment": comment.pk})  # fmt: skip
    return comment


def status_email(idea: Idea, change: IdeaStatusChange) -> Rendered:
    business = business_name()
    status = IdeaStatus(change.to_status).label.lower()
    url = public_url() + reverse("voice_idea", args=[idea.pk])
    note = f"\n\n{change.public_note}" if change.public_note else ""
    text = (
        f"Hello,\n\nYou voted for “{idea.title}” on the idea board of {business}. "
        f"It is now {status}.{note}\n\nSee it here: {url}\n\n"
        "You get this because you asked to hear back when you voted.\n"
    )
    body = (
        f"<p>Hello,</p><p>You voted for “{html.escape(idea.title)}” on "
        f"the idea board of {html.escape(business)}. It is now <strong>{status}</strong>.</p>"
        + (f"<p>{html.escape(change.public_note)}</p>" if change.public_note else "")
        + f'<p><a href="{html.escape(url)}">See the idea</a></p>'
        "<p>You get this because you asked to hear back when you voted.</p>"
    )
    return Rendered(
        subject=f"Update on your idea: {idea.title} is {status}", html=email_layout(body), text=text
    )


def change_idea_status(
    idea: Idea, status: str, *, actor: Any, public_note: str = ""
) -> IdeaStatusChange | None:
    """Move an idea to ``status``. Every voter gets an ``idea_status`` activity (workflows
    can react) and voters who asked to hear back get an email, both from a background
    job (:mod:`.jobs`) the page shows the progress of. None if unchanged.

    The email is a service message (purpose transactional): the voter asked for it when
    voting (the "tell me when this changes" box, on by default), so it needs no
    marketing consent; the suppression list is still honoured by outreach.
    """
    check_actor(actor)
    if status not in IdeaStatus.values:
        raise ValidationError({"status": f"{status!r} is not an idea status."})
    public_note = _clean_text(public_note, field="public_note", limit=500, required=False)
    with transaction.atomic():
        idea = Idea.objects.select_for_update().get(pk=idea.pk)
        if idea.merged_into_id is not None:
            raise ValidationError({"status": "This idea was merged; change the other one."})
        if idea.status == status:
            return None
        now = timezone.now()
        change = IdeaStatusChange.objects.create(
            idea=idea, from_status=idea.status, to_status=status, public_note=public_note,
            actor=actor, changed_at=now,
        )  # fmt: skip
        idea.status, idea.status_changed_at = status, now
        idea.done_at = now if status == IdeaStatus.DONE else None
        idea.save(update_fields=["status", "status_changed_at", "done_at", "updated_at"])
        # Every voter's timeline and the emails: a background job (see .jobs).
        start_idea_status_job(change, actor=actor)
    return change


def merge_ideas(duplicate: Idea, into: Idea, *, actor: Any) -> IdeaMerge:
    """Fold ``duplicate`` into ``into``: its votes move over, and a person who voted for
    both keeps one vote at the higher importance (asking to hear back if either did);
    comments move; the duplicate stays as a pointer so old links still work."""
    check_actor(actor)
    if duplicate.pk == into.pk:
        raise ValidationError({"into": "An idea cannot be merged into itself."})
    with transaction.atomic():
        locked = {
            i.pk: i
            for i in Idea.objects.select_for_update().filter(pk__in=[duplicate.pk, into.pk])
            .order_by("pk")
        }  # fmt: skip
        duplicate, into = locked[duplicate.pk], locked[into.pk]
        if duplicate.merged_into_id is not None:
            raise ValidationError({"duplicate": "This idea was already merged."})
        if into.merged_into_id is not None:
            raise ValidationError({"into": "Merge into an idea that was not merged itself."})
        kept = {v.person_id: v for v in Vote.objects.select_for_update().filter(idea=into)}
        moved = combined = 0
        for vote in Vote.objects.select_for_update().filter(idea=duplicate).order_by("pk"):
            other = kept.get(vote.person_id)
            if other is None:
                vote.idea = into
                vote.save(update_fields=["idea", "updated_at"])
                moved += 1
                continue
            if (
                IMPORTANCE_RANK[Importance(vote.importance)]
                > IMPORTANCE_RANK[Importance(other.importance)]
            ):
                other.importance = vote.importance
            other.notify = other.notify or vote.notify
            other.created_at = min(other.created_at, vote.created_at)
            other.save(update_fields=["importance", "notify", "created_at", "updated_at"])
            vote.delete()
            combined += 1
        comments = Comment.objects.filter(idea=duplicate).update(idea=into)
        Idea.objects.filter(merged_into=duplicate).update(merged_into=into)
        duplicate.merged_into = into
        duplicate.save(update_fields=["merged_into", "updated_at"])
        return IdeaMerge.objects.create(
            duplicate=duplicate, into=into, actor=actor, votes_moved=moved,
            votes_combined=combined, comments_moved=comments,
        )  # fmt: skip
