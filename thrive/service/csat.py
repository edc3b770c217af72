"""Satisfaction after support: one question, 1 to 5, once a conversation is resolved.

It follows the same rules as the business's NPS surveys: only with survey consent and
never to a suppressed address (outreach's ``queue_delivery`` with the SURVEYS purpose
decides, as it does for NPS), not again within the survey cool-down (any NPS invite or
CSAT question in the last ``DEFAULT_COOLDOWN_DAYS``), and with the same "stop asking me"
link. Only conversations a person answered are asked about, never an automatic one.
"""

from __future__ import annotations

import datetime as dt
import html

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from thrive.accounts.queries import business_name
from thrive.core.brand import email_layout
from thrive.core.tokens import TokenError, make_token, read_token
from thrive.outreach.conf import public_url
from thrive.outreach.email_templates.sandbox import Rendered
from thrive.outreach.models import DeliveryStatus, MessagePurpose
from thrive.outreach.services import queue_delivery
from thrive.voice.models import InviteStatus, SurveyInvite
from thrive.voice.models.surveys import DEFAULT_COOLDOWN_DAYS
from thrive.voice.services.surveys import opt_out_url

from .models import Conversation, CsatRequest, CsatStatus, MessageKind, Status

QUESTION = "How satisfied are you with the help you got?"
SCALE = {1: "Very unhappy", 2: "Unhappy", 3: "Neutral", 4: "Happy", 5: "Very happy"}
CSAT_LINK = "thrive.service.csat"  # the signing purpose of the answer links
TOKEN_MAX_AGE = 30 * 24 * 3600


def answer_url(request: CsatRequest, score: int) -> str:
    token = make_token(CSAT_LINK, {"c": request.pk, "s": score})
    return public_url() + reverse("inbox_csat", args=[token])


def read_answer_token(token: str) -> tuple[CsatRequest, int]:
    payload = read_token(CSAT_LINK, token, max_age_seconds=TOKEN_MAX_AGE)
    pk, score = payload.get("c"), payload.get("s")
    if not isinstance(pk, int) or score not in SCALE:
        raise TokenError("This link is not valid.")
    found = CsatRequest.objects.filter(pk=pk).select_related("conversation").first()
    if found is None:
        raise TokenError("This question no longer exists.")
    return found, int(score)


def _email(request: CsatRequest, name: str) -> Rendered:
    business = business_name()
    links = [(score, label, answer_url(request, score)) for score, label in SCALE.items()]
    stop = opt_out_url(request.person)
    items = "\n".join(
        f'<li><a href="{html.escape(url)}">{score} – {html.escape(label)}</a></li>'
        for score, label, url in links
    )
    body = (
        f"<p>Hi {html.escape(name)},</p><p>We recently helped you with "
        f"“{html.escape(request.conversation.subject)}”. {QUESTION}</p><ul>\n{items}\n</ul>"
        f'<p><a href="{html.escape(stop)}">Stop asking me for feedback</a>.</p>'
    )
    text = (
        f"Hi {name},\n\nWe recently helped you with “{request.conversation.subject}”. "
        f"{QUESTION} (open one link)\n\n"
        + "\n".join(f"{score} – {label}: {url}" for score, label, url in links)
        + f"\n\nStop asking me for feedback: {stop}\n"
    )
    return Rendered(subject=f"How did we do? ({business})", html=email_layout(body), text=text)


def _cooling_down(conversation: Conversation, now: dt.datetime) -> bool:
    since = now - dt.timedelta(days=DEFAULT_COOLDOWN_DAYS)
    person = conversation.person_id
    return (
        SurveyInvite.objects.filter(
            person_id=person, status=InviteStatus.QUEUED, sent_at__gte=since
        ).exists()
        or CsatRequest.objects.filter(
            person_id=person, status=CsatStatus.QUEUED, asked_at__gte=since
        ).exists()
    )  # fmt: skip


def ask_after_resolution(conversation: Conversation) -> CsatRequest | None:
    """Ask the question once for a resolved conversation (None when it may not be asked
    at all); records why when it is not sent."""
    if conversation.status != Status.RESOLVED:
        return None
    # A person's reply: the automatic first answer alone is not help to rate.
    answered = conversation.messages.filter(kind=MessageKind.OUTBOUND, automatic="").exists()
    human = conversation.messages.filter(
        kind=MessageKind.INBOUND, automatic="", bounce=False
    ).exists()
    if not answered or not human or not conversation.person.email:
        return None
    now = timezone.now()
    with transaction.atomic():
        if CsatRequest.objects.filter(conversation=conversation).exists():
            return None
        request = CsatRequest(conversation=conversation, person=conversation.person,
                              status=CsatStatus.QUEUED, asked_at=now)  # fmt: skip
        if _cooling_down(conversation, now):
            request.status = CsatStatus.SKIPPED
            request.reason = f"Asked for feedback in the last {DEFAULT_COOLDOWN_DAYS} days."
            request.save()
            return request
        request.save()
        delivery = queue_delivery(
            conversation.person, template=None, idempotency_key=f"csat:{conversation.pk}",
            reason={"why": f"Asked how satisfied they are after “{conversation.subject}”."},
            automated=True, purpose=MessagePurpose.SURVEYS,
            prerendered=_email(request, conversation.person.first_name or "there"),
        )  # fmt: skip
        request.delivery = delivery
        if delivery.status == DeliveryStatus.SKIPPED:
            request.status = CsatStatus.SKIPPED
            request.reason = "Not sent: no survey consent, suppressed or no email."
        request.save(update_fields=["delivery", "status", "reason"])
    return request


def record_answer(request: CsatRequest, score: int) -> CsatRequest:
    """Record (or change) the answer."""
    if score not in SCALE:
        raise ValueError("A score from 1 to 5.")
    CsatRequest.objects.filter(pk=request.pk).update(score=score, answered_at=timezone.now())
    request.refresh_from_db()
    return request


def figure(since: dt.datetime) -> tuple[str, list[int], str]:
    """CSAT: the share of answers of 4 or 5 since ``since``, the conversations, a note."""
    rows = list(
        CsatRequest.objects.filter(answered_at__gte=since, score__isnull=False)
        .values_list("conversation_id", "score")
    )  # fmt: skip
    if not rows:
        return "—", [], "no answers yet"
    happy = sum(1 for _c, s in rows if (s or 0) >= 4)
    return (
        f"{round(100 * happy / len(rows))}%",
        [c for c, _s in rows],
        (f"{happy} of {len(rows)} answers 4 or 5"),
    )
