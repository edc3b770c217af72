"""Journey step 5 in the demo: the human touch, automated and switched on.

Built at the end of a build (from :func:`thrive.demo.extras.finish_demo`) through the
same services the pages use, so every template passes the sandbox and every workflow
passes the step validator. Everything is found by name first, so running it twice
creates nothing twice.

* Email templates: a three-part welcome, Tom's personal win-back note and a "We miss
  you" variant (for the A/B test of journey step 7).
* The welcome series as an outreach sequence (now, after 3 days, after 10 days), for
  people enrolled by hand — the market stall, the café counter.
* "Welcome new subscribers", a workflow sending the same three emails. The engine has no
  "enrol in a sequence" step, so the workflow carries the series itself. It starts when
  someone becomes a prospect, which in Thrive's funnel is signing up for the roast
  letter; a condition lets through only people who just gave consent (a partner café
  also becomes a prospect, when a wholesale conversation opens, and gets no welcome).
* "Win back valuable customers", a workflow started by entering the saved segment
  "Valuable customers slipping away": Tom gets a personal note to review and send; if he
  dismisses it or lets it sit a week, he gets a call task instead; if he sends it and no
  order follows within 30 days, a call task too. An order ends it (the goal).

* "NPS a week after each order", a workflow started by every order: seven days later
  the customer gets the NPS survey "How was your order?". Customer voice closes the loop
  on each answer, so the workflow does not need to: a detractor (0–6) gives Tom a call
  task due within 48 hours, a promoter (9–10) a task to ask for a review or a referral.
  The survey's 90-day cool-down means a regular who orders every fortnight is asked
  at most once a season (the workflow lets them in again after 90 days, too).

The surveys page has a year of history: answers to the same survey from before the
workflow existed (one order in two led to an invitation, respecting the cool-down;
nearly half of those answered). Scores lean by acquisition channel (referred customers
and partner-café regulars are the keenest, paid-ad customers the coolest) and improve
over the year, so NPS over time, by segment and by channel all have something to show.
These are history, so they carry no follow-up tasks.

A segment trigger's first check only records who is already in the segment (the
workflow is for people who slip away from now on), so the demo also enrols a handful of
today's most valuable at-risk customers by hand: on the first visit Tom already has a
few notes to review. The segment's rules read customer scores, so the scores are
computed first (with the dashboard, as the worker would on the first visit); otherwise
the first check would see an empty segment and the first scoring would push every
at-risk customer into the workflow at once.

Sending still goes through outreach: consent, the suppression list, quiet hours (no
automated email at night) and the weekly budget (two automated emails a person) are
checked for every message, and each carries the reason shown on the person's page.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef

from thrive.accounts.models import Associate
from thrive.automations.engine import CURSOR
from thrive.automations.models import EngineCursor, Reentry, TriggerKind, Workflow
from thrive.automations.services import activate_workflow, enroll_person, save_workflow
from thrive.commerce.models import Order, OrderStatus
from thrive.contacts.models import (
    Activity,
    ActivityChannel,
    ActivityKind,
    Consent,
    ConsentPurpose,
    Direction,
    Person,
)
from thrive.outreach.email_templates.saving import save_template
from thrive.outreach.models import EmailTemplate, MessagePurpose, OnCap, Sequence, Suppression
from thrive.outreach.sending.sequencing import add_step, create_sequence
from thrive.segments.models import Segment
from thrive.voice.models import InviteStatus, Survey, SurveyInvite, SurveyResponse
from thrive.voice.services import create_survey

BARISTA = "tom"
SLIPPING_AWAY = "Valuable customers slipping away"
# How many at-risk customers the demo puts in the win-back workflow by hand.
HAND_ENROLLED = 5

WELCOME_SEQUENCE = "Welcome to Kettle & Crow"
WELCOME_WORKFLOW = "Welcome new subscribers"
WINBACK_WORKFLOW = "Win back valuable customers"
NPS_WORKFLOW = "NPS a week after each order"
NPS_SURVEY = "How was your order?"
NPS_QUESTION = "How likely are you to recommend Kettle & Crow to a friend?"
NPS_COOLDOWN_DAYS = 90

# Marketing emails show the person's own unsubscribe link; a preview has none.
_UNSUBSCRIBE_HTML = (
    '{% if unsubscribe_url %}\n<p style="color:#6b7280;font-size:13px">Not for you any more? '
    '<a href="{{ unsubscribe_url }}">Unsubscribe</a> with one click.</p>\n{% endif %}'
)
_UNSUBSCRIBE_TEXT = (
    "{% if unsubscribe_url %}\n--\nNot for you any more? Unsubscribe with one click: "
    "{{ unsubscribe_url }}\n{% endif %}"
)
_HI = '{{ person.first_name|default:"there" }}'


@dataclass(frozen=True)
class TemplateText:
    name: str
    subject: str
    paragraphs: tuple[str, ...]  # plain text with merge fields; HTML is made from them
    signature: str
    marketing: bool = True

    def html(self) -> str:
        # One paragraph a line, so the template stays easy to edit on its page.
        parts = (f"Hi {_HI},", *self.paragraphs, self.signature)
        lines = [f"<p>{p.replace('&', '&amp;')}</p>" for p in parts]
        if self.marketing:
            lines.append(_UNSUBSCRIBE_HTML)
        return "\n".join(lines) + "\n"

    def text(self) -> str:
        body = "\n\n".join((f"Hi {_HI},", *self.paragraphs, self.signature))
        return body + "\n" + (_UNSUBSCRIBE_TEXT if self.marketing else "")


# The business's name is written out in the demo's texts, as an owner would write them
# (the ``business.name`` merge field would give the same name).
WELCOME = TemplateText(
    name="Welcome to Kettle & Crow",
    subject=(
        "Welcome to Kettle & Crow{% if person.first_name %}, {{ person.first_name }}{% endif %}"
    ),
    paragraphs=(
        "Thanks for signing up for our roast letter. We are a small roastery in Portland: "
        "we roast on Tuesdays and Fridays and pack every bag by hand.",
        "Once or twice a month you will hear what just came off the roaster, get a "
        "brewing tip now and then, and first pick of the small lots before they sell out. "
        "Never more than that.",
        "Questions about a coffee? Just reply. One of us reads every email.",
    ),
    signature="Maya, Tom and everyone at Kettle & Crow",
)
BREWING_GUIDE = TemplateText(
    name="Welcome 2: our brewing guide",
    subject="How we brew at the roastery",
    paragraphs=(
        "A few days in, here is the short guide we give everyone who asks at the bar.",
        "{% if person.custom.brew_method %}You told us you like "
        "{{ person.custom.brew_method }}, so start with that one. {% endif %}"
        "Pour-over: 15 g of coffee to 250 g of water just off the boil, in about three "
        "minutes. French press: 30 g to 500 g, four minutes, then press gently. "
        "Espresso: 18 g in, 36 g out, in 25 to 30 seconds.",
        "Use the beans within a month of the roast date on the bag, and grind just "
        "before you brew. That is most of the secret.",
    ),
    signature="Tom, at the bar",
)
SUBSCRIPTION_NOTE = TemplateText(
    name="Welcome 3: a note on subscriptions",
    subject="Never run out of good coffee",
    paragraphs=(
        "One last note from us this week. Many of our regulars let us choose for them: "
        "Roaster's Choice sends a fresh bag{% if person.custom.favourite_roast %} "
        "(we can keep to {{ person.custom.favourite_roast }} roasts){% endif %} every "
        "month, roasted the week it ships.",
        "One bag is $22 a month and two are $40. Skip a month or stop whenever you like; "
        "just reply to this email.",
        "No pressure at all. The roast letter stays the same either way.",
    ),
    signature="Maya, Kettle & Crow",
)
NOTE_FROM_TOM = TemplateText(
    name="A note from Tom",
    subject="A bag of coffee with your name on it",
    paragraphs=(
        "Tom here, from the bar at Kettle & Crow. It has been a while since we saw you, "
        "and I wanted to say hello.",
        "{% if person.custom.favourite_roast %}There is a fresh "
        "{{ person.custom.favourite_roast }} roast coming off the roaster this week, your "
        "usual.{% else %}Your usual roast is coming off the roaster fresh this week."
        "{% endif %} I am happy to set a bag aside for you, or to suggest something new "
        "if you fancy a change.",
        "Hope all is well with you,",
    ),
    signature="Tom",
    marketing=False,  # a personal one-to-one note that Tom reviews and sends himself
)
WE_MISS_YOU = TemplateText(
    name="We miss you",
    subject="We miss you at Kettle & Crow",
    paragraphs=(
        "It has been a while since your last order{% if orders.last_date %} (back on "
        '{{ orders.last_date|date:"F j" }}){% endif %}, and the roastery is not the same '
        "without you.",
        "This month's coffees are some of our favourites of the year. Come by the café or "
        "order online; your next bag ships the day it is roasted.",
    ),
    signature="Maya and everyone at Kettle & Crow",
)
TEMPLATES = (WELCOME, BREWING_GUIDE, SUBSCRIPTION_NOTE, NOTE_FROM_TOM, WE_MISS_YOU)


def ensure_templates(actor: Associate) -> dict[str, Any]:
    """Each template by name, created through the sandbox's validation if missing."""
    found: dict[str, Any] = {}
    for text in TEMPLATES:
        template = EmailTemplate.objects.filter(name__iexact=text.name).first()
        if template is None:
            template = save_template(
                None, actor=actor, name=text.name, subject=text.subject,
                html_body=text.html(), text_body=text.text(),
            )  # fmt: skip
        found[text.name] = template
    return found


