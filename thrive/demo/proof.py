"""What the demo shows of journey steps 5 to 7 having happened: ideas customers voted
for (some shipped, with a public note), a campaign that went out with an A/B subject
test and a holdout, and the follow-up calls of unhappy customers, done and still to do.

These are history, written at times before the demo's "now" (the end of its orders, so
a demo built as of a past day records nothing after it). Where a service can be told the
time it is used as is; where it writes "now", the rows are written as that service
writes them, with the past time:

* Ideas: each idea, its author's vote and the ``idea_vote`` activity as
  :func:`~thrive.voice.services.ideas.submit_idea` writes them; votes as
  :func:`~thrive.voice.services.ideas.vote_for_idea`; status changes as
  :func:`~thrive.voice.services.ideas.change_idea_status` and its job write them (every
  voter's ``idea_status`` activity, the email to voters who asked to hear back, recorded
  as sent; no email leaves the machine).
* The campaign goes through outreach itself: created by
  :func:`~thrive.outreach.sending.dispatch.create_campaign`, its audience split by
  :func:`~thrive.outreach.sending.dispatch.build_audience` (A, B and the holdout), every
  message checked by the sender's gates (consent, suppression, quiet hours, the weekly
  limit) and rendered by :func:`~thrive.outreach.sending.sender.prepare_batch` at the
  campaign's past send time. Then, instead of handing the messages to a mail server,
  they are marked sent at that time and their timeline entries written by
  :func:`~thrive.outreach.sending.sender.record_sent_activities`. Opens and clicks are
  simulated (a seeded draw, variant B's subject a little better) and recorded as the
  tracking endpoints record them.
* Detractor follow-ups come from customer voice's own
  :func:`~thrive.voice.services.surveys.close_the_loop`, run on the last weeks' detractor
  answers; Tom finishes the older ones (:func:`~thrive.tasks.services.finish_task`), the
  newest stay open.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from thrive.accounts.models import Associate
from thrive.commerce.models import Order
from thrive.contacts import profiling
from thrive.contacts.models import (
    Activity,
    ActivityChannel,
    ActivityKind,
    Consent,
    Direction,
    Person,
    PersonRole,
    RelationshipRole,
    Stage,
)
from thrive.contacts.services import record_activity
from thrive.outreach.email_templates.saving import save_template
from thrive.outreach.models import (
    Campaign,
    CampaignStatus,
    Delivery,
    DeliveryStatus,
    EmailTemplate,
    MessagePurpose,
)
from thrive.outreach.models.choices import TRANSACTIONAL
from thrive.outreach.sending.dispatch import build_audience, create_campaign
from thrive.outreach.sending.sender import (
    PumpReport,
    claim_batch,
    prepare_batch,
    record_sent_activities,
)
from thrive.segments.models import Segment
from thrive.segments.services import create_segment
from thrive.tasks.models import Task
from thrive.tasks.services import finish_task
from thrive.voice.models import (
    Idea,
    IdeaStatus,
    IdeaStatusChange,
    Importance,
    Survey,
    SurveyResponse,
    Vote,
)
from thrive.voice.services.ideas import status_email
from thrive.voice.services.surveys import close_the_loop

from .journey import BARISTA, NPS_SURVEY, TemplateText

# (title, body, status, public note, created days before "now", days to the status, votes)
IDEAS = [
    ("Decaf in 5 lb bags", "We go through a lot of your Swiss-water decaf at the office.",
     IdeaStatus.DONE, "Our Swiss-water decaf now comes in 5 lb bags, online and at the café.",
     200, 41, 14),
    ("Compostable coffee bags", "Could the bags go in the green bin?",
     IdeaStatus.DONE, "Every 12 oz bag is now home-compostable; the valve too.", 170, 66, 22),
    ("Oat milk at the café bar", "", IdeaStatus.DONE,
     "Oat milk is on the bar, at no extra charge.", 120, 12, 9),
    ("Two different roasts in one subscription", "One light, one dark, every month.",
     IdeaStatus.IN_PROGRESS, "We are trying the pairings with a few subscribers first.",
     95, 30, 17),
    ("Saturday morning brewing class", "Pour-over basics for beginners, maybe once a month.",
     IdeaStatus.PLANNED, "Planned for the new year, six people a class.", 80, 20, 12),
    ("House espresso in 1 kg bags for offices", "", IdeaStatus.PLANNED, "", 60, 25, 6),
    ("A loyalty card for the café", "Every tenth drink on the house?", IdeaStatus.OPEN, "",
     45, 0, 8),
    ("Cold brew in refillable growlers", "", IdeaStatus.OPEN, "", 30, 0, 5),
    ("Gift wrapping for holiday orders", "", IdeaStatus.DECLINED,
     "Not this year: we would rather keep the bags simple and the prices down.", 150, 20, 3),
]  # fmt: skip
# The idea board's voters: prospects, clients, advocates and lost customers alike.
VOTER_STAGES = (Stage.PROSPECT, Stage.CLIENT, Stage.ADVOCATE, Stage.LOST)
IMPORTANCE_DRAW = (Importance.NICE, Importance.NICE, Importance.IMPORTANT, Importance.CRITICAL)

CAMPAIGN = "New small lots: first pick for our readers"
CAMPAIGN_SEGMENT = "Customers (clients and advocates)"
CAMPAIGN_DAYS_AGO = 24
CAMPAIGN_HOLDOUT = 10
SMALL_LOTS = TemplateText(
    name="New small lots",
    subject="Three new small lots, roasted this week",
    paragraphs=(
        "Three small lots came off the roaster this week: a washed Ethiopian with "
        "bergamot and peach, a honey-process Costa Rican and a Colombian decaf that does "
        "not taste like one.",
        "There are only a few dozen bags of each. Readers of the roast letter get first "
        "pick until Sunday, online or at the café.",
    ),
    signature="Maya and everyone at Kettle & Crow",
)
SUBJECT_B = "First pick for you: our new small lots"
# Simulated reader behaviour: a share of the sent messages is opened, a share of those
# clicked; B's subject does a little better.
OPEN_RATE = {"A": 0.42, "B": 0.50}
CLICK_SHARE = 0.28

# The most recent detractor answers (of the last few months) get their follow-up.
FOLLOW_UP_DAYS, FOLLOW_UPS = 150, 12
OPEN_SHARE = 0.34  # the newest third of them are still to do


def demo_clock() -> dt.datetime:
    """The demo's "now": the end of its orders, never later than the real now."""
    last = Order.objects.aggregate(last=Max("ordered_at"))["last"]
    now = timezone.now()
    return min(last, now) if last else now


