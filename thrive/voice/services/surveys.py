"""NPS surveys: send (with a cool-down), record one-click answers, close the loop.

Closing the loop (Reichheld's "inner loop") happens here, in the answer service, not in
a workflow, so it works with no automation set up: a detractor (0–6) gives the survey's
owner a call-back task due within 48 hours; a promoter (9–10) is tagged "advocate
candidate" and the owner gets a task to ask for a review or a referral. Passives (7–8)
get nothing. The ``survey_answer`` activity still lets workflows add more.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from thrive.accounts.queries import business_name
from thrive.contacts.models import (
    ActivityChannel,
    ActivityKind,
    ConsentPurpose,
    Direction,
    Person,
)
from thrive.contacts.services import add_tag, record_activity, withdraw_consent
from thrive.core.brand import email_layout
from thrive.core.roles import check_actor
from thrive.core.tokens import TokenError, make_token, read_token
from thrive.outreach.conf import public_url
from thrive.outreach.email_templates.sandbox import Rendered
from thrive.outreach.models import DeliveryStatus, MessagePurpose
from thrive.outreach.services import queue_delivery
from thrive.segments.models import Segment
from thrive.tasks.models import TaskKind
from thrive.tasks.services import create_task

from ..models import (
    DEFAULT_COOLDOWN_DAYS,
    DEFAULT_QUESTION,
    InviteStatus,
    Survey,
    SurveyInvite,
    SurveyResponse,
)

ANSWER = "voice.answer"
OPT_OUT = "voice.survey_optout"
# Someone may answer an old survey email for a couple of months.
ANSWER_MAX_AGE = 60 * 24 * 3600
OPT_OUT_MAX_AGE = 2 * 365 * 24 * 3600
DETRACTOR_DUE = dt.timedelta(hours=48)
PROMOTER_DUE = dt.timedelta(days=7)
ADVOCATE_TAG = "advocate candidate"


def create_survey(
    *,
    actor: Any,
    name: str,
    question: str = DEFAULT_QUESTION,
    segment: Segment | None = None,
    owner: Any = None,
    cooldown_days: int = DEFAULT_COOLDOWN_DAYS,
) -> Survey:
    check_actor(actor)
    survey = Survey(
        name=name.strip(), question=question.strip() or DEFAULT_QUESTION, segment=segment,
        owner=owner or actor, cooldown_days=cooldown_days,
    )  # fmt: skip
    survey.full_clean()
    survey.save()
    return survey


def answer_url(invite: SurveyInvite, score: int) -> str:
    token = make_token(ANSWER, {"i": invite.pk, "s": score})
    return public_url() + reverse("voice_answer", args=[token])


def opt_out_url(person: Person) -> str:
    token = make_token(OPT_OUT, {"p": person.pk})
    return public_url() + reverse("voice_survey_opt_out", args=[token])


def _email(survey: Survey, invite: SurveyInvite, person: Person) -> Rendered:
    business = business_name()
    links = [(score, answer_url(invite, score)) for score in range(11)]
    stop = opt_out_url(person)
    name = person.first_name or "there"
    # One cell a line: SMTP allows lines of at most 998 characters.
    cells = "\n".join(
        f'<td style="padding:2px"><a href="{html.escape(url)}" style="display:inline-block;'
        f"min-width:28px;padding:8px 4px;text-align:center;border:1px solid #0f766e;"
        f'border-radius:4px;color:#0f766e;text-decoration:none">{score}</a></td>'
        for score, url in links
    )
    body = (
        f"<p>Hi {html.escape(name)},</p><p>{html.escape(survey.question)}</p>"
        f'<table role="presentation"><tr>\n{cells}\n</tr></table>\n'
        '<p style="font-size:12px;color:#6b7280">0 = not at all likely, 10 = extremely likely. '
        "One click records your answer.</p>"
        f'<p style="font-size:12px;color:#6b7280"><a href="{html.escape(stop)}">Stop asking me '
        f"for feedback</a>.</p>"
    )
    text = (
        f"Hi {name},\n\n{survey.question}\n(0 = not at all likely, 10 = extremely likely; "
        "open one link)\n\n"
        + "\n".join(f"{score}: {url}" for score, url in links)
        + f"\n\nStop asking me for feedback: {stop}\n"
    )
    return Rendered(
        subject=f"A quick question from {business}", html=email_layout(body), text=text
    )


def send_survey_to(
    survey: Survey,
    person: Person,
    *,
    reason: str | dict[str, Any] = "",
    idempotency_key: str = "",
) -> SurveyInvite | None:
    """Ask ``person`` this survey unless they were asked any survey within the survey's
    cool-down. Returns the invite (queued or skipped by outreach's consent and
    suppression checks), or None when the cool-down holds. Safe to call concurrently
    for the same person: their row is locked while checking.

    ``reason`` is a sentence, or a whole explanation (a workflow step's) with the
    sentence in ``reason["why"]``; it is stored on the message and shown on the person's
    page. With an ``idempotency_key`` a second call returns the first call's invite and
    never asks twice (a workflow step or a background job that is retried).
    """
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if idempotency_key:
            earlier = SurveyInvite.objects.filter(delivery__idempotency_key=idempotency_key).first()
            if earlier is not None:
                return earlier
        since = timezone.now() - dt.timedelta(days=survey.cooldown_days)
        if SurveyInvite.objects.filter(
            person=person, status=InviteStatus.QUEUED, sent_at__gte=since
        ).exists():
            return None
        invite = SurveyInvite.objects.create(
            survey=survey, person=person, status=InviteStatus.QUEUED
        )
        why: dict[str, Any] = dict(reason) if isinstance(reason, dict) else {"why": reason}
        why["why"] = why.get("why") or f"Asked for feedback by the survey “{survey.name}”."
        why.setdefault("survey", survey.pk)
        delivery = queue_delivery(
            person, template=None,
            idempotency_key=idempotency_key or f"survey:{survey.pk}:invite:{invite.pk}",
            reason=why, automated=True, purpose=MessagePurpose.SURVEYS,
            prerendered=_email(survey, invite, person),
        )  # fmt: skip
        invite.delivery = delivery
        if delivery.status == DeliveryStatus.SKIPPED:
            invite.status = InviteStatus.SKIPPED
        invite.save(update_fields=["delivery", "status"])
        return invite


@dataclass
class SendReport:
    queued: int = 0
    skipped: int = 0
    cooling_down: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


def send_survey(survey: Survey, *, actor: Any) -> SendReport:
    """Ask everyone in the survey's segment who has an email address, now, in this
    process (scripts and tests). The page queues a background job instead
    (:func:`thrive.voice.services.jobs.start_survey_send`); this runs the same job."""
    from .jobs import run_send_job, start_survey_send

    job = run_send_job(start_survey_send(survey, actor=actor).pk)
    return SendReport(queued=job.queued, skipped=job.skipped, cooling_down=job.cooling_down,
                      reasons=dict(job.reasons))  # fmt: skip


def read_answer_token(token: str) -> tuple[SurveyInvite, int]:
    """The invite and score a link stands for; raises TokenError."""
    payload = read_token(ANSWER, token, max_age_seconds=ANSWER_MAX_AGE)
    invite_id, score = payload.get("i"), payload.get("s")
    if not isinstance(invite_id, int) or not isinstance(score, int) or not 0 <= score <= 10:
        raise TokenError("This link is not valid.")
    invite = SurveyInvite.objects.select_related("survey", "person").filter(pk=invite_id).first()
    if invite is None:
        raise TokenError("This survey no longer exists.")
    return invite, score


def record_answer(invite: SurveyInvite, score: int) -> SurveyResponse:
    """Record (or change) the answer to an invite. The loop is closed once, on the
    first answer; a changed score updates the answer and the timeline only."""
    if not 0 <= score <= 10:
        raise ValidationError({"score": "A score is from 0 to 10."})
    with transaction.atomic():
        invite = (
            SurveyInvite.objects.select_for_update()
            .select_related("survey", "person")
            .get(pk=invite.pk)
        )
        response = SurveyResponse.objects.filter(invite=invite).first()
        first = response is None
        if response is not None and response.score == score:
            return response
        if response is None:
            response = SurveyResponse.objects.create(
                invite=invite, survey=invite.survey, person=invite.person, score=score
            )
            changed_from = None
        else:
            changed_from, response.score = response.score, score
            response.answered_at = timezone.now()
            response.save(update_fields=["score", "answered_at"])
        data: dict[str, Any] = {"survey": invite.survey_id, "score": score,
                                "category": response.category}  # fmt: skip
        if changed_from is not None:
            data["changed_from"] = changed_from
        record_activity(
            invite.person, ActivityKind.SURVEY_ANSWER, channel=ActivityChannel.EMAIL,
            direction=Direction.INBOUND, subject=f"Answered {score} to “{invite.survey.name}”",
            data=data, ref=f"survey:{invite.survey_id}",
        )  # fmt: skip
        if first:
            close_the_loop(response)
        return response


def close_the_loop(response: SurveyResponse) -> None:
    """Follow-up tasks for detractors and promoters (see the module docstring)."""
    person, survey = response.person, response.survey
    name = person.full_name or person.email or f"person {person.pk}"
    if response.score <= 6:
        create_task(
            actor=None, title=f"Call {name} back: scored {response.score}", person=person,
            assignee=survey.owner, due_at=response.answered_at + DETRACTOR_DUE,
            kind=TaskKind.CALL,
            reason=f"Detractor in “{survey.name}”: listen, fix what can be fixed, within "
            "48 hours. Their comment, if any, is on their timeline.",
        )  # fmt: skip
    elif response.score >= 9:
        add_tag(person, ADVOCATE_TAG, actor=None)
        create_task(
            actor=None, title=f"Ask {name} for a review or a referral", person=person,
            assignee=survey.owner, due_at=response.answered_at + PROMOTER_DUE,
            kind=TaskKind.EMAIL,
            reason=f"Promoter ({response.score}) in “{survey.name}”: a good moment to ask.",
        )  # fmt: skip


def add_answer_comment(response: SurveyResponse, comment: str) -> SurveyResponse:
    """The optional comment after the score; it also goes on the timeline."""
    text = (comment or "").strip()
    if not text:
        return response
    if len(text) > 2000:
        raise ValidationError({"comment": "At most 2000 characters."})
    with transaction.atomic():
        response.comment = text
        response.save(update_fields=["comment"])
        # A note, not a second survey_answer: workflows on answers must not fire twice.
        record_activity(
            response.person, ActivityKind.NOTE, channel=ActivityChannel.WEB,
            direction=Direction.INBOUND, subject=f"Survey comment on “{response.survey.name}”",
            body=text, data={"survey": response.survey_id, "score": response.score,
                             "category": response.category, "comment": True},
            ref=f"survey:{response.survey_id}",
        )  # fmt: skip
    return response


def opt_out_of_surveys(token: str) -> Person:
    """Withdraw survey consent from a "stop asking me" link; raises TokenError."""
    payload = read_token(OPT_OUT, token, max_age_seconds=OPT_OUT_MAX_AGE)
    person_id = payload.get("p")
    person = Person.objects.filter(pk=person_id).first() if isinstance(person_id, int) else None
    if person is None:
        raise TokenError("This link no longer matches anyone.")
    withdraw_consent(person, ConsentPurpose.SURVEYS, actor=None)
    return person