def ensure_welcome_sequence(actor: Associate, templates: dict[str, Any]) -> Any:
    sequence = Sequence.objects.filter(name=WELCOME_SEQUENCE).first()
    if sequence is not None:
        return sequence
    sequence = create_sequence(
        actor=actor,
        name=WELCOME_SEQUENCE,
        purpose=MessagePurpose.EMAIL_MARKETING,
        on_cap=OnCap.DEFER,
        description=(
            "Three welcome emails: now, after 3 days, after 10 days. Enrol people you sign "
            "up in person (the market stall, the café counter). Online sign-ups get the "
            f"same emails from the workflow “{WELCOME_WORKFLOW}”."
        ),
    )
    for text, delay_hours in ((WELCOME, 0), (BREWING_GUIDE, 72), (SUBSCRIPTION_NOTE, 168)):
        add_step(sequence, actor=actor, template=templates[text.name], delay_hours=delay_hours)
    return sequence


def welcome_steps(templates: dict[str, Any]) -> list[dict[str, Any]]:
    just_signed_up = {"match": "all", "rules": [
        {"field": "activity", "kind": "consent_change", "op": "within_last_days", "value": 3},
    ]}  # fmt: skip
    return [
        {"kind": "condition", "rules": just_signed_up, "yes": 2, "no": "end"},
        {"kind": "send_email", "template": templates[WELCOME.name].pk},
        {"kind": "wait", "days": 3},
        {"kind": "send_email", "template": templates[BREWING_GUIDE.name].pk},
        {"kind": "wait", "days": 7},
        {"kind": "send_email", "template": templates[SUBSCRIPTION_NOTE.name].pk},
    ]