def _at(base: dt.datetime, hour: int, zone: Any) -> dt.datetime:
    """``base``'s day at ``hour`` o'clock in ``zone``."""
    local = base.astimezone(zone)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0).astimezone(dt.UTC)


# -- ideas -----------------------------------------------------------------------------


def _voters(rng: random.Random, count: int) -> list[Person]:
    """Customers with an address, from every voter stage, a seeded pick."""
    staff = PersonRole.objects.filter(role=RelationshipRole.ASSOCIATE).values("person")
    pools = [
        list(
            Person.objects.filter(stage=stage)
            .exclude(email__isnull=True).exclude(email="").exclude(pk__in=staff)
            .order_by("pk").values_list("pk", flat=True)[:4000]
        )
        for stage in VOTER_STAGES
    ]  # fmt: skip
    picked: list[int] = []
    for k in range(count):
        pool = pools[k % len(pools)] or next((p for p in pools if p), [])
        if not pool:
            break
        choice = rng.choice(pool)
        if choice not in picked:
            picked.append(choice)
    by_id = Person.objects.in_bulk(picked)
    return [by_id[pk] for pk in picked]


def _idea_activity(
    person: Person, idea: Idea, subject: str, data: dict[str, Any], when: dt.datetime, **kw: Any
) -> Activity:
    return Activity(
        person=person, kind=ActivityKind.IDEA_VOTE, occurred_at=when,
        channel=kw.get("channel", ActivityChannel.WEB), direction=Direction.INBOUND,
        subject=subject[:255], data={"idea": idea.pk, **data}, ref=f"idea:{idea.pk}",
    )  # fmt: skip


