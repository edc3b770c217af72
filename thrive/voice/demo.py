"""The demo's voice of the customer: what some NPS answers said in words, one idea asked
twice, and the themes computed from them (so ``/voice/themes/`` has something to show)."""

from __future__ import annotations

import random
from typing import Any

from django.db.models import Q

from .models import Idea, SurveyResponse, ThemeRun
from .themes_runs import compute_themes

# Comments by how the customer scored us: detractors (0–6), passives (7–8), promoters.
DETRACTOR = [
    "My order took ten days to arrive and the tracking never updated.",
    "Shipping was slow again; the parcel arrived late and the beans were no longer fresh.",
    "The courier lost my parcel and I had to chase the delivery twice.",
    "Too expensive now; the price of a 12 oz bag went up again.",
    "Price plus shipping cost makes it too expensive for every week.",
    "I could not find how to pause my subscription and was charged while on holiday.",
    "Cancelling the subscription online is impossible, I had to email twice.",
    "The bag arrived torn and coffee beans spilled all over the box.",
    "The dark roast tasted burnt and bitter this time.",
    "Nobody answered my email about a wrong grind for a week.",
]
PASSIVE = [
    "Good coffee but delivery takes a while to reach me.",
    "Nice beans; I would like to skip a subscription delivery more easily.",
    "Tasty roast, though the price is a bit high.",
    "Please use less plastic in the packaging; the bag valve is plastic.",
    "Decent coffee; could you add tasting notes for each roast?",
    "Can I pause the subscription while I travel next month?",
    "Fine, but the grind was too coarse for my espresso machine.",
]
PROMOTER = [
    "The Ethiopian roast tastes amazing, bright and so fresh.",
    "Best coffee in town; the espresso blend is rich and chocolatey.",
    "Fresh beans with wonderful flavour every single time.",
    "Delivery is fast, it arrived the day after roasting.",
    "Love the compostable bags, the packaging looks beautiful.",
    "The subscription is brilliant, fresh coffee every two weeks and pausing is easy.",
    "Tom at the café gave me great advice on grinders; lovely service.",
    "Maya answered my email within an hour and sorted everything. Fantastic service.",
    "Great value for the quality; worth every penny.",
]
# About this many answers get a comment, whatever the size of the demo.
COMMENTS_WANTED = 80
# An idea a customer posted again in other words: the themes page flags it for merging.
DUPLICATE_IDEA = ("Oat milk option at the café", "Please add oat milk at the café bar for lattes.")


def _comment(rng: random.Random, score: int) -> str:
    bank = DETRACTOR if score <= 6 else PASSIVE if score <= 8 else PROMOTER
    return rng.choice(bank)


def seed_demo(owner: Any = None) -> int:
    """Comments on some demo NPS answers, the duplicate idea and a first themes run
    (idempotent: nothing is added once a run exists). Returns the messages read."""
    if ThemeRun.objects.exists():
        return 0
    rng = random.Random(19)  # noqa: S311 - demo data, not security
    answers = list(
        SurveyResponse.objects.filter(comment="").order_by("-answered_at", "-pk")
        .values_list("pk", "score")[:600]
    )  # fmt: skip
    share = min(1.0, COMMENTS_WANTED / max(len(answers), 1))
    chosen = [a for a in answers if rng.random() < share]
    for pk, score in chosen:
        SurveyResponse.objects.filter(pk=pk).update(comment=_comment(rng, score))
    original = Idea.objects.filter(Q(title__icontains="oat milk"), merged_into__isnull=True).first()
    if original is not None and not Idea.objects.filter(title=DUPLICATE_IDEA[0]).exists():
        Idea.objects.create(title=DUPLICATE_IDEA[0], body=DUPLICATE_IDEA[1],
                            author=original.author)  # fmt: skip
    run = ThemeRun.objects.create()
    return compute_themes(run.pk).message_count