def winback_steps(templates: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        # 1. Tom reviews a personal note; sent → 3, dismissed or left a week → 2.
        {"kind": "draft_email", "template": templates[NOTE_FROM_TOM.name].pk,
         "associate": BARISTA, "timeout_days": 7, "sent": 3, "dismissed": 2, "timeout": 2},
        # 2. No note went out: a call instead.
        {"kind": "create_task",
         "title": "Call {{ person.first_name|default:'them' }}: we have not seen them in a while",
         "associate": BARISTA, "task_kind": "call", "due_in_days": 2, "next": "end"},
        # 3. The note went out: give them a month to order (the goal ends it early).
        {"kind": "wait_event", "event": "order", "timeout_days": 30,
         "matched": "end", "timeout": 4},
        # 4. No answer to the note: a call.
        {"kind": "create_task",
         "title": "Call {{ person.first_name|default:'them' }}: no answer to your note",
         "associate": BARISTA, "task_kind": "call", "due_in_days": 2},
    ]  # fmt: skip


# Someone who orders again is won back; the workflow lets them go.
WINBACK_GOAL = {"match": "all", "rules": [
    {"field": "last_order_date", "op": "within_last_days", "value": 2},
]}  # fmt: skip


def _workflow(actor: Associate, name: str, **definition: Any) -> tuple[Any, bool]:
    """The workflow called ``name``, created and switched on if missing; True if new."""
    workflow = Workflow.objects.filter(name=name).first()
    if workflow is not None:
        return workflow, False
    workflow = save_workflow(actor=actor, name=name, **definition)
    return activate_workflow(workflow, actor=actor), True


