"""The demo's assessment, journey map, roadmap and playbook: Maya's SWOT, two competitors
on a strategy canvas, four months of cash, the resource checklist and her differentiation
strategy; the journey found in the demo timeline; the most-voted idea turned into an
experiment; the winning win-back test scaled into a playbook that Tom follows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from thrive.automations.models import Workflow
from thrive.outreach.models import EmailTemplate
from thrive.segments.models import Segment

from . import assessment_services as assess
from . import playbook_services, services
from .assessment_queries import cash_in_by_month
from .journey_services import refresh_journey_map
from .models import (
    Experiment,
    ExperimentStatus,
    JourneyMap,
    Playbook,
    SwotItem,
)
from .roadmap_queries import candidate_ideas
from .roadmap_services import idea_to_experiment

SWOT = [
    ("strength", "Beans roasted in the shop every week: the freshest in town"),
    ("strength", "Tom and the baristas know regulars by name"),
    ("weakness", "Only one roaster: a sick week stops wholesale deliveries"),
    ("weakness", "One-off buyers rarely come back a second time"),
    ("opportunity", "Office coffee subscriptions for the new business park"),
    ("opportunity", "Brewing workshops customers keep asking about"),
    ("threat", "A chain café opened on the high street"),
    ("threat", "Green coffee prices up a fifth this year"),
]
COMPETITORS = [
    ("High Street Chain Café", "Cheap, quick, everywhere; beans roasted months ago."),
    ("BeanBox", "Online subscription, many roasters, no shop and no faces."),
]
# (factor, us, chain, beanbox, action)
FACTORS = [
    ("Price", 4, 8, 6, "reduce"),
    ("Freshness", 9, 3, 6, "raise"),
    ("Personal service", 9, 4, 2, "raise"),
    ("Convenience", 5, 9, 8, "keep"),
    ("Loyalty discounts", 2, 6, 5, "eliminate"),
    ("Brewing education", 7, 1, 3, "create"),
]
RESOURCES = [
    ("skill", "Roasting and cupping", "maya", "have", ""),
    ("skill", "Wholesale selling", "tom", "building", "Tom visits two cafés a week"),
    ("tool", "Roaster (15 kg)", "maya", "have", ""),
    ("tool", "Delivery van", None, "missing", "Renting one on Fridays"),
    ("capacity", "Saturday shop cover", None, "missing", "Needs a second barista"),
]
STEPS = [
    ("Open the “Valuable customers slipping away” list each Monday", "maya"),
    ("Review and send Tom's personal note to each of them", "tom"),
    ("Call the ones who open it but have not ordered within a week", "tom"),
    ("Log what they said on their timeline", "tom"),
]


def _user(username: str | None, fallback: Any) -> Any:
    if username is None:
        return None
    return get_user_model().objects.filter(username=username).first() or fallback


def _assessment(owner: Any, today: dt.date) -> None:
    if SwotItem.objects.exists():
        return
    assess.choose_strategy(
        actor=None,
        stance="differentiation",
        why="We win on freshness and knowing our customers, never on price.",
    )
    for quadrant, text in SWOT:
        assess.add_swot_item(actor=None, quadrant=quadrant, text=text)
    chain, beanbox = (assess.add_competitor(actor=None, name=n, notes=d) for n, d in COMPETITORS)
    for name, us, c1, c2, action in FACTORS:
        factor = assess.add_factor(actor=None, name=name, our_score=us, action=action)
        assess.score_factor(
            factor,
            actor=None,
            our_score=us,
            action=action,
            competitors={chain.pk: c1, beanbox.pk: c2},
        )
    for kind, name, who, status, note in RESOURCES:
        assess.add_resource(
            actor=None, kind=kind, name=name, owner=_user(who, owner), status=status, note=note
        )
    # Four months of cash: out a little above what orders brought in, so a runway shows.
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    cash_in = cash_in_by_month(last)
    on_hand = Decimal(42000)
    months = sorted(cash_in)[-4:]
    for i, month in enumerate(months):
        takings = Decimal(str(round(cash_in[month], 2)))
        out = (takings * Decimal("1.06") + 900 + 150 * i).quantize(Decimal("1"))
        on_hand += takings - out
        assess.save_cash_month(actor=None, month=month, cash_out=out, cash_on_hand=on_hand)


def _roadmap(owner: Any) -> None:
    if Experiment.objects.filter(idea__isnull=False).exists():
        return
    ideas = candidate_ideas(limit=1)
    if ideas:
        idea_to_experiment(ideas[0], actor=None)
    # The opportunity Maya turned into an experiment straight from the SWOT.
    item = SwotItem.objects.filter(quadrant="opportunity").first()
    if item is not None and item.experiment_id is None:
        assess.spawn_experiment(item, actor=None)


def _playbook(owner: Any) -> None:
    if Playbook.objects.exists():
        return
    winback = Experiment.objects.filter(title__startswith="Win-back email").first()
    tom = _user("tom", None)
    if winback is not None and winback.status == ExperimentStatus.MEASURED:
        services.change_experiment_status(
            winback, ExperimentStatus.SCALED, actor=None,
            note="Tom's note beat the code at the planned size: every lapsed regular gets it.",
        )  # fmt: skip
    book = Playbook.objects.filter(experiment=winback).first()
    if book is not None:
        # What runs by itself: the win-back workflow on the slipping-away segment, with
        # Tom's note and the discount email it was tested against.
        playbook_services.link_automation(
            book,
            actor=None,
            workflow=Workflow.objects.filter(name__icontains="win back").first(),
            segment=Segment.objects.filter(name__icontains="slipping").first(),
            templates=list(
                EmailTemplate.objects.filter(name__in=["A note from Tom", "We miss you"])
            ),
        )
        steps = [
            playbook_services.add_step(book, actor=None, text=t, owner=_user(who, owner))
            for t, who in STEPS
        ]
        if tom is not None:
            assignment = playbook_services.assign(book, actor=None, associate=tom)
            for step in steps[:2]:
                playbook_services.tick(assignment, step, actor=None, done=True)
    procedure = playbook_services.create_procedure(
        actor=None,
        title="Onboard a new wholesale café",
        summary="From the first tasting to the first standing order.",
        workflow=Workflow.objects.filter(name__icontains="welcome").first(),
    )
    for text, who in (
        ("Cupping session with the café's staff", "maya"),
        ("Agree the grind and delivery day", "tom"),
        ("First delivery with a handwritten card", "tom"),
    ):
        playbook_services.add_step(procedure, actor=None, text=text, owner=_user(who, owner))


def seed_planning(owner: Any, today: dt.date) -> None:
    _assessment(owner, today)
    _roadmap(owner)
    _playbook(owner)
    if not JourneyMap.objects.exists():
        refresh_journey_map()