def seed_ideas(owner: Associate, clock: dt.datetime) -> int:
    """The idea board's history (see the module docstring); returns the ideas written."""
    if Idea.objects.exists():
        return 0
    rng = random.Random(14)  # noqa: S311 - demo data, not security
    activities: list[Activity] = []
    sent: list[int] = []
    for title, body, status, note, days_ago, days_to, n_votes in IDEAS:
        voters = _voters(rng, n_votes)
        if not voters:
            break
        created = clock - dt.timedelta(days=days_ago, hours=rng.randint(0, 10))
        author = voters[0]
        importance = rng.choice(IMPORTANCE_DRAW)
        idea = Idea.objects.create(title=title, body=body, author=author, created_at=created)
        Idea.objects.filter(pk=idea.pk).update(updated_at=created)
        votes = [Vote(idea=idea, person=author, importance=importance, created_at=created)]
        activities.append(_idea_activity(author, idea, f"Suggested “{title}”",
                                         {"action": "submitted", "importance": importance},
                                         created))  # fmt: skip
        span = max(days_to, days_ago // 2) * 86_400
        for voter in voters[1:]:
            at = created + dt.timedelta(seconds=rng.randint(3600, span))
            choice = rng.choice(IMPORTANCE_DRAW)
            vote = Vote(idea=idea, person=voter, importance=choice, created_at=at,
                        notify=rng.random() < 0.85)  # fmt: skip
            votes.append(vote)
            activities.append(_idea_activity(
                voter, idea, f"Voted for “{title}” ({vote.get_importance_display().lower()})",
                {"action": "voted", "importance": choice}, at,
            ))  # fmt: skip
        Vote.objects.bulk_create(votes)
        if status != IdeaStatus.OPEN:
            sent += _status_change(idea, status, note, owner, created + dt.timedelta(
                days=days_to, hours=rng.randint(1, 8)), votes, activities)  # fmt: skip
    Activity.objects.bulk_create(activities, batch_size=1000)
    record_sent_activities(sent)
    return Idea.objects.count()


def _status_change(
    idea: Idea,
    status: str,
    note: str,
    owner: Associate,
    when: dt.datetime,
    votes: list[Vote],
    activities: list[Activity],
) -> list[int]:
    """One status change with what its job does: every voter (who had voted by then) on
    the timeline, an email to those who asked, recorded as sent. Returns the deliveries."""
    change = IdeaStatusChange.objects.create(
        idea=idea, from_status=IdeaStatus.OPEN, to_status=status, public_note=note,
        actor=owner, changed_at=when,
    )  # fmt: skip
    Idea.objects.filter(pk=idea.pk).update(
        status=status, status_changed_at=when, updated_at=when,
        done_at=when if status == IdeaStatus.DONE else None,
    )  # fmt: skip
    idea.status = status
    rendered = status_email(idea, change)
    label = IdeaStatus(status).label.lower()
    deliveries = []
    for vote in votes:
        if vote.created_at > when:
            continue
        activities.append(Activity(
            person=vote.person, kind=ActivityKind.IDEA_STATUS, occurred_at=when,
            channel=ActivityChannel.SYSTEM, direction=Direction.OUTBOUND, associate=owner,
            subject=f"“{idea.title}” is now {label}",
            data={"idea": idea.pk, "status": status, "from": IdeaStatus.OPEN,
                  "change": change.pk},
            ref=f"idea:{idea.pk}",
        ))  # fmt: skip
        if vote.notify and vote.person.email:
            deliveries.append(Delivery(
                idempotency_key=f"idea:{idea.pk}:status:{change.pk}:person:{vote.person_id}",
                person=vote.person, to_email=vote.person.email, purpose=TRANSACTIONAL,
                automated=True, status=DeliveryStatus.SENT, prerendered=True,
                subject=rendered.subject, html_body=rendered.html, text_body=rendered.text,
                reason={"why": "Voted for this idea and asked to hear back.",
                        "idea": idea.pk, "status": status},
                created_at=when, next_attempt_at=when, sent_at=when + dt.timedelta(minutes=2),
                attempts=1, activity_recorded=False,
            ))  # fmt: skip
    Delivery.objects.bulk_create(deliveries)
    IdeaStatusChange.objects.filter(pk=change.pk).update(voters_notified=len(deliveries))
    return list(
        Delivery.objects.filter(idempotency_key__startswith=f"idea:{idea.pk}:status:").values_list(
            "pk", flat=True
        )
    )


# -- the campaign ----------------------------------------------------------------------


def _campaign_segment(owner: Associate) -> Segment:
    segment = Segment.objects.filter(name=CAMPAIGN_SEGMENT).first()
    if segment is None:
        segment = create_segment(
            actor=owner, name=CAMPAIGN_SEGMENT,
            description="Everyone who has bought from us and has not drifted away.",
            rules={"match": "all", "rules": [
                {"field": "stage", "op": "in", "value": ["client", "advocate"]}]},
        )  # fmt: skip
    return segment


def seed_campaign(owner: Associate, clock: dt.datetime, zone: Any) -> Campaign | None:
    """The sent A/B campaign with its holdout (see the module docstring)."""
    if Campaign.objects.filter(name=CAMPAIGN).exists():
        return None
    template = EmailTemplate.objects.filter(name__iexact=SMALL_LOTS.name).first()
    if template is None:
        template = save_template(
            None, actor=owner, name=SMALL_LOTS.name, subject=SMALL_LOTS.subject,
            html_body=SMALL_LOTS.html(), text_body=SMALL_LOTS.text(),
        )  # fmt: skip
    campaign = create_campaign(
        actor=owner, name=CAMPAIGN, segment=_campaign_segment(owner), template=template,
        purpose=MessagePurpose.EMAIL_MARKETING, variant_b_subject=SUBJECT_B,
        holdout_percent=CAMPAIGN_HOLDOUT,
    )  # fmt: skip
    # Tuesday-morning send, 10:00 in the business's zone.
    start = _at(clock - dt.timedelta(days=CAMPAIGN_DAYS_AGO), 10, zone)
    Campaign.objects.filter(pk=campaign.pk).update(
        created_at=start - dt.timedelta(days=1), status=CampaignStatus.SENDING,
        scheduled_at=start, started_at=start, updated_at=start,
    )  # fmt: skip
    send_in_the_past(campaign, start, clock)
    campaign.refresh_from_db()
    return campaign


def send_in_the_past(campaign: Campaign, start: dt.datetime, clock: dt.datetime) -> None:
    """Split the audience and send ``campaign`` at ``start`` through the sender's own gates
    and rendering, marking the messages sent then; opens and clicks are simulated."""
    build_audience(campaign, now=start)
    ours = Delivery.objects.filter(campaign=campaign)
    mine = set(ours.values_list("pk", flat=True))
    now, finished = start, start
    # The sender's rounds at the campaign's time: deferred messages (quiet hours in a
    # reader's zone, the weekly limit) go in a later round, as they would have.
    for _ in range(20):
        token = secrets.token_hex(8)
        claimed = [pk for pk in claim_batch(token, size=100_000, now=now) if pk in mine]
        # Anything else due then is not the demo's history: left for the real sender.
        Delivery.objects.filter(claim_token=token).exclude(pk__in=claimed).update(
            claim_token="", claimed_until=None
        )
        ready = prepare_batch(claimed, token, now=now, report=PumpReport()) if claimed else []
        ready = _consented_then(ready, now)
        if ready:
            sent_at = now + dt.timedelta(seconds=30)
            Delivery.objects.filter(pk__in=[d.pk for d in ready]).update(
                status=DeliveryStatus.SENT, sent_at=sent_at, claim_token="",
                claimed_until=None, activity_recorded=False,
            )  # fmt: skip
            record_sent_activities([d.pk for d in ready])
            finished = sent_at
        upcoming = (
            ours.filter(status__in=[DeliveryStatus.QUEUED, DeliveryStatus.DEFERRED])
            .order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
        )  # fmt: skip
        if upcoming is None:
            break
        now = max(now + dt.timedelta(minutes=5), upcoming)
        if now > clock:
            break
    # Nothing of the demo's history is left for the real sender to send now.
    ours.filter(status__in=[DeliveryStatus.QUEUED, DeliveryStatus.DEFERRED]).update(
        status=DeliveryStatus.SKIPPED, skip_reason="expired", claim_token="", claimed_until=None
    )
    _simulate_reading(campaign, clock)
    Campaign.objects.filter(pk=campaign.pk).update(
        status=CampaignStatus.SENT, audience_ready=True, finished_at=finished,
        updated_at=finished,
    )  # fmt: skip


def _consented_then(ready: list[Delivery], now: dt.datetime) -> list[Delivery]:
    """The gates read today's consents; history must also respect when they were given:
    someone who signed up after the send is skipped, as the sender would have then."""
    given = set(
        Consent.objects.filter(
            person_id__in=[d.person_id for d in ready],
            purpose=MessagePurpose.EMAIL_MARKETING,
            granted_at__lte=now,
        ).values_list("person_id", flat=True)
    )
    later = [d.pk for d in ready if d.person_id not in given]
    if later:
        Delivery.objects.filter(pk__in=later).update(
            status=DeliveryStatus.SKIPPED, skip_reason="no_consent", claim_token="",
            claimed_until=None, subject="", html_body="", text_body="",
            decisions=[{"check": "consent", "passed": False, "at": "send",
                        "text": "No consent to email marketing yet when the campaign went out."}],
        )  # fmt: skip
    return [d for d in ready if d.person_id in given]


def _simulate_reading(campaign: Campaign, clock: dt.datetime) -> None:
    """Opens and clicks as the tracking endpoints record them, at seeded times."""
    rng = random.Random(7)  # noqa: S311 - demo data, not security
    sent = (
        Delivery.objects.filter(campaign=campaign, status=DeliveryStatus.SENT)
        .select_related("person", "variant").order_by("pk")
    )  # fmt: skip
    for delivery in sent:
        if delivery.sent_at is None:  # marked sent above, so never; for the type checker
            continue
        label = delivery.variant.label if delivery.variant else "A"
        if rng.random() >= OPEN_RATE.get(label, 0.4):
            continue
        opened: dt.datetime = min(
            delivery.sent_at + dt.timedelta(minutes=rng.randint(5, 60 * 48)), clock
        )
        fields = {"opened_at": opened}
        record_activity(
            delivery.person, ActivityKind.EMAIL, occurred_at=opened,
            channel=ActivityChannel.EMAIL, direction=Direction.INBOUND,
            subject=f"Opened “{delivery.subject}”"[:255],
            data={"event": "open", "delivery": delivery.pk}, ref=f"delivery:{delivery.pk}",
            automated=delivery.automated,
        )  # fmt: skip
        if rng.random() < CLICK_SHARE:
            clicked: dt.datetime = min(opened + dt.timedelta(seconds=rng.randint(10, 600)), clock)
            fields["clicked_at"] = clicked
            url = "https://kettleandcrow.example/shop/small-lots"
            record_activity(
                delivery.person, ActivityKind.EMAIL, occurred_at=clicked,
                channel=ActivityChannel.EMAIL, direction=Direction.INBOUND,
                subject=f"Clicked a link in “{delivery.subject}”"[:255],
                data={"event": "click", "delivery": delivery.pk, "url": url},
                ref=f"delivery:{delivery.pk}", automated=delivery.automated,
            )  # fmt: skip
        Delivery.objects.filter(pk=delivery.pk).update(**fields)


# -- follow-ups of detractors ------------------------------------------------------------


def seed_follow_ups(clock: dt.datetime) -> tuple[int, int]:
    """Close the loop on the last weeks' detractors; Tom has called the older ones.
    Returns (done, open)."""
    survey = Survey.objects.filter(name=NPS_SURVEY).first()
    tom = Associate.objects.filter(username=BARISTA).first()
    if survey is None or tom is None:
        return 0, 0
    if Task.objects.filter(reason__contains=survey.name).exists():
        return 0, 0
    responses = list(
        SurveyResponse.objects.filter(
            survey=survey, score__lte=6, answered_at__gte=clock - dt.timedelta(FOLLOW_UP_DAYS)
        ).select_related("person", "survey").order_by("-answered_at", "-pk")[:FOLLOW_UPS]
    )[::-1]  # fmt: skip
    keep_open = max(1, round(len(responses) * OPEN_SHARE)) if len(responses) > 1 else 0
    rng = random.Random(48)  # noqa: S311 - demo data, not security
    done = 0
    for k, response in enumerate(responses):
        before = set(Task.objects.filter(person=response.person).values_list("pk", flat=True))
        close_the_loop(response)
        made = Task.objects.filter(person=response.person).exclude(pk__in=before)
        made.update(created_at=response.answered_at, updated_at=response.answered_at)
        if k >= len(responses) - keep_open:
            continue
        called = min(response.answered_at + dt.timedelta(hours=rng.randint(3, 40)), clock)
        for task in made:
            finish_task(task, actor=tom, notes=_CALL_NOTES[k % len(_CALL_NOTES)])
            Task.objects.filter(pk=task.pk).update(completed_at=called, updated_at=called)
            done += 1
    return done, len(responses) - done


_CALL_NOTES = (
    "Called: the bag arrived crushed. Sent a fresh one, no charge.",
    "Called: found the roast too dark. Suggested the Huila; they will try it.",
    "Left a message, then they called back: the subscription skipped a month by mistake. Fixed.",
    "Called: the grind was too fine for their French press. Re-ground and explained.",
)


def seed_proof(owner_username: str, zone: Any) -> None:
    """Ideas, the sent campaign and the detractor follow-ups (idempotent)."""
    owner = Associate.objects.filter(username=owner_username).first()
    if owner is None:
        return
    clock = demo_clock()
    with transaction.atomic():
        seed_ideas(owner, clock)
    with transaction.atomic():
        seed_campaign(owner, clock, zone)
    with transaction.atomic():
        seed_follow_ups(clock)
    # The cross-sell campaign to "bought beans, never a grinder", and the basket rules.
    from .cross_sell import seed_cross_sell

    seed_cross_sell(owner, clock, zone)
    seed_profiling_refusal(owner, clock - dt.timedelta(days=9))


def seed_profiling_refusal(owner: Associate, when: dt.datetime) -> None:
    """One regular customer who asked not to be profiled: their page shows no scores and
    says why (idempotent: once). A customer from the middle of the revenue ranking, as a
    typical refusal would be, not a wholesale account whose absence moves the models."""
    if profiling.declined().exists():
        return
    scored = (
        Person.objects.filter(score__isnull=False, email__isnull=False)
        .exclude(email="")
        .order_by("-score__revenue", "pk")
    )
    person = scored[scored.count() // 2] if scored.exists() else None
    if person is not None:
        profiling.decline(
            person, actor=owner,
            words="Asked by phone that their purchases not be analysed or used to "
                  "personalise offers.",
            at=when,
        )  # fmt: skip