def ensure_welcome_workflow(actor: Associate, templates: dict[str, Any]) -> Any:
    workflow, _ = _workflow(
        actor,
        WELCOME_WORKFLOW,
        description=(
            "New roast-letter subscribers get three emails: a welcome now, the brewing "
            "guide after 3 days and a note on subscriptions after 10 days. Signing up "
            "makes someone a prospect; only people who just gave their consent get the "
            f"emails. (The sequence “{WELCOME_SEQUENCE}” sends the same emails to people "
            "you enrol by hand.)"
        ),
        trigger=TriggerKind.STAGE_CHANGED,
        trigger_config={"from": ["suspect"], "to": ["prospect"]},
        steps=welcome_steps(templates),
        reentry=Reentry.NEVER,
    )
    return workflow


def ensure_winback_workflow(actor: Associate, templates: dict[str, Any]) -> tuple[Any, bool]:
    segment = Segment.objects.get(name=SLIPPING_AWAY)
    return _workflow(
        actor,
        WINBACK_WORKFLOW,
        description=(
            "When a valuable customer starts slipping away, Tom gets a personal note to "
            "review and send. If he does not send it within a week, or if a month passes "
            "without an order after it, he gets a task to call them. An order ends it."
        ),
        trigger=TriggerKind.SEGMENT_ENTERED,
        trigger_config={"segment": segment.pk},
        steps=winback_steps(templates),
        reentry=Reentry.AFTER_DAYS,
        reentry_days=180,
        goal=WINBACK_GOAL,
    )


def ensure_nps_survey(actor: Associate) -> Any:
    """The survey the NPS workflow sends; Tom gets the follow-up tasks of its answers."""
    survey = Survey.objects.filter(name=NPS_SURVEY).first()
    if survey is None:
        survey = create_survey(
            actor=actor, name=NPS_SURVEY, question=NPS_QUESTION,
            owner=Associate.objects.get(username=BARISTA), cooldown_days=NPS_COOLDOWN_DAYS,
        )  # fmt: skip
    return survey


# How likely each acquisition channel's customers are to be promoters, above the base.
CHANNEL_LEAN = {
    "Referral": 0.15, "Partner café": 0.12, "Events & markets": 0.06,
    "Newsletter & email": 0.04, "Direct": 0.0, "Organic search": -0.02,
    "Paid search": -0.08, "Social ads": -0.12,
}  # fmt: skip
HISTORY_DAYS = 365
HISTORY_ASKED, HISTORY_ANSWERED = 0.5, 0.45


def _history_score(rng: random.Random, lean: float, progress: float) -> int:
    """A 0–10 answer: promoters more likely with the channel's lean and as the year
    goes on (the roastery got better at what customers said)."""
    promoter = 0.42 + lean + 0.14 * progress
    detractor = max(0.05, 0.26 - lean / 2 - 0.10 * progress)
    draw = rng.random()
    if draw < promoter:
        return rng.choice((9, 10, 10))
    if draw < promoter + detractor:
        return rng.choice((2, 4, 5, 5, 6, 6, 6))
    return rng.choice((7, 8, 8))


def seed_nps_history(survey: Any) -> int:
    """A year of answers to ``survey`` (see the module docstring); returns how many."""
    from django.db.models import Max

    if SurveyInvite.objects.filter(survey=survey).exists():
        return 0
    latest = Order.objects.aggregate(last=Max("ordered_at"))["last"]
    if latest is None:
        return 0
    start = latest - dt.timedelta(days=HISTORY_DAYS)
    rng = random.Random(5)  # noqa: S311 - demo data, not security
    cooldown = dt.timedelta(days=survey.cooldown_days)
    asked: dict[int, dt.datetime] = {}
    invites, scores = [], []
    orders = (
        Order.objects.filter(ordered_at__gte=start, status=OrderStatus.COMPLETED)
        .exclude(person__email__isnull=True).exclude(person__email="")
        .order_by("ordered_at", "pk")
        .values_list("person_id", "ordered_at", "person__acquisition_channel__name")
    )  # fmt: skip
    for person_id, ordered_at, channel in orders.iterator(chunk_size=2000):
        sent_at = ordered_at + dt.timedelta(days=7)
        last = asked.get(person_id)
        if sent_at > latest or (last and sent_at - last < cooldown):
            continue
        if rng.random() >= HISTORY_ASKED:
            continue
        asked[person_id] = sent_at
        invite = SurveyInvite(survey=survey, person_id=person_id,
                              status=InviteStatus.QUEUED, sent_at=sent_at)  # fmt: skip
        invites.append(invite)
        if rng.random() < HISTORY_ANSWERED:
            progress = (sent_at - start) / dt.timedelta(days=HISTORY_DAYS)
            score = _history_score(rng, CHANNEL_LEAN.get(channel or "", 0.0), progress)
            answered_at = sent_at + dt.timedelta(hours=rng.randint(1, 48))
            scores.append((invite, score, min(answered_at, latest)))
    SurveyInvite.objects.bulk_create(invites, batch_size=1000)
    responses = [
        SurveyResponse(invite=invite, survey=survey, person_id=invite.person_id, score=score,
                       answered_at=at)
        for invite, score, at in scores
    ]  # fmt: skip
    SurveyResponse.objects.bulk_create(responses, batch_size=1000)
    # History is for reading, not for workflows: when the engine had read everything
    # before, it also skips these answers.

    last_before = Activity.objects.order_by("-id").values_list("id", flat=True).first() or 0
    caught_up = EngineCursor.objects.filter(name=CURSOR, last_activity_id=last_before).exists()
    Activity.objects.bulk_create(
        [
            Activity(
                person_id=r.person_id,
                kind=ActivityKind.SURVEY_ANSWER,
                occurred_at=r.answered_at,
                channel=ActivityChannel.EMAIL,
                direction=Direction.INBOUND,
                subject=f"Answered {r.score} to “{survey.name}”",
                data={"survey": survey.pk, "score": r.score, "category": r.category},
                ref=f"survey:{survey.pk}",
            )  # fmt: skip
            for r in responses
        ],
        batch_size=1000,
    )
    if caught_up:
        last_id = Activity.objects.order_by("-id").values_list("id", flat=True).first() or 0
        EngineCursor.objects.filter(name=CURSOR).update(last_activity_id=last_id)
    return len(responses)


def nps_steps(survey: Any) -> list[dict[str, Any]]:
    return [
        {"kind": "wait", "days": 7},
        {"kind": "send_survey", "survey": survey.pk},
    ]


def ensure_nps_workflow(actor: Associate) -> Any:
    survey = ensure_nps_survey(actor)
    workflow, _ = _workflow(
        actor,
        NPS_WORKFLOW,
        description=(
            "A week after an order, the customer is asked how likely they are to recommend "
            "us. A detractor (0–6) gives Tom a call task due within 48 hours; a promoter "
            "(9–10) gives him a task to ask for a review or a referral. Nobody is asked "
            f"more than once in {NPS_COOLDOWN_DAYS} days."
        ),
        trigger=TriggerKind.ORDER_PLACED,
        trigger_config={},
        steps=nps_steps(survey),
        reentry=Reentry.AFTER_DAYS,
        reentry_days=NPS_COOLDOWN_DAYS,
    )
    return workflow


def first_winbacks(limit: int = HAND_ENROLLED) -> list[Person]:
    """Today's most valuable at-risk customers who can be emailed: in the segment, with
    an address, an active email consent and not on the suppression list; the highest
    predicted value first (ties by id, so the same build picks the same people)."""
    segment = Segment.objects.get(name=SLIPPING_AWAY)
    consenting = Consent.objects.filter(
        person=OuterRef("pk"), purpose=ConsentPurpose.EMAIL_MARKETING, withdrawn_at__isnull=True
    )
    suppressed = Suppression.objects.filter(email__iexact=OuterRef("email"))
    return list(
        segment.people()
        .filter(Exists(consenting), email__isnull=False, score__isnull=False)
        .exclude(email="")
        .exclude(Exists(suppressed))
        .order_by("-score__predicted_clv", "pk")[:limit]
    )


def enroll_first_winbacks(actor: Associate, workflow: Any) -> list[Person]:
    """Put a handful of at-risk customers in the win-back workflow by hand, once."""
    if workflow.enrollments.exists():
        return []
    people = first_winbacks()
    for person in people:
        enroll_person(workflow, person, actor=actor)
    return people


def build_journey(owner_username: str) -> None:
    """Templates, the welcome sequence and the three workflows, switched on
    (idempotent)."""
    actor = Associate.objects.filter(username=owner_username).first()
    if actor is None or not Associate.objects.filter(username=BARISTA).exists():
        return  # not the demo's staff: nothing to attach the examples to
    templates = ensure_templates(actor)
    ensure_welcome_sequence(actor, templates)
    ensure_welcome_workflow(actor, templates)
    winback, created = ensure_winback_workflow(actor, templates)
    if created:
        enroll_first_winbacks(actor, winback)
    ensure_nps_workflow(actor)
    seed_nps_history(ensure_nps_survey(actor))
