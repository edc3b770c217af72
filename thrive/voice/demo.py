"""The demo's voice of the customer: what some NPS answers said in words, one idea asked
twice, and the themes computed from them (so ``/voice/themes/`` has something to show)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db.models import Max, Q
from django.utils import timezone

from thrive.commerce.models import Order
from thrive.contacts.models import Activity, ActivityChannel, ActivityKind, Direction

from .models import Idea, SurveyResponse, ThemeRun, Vote
from .themes_runs import compute_themes

# Comments by how the customer scored us: detractors (0–6), passives (7–8), promoters.
DETRACTOR = [
    "My order took ten days to arrive and the tracking never updated.",
    "Shipping was slow again; the parcel arrived late and the beans were no longer fresh.",
    "The courier lost my parcel and I had to chase the delivery twice.",
    "Delivery was three days late and nobody told me why.",
    "Parcel marked as delivered but it never arrived at my door.",
    "Too expensive now; the price of a 12 oz bag went up again.",
    "Price plus shipping cost makes it too expensive to order every week.",
    "The new prices are high for such small bags; poor value.",
    "I could not find how to pause my subscription and was charged while on holiday.",
    "Cancelling the subscription online is impossible, I had to email twice.",
    "My subscription renewed without any reminder email.",
    "The bag arrived torn and coffee beans spilled all over the box.",
    "The box was crushed and the bag split open in transit.",
    "The dark roast tasted burnt and bitter this time.",
    "This batch tasted stale and flat compared with the last bag.",
    "Nobody answered my email about a wrong grind for a week; poor customer service.",
]
PASSIVE = [
    "Good coffee but delivery takes a while to reach me.",
    "Could you offer a Saturday delivery slot?",
    "Nice beans; I would like to skip a subscription delivery more easily.",
    "Can I pause the subscription while I travel next month?",
    "Please let me change the grind on my subscription online.",
    "Tasty roast, though the price is a bit high.",
    "Do you offer a discount for buying bigger bags?",
    "Please use less plastic in the packaging; the bag valve is plastic.",
    "Could the packaging come in a smaller box?",
    "Decent coffee; could you add tasting notes for each roast?",
    "I would like a lighter roast with more fruity flavour.",
    "Is there a phone number for customer service?",
]
PROMOTER = [
    "The Ethiopian roast tastes amazing, bright and so fresh.",
    "Best coffee in town; the espresso blend is rich and chocolatey.",
    "Fresh beans with wonderful flavour every single time.",
    "Delicious decaf that actually tastes like real coffee.",
    "Delivery is fast, it arrived the day after roasting.",
    "Quick shipping and the tracking link is great.",
    "Love the compostable bags, the packaging looks beautiful.",
    "Recyclable packaging and a handwritten note; lovely touch.",
    "The subscription is brilliant, fresh coffee every two weeks and pausing is easy.",
    "Skipping a month of my subscription took one click.",
    "Tom at the café gave me great advice on grinders; lovely service.",
    "Maya answered my email within an hour and sorted everything. Fantastic service.",
    "Friendly, helpful staff at the café every time.",
    "Great value for the quality; worth every penny.",
    "Fair price for freshly roasted coffee, and the subscription discount is generous.",
]
# About this many answers get a comment, whatever the size of the demo.
COMMENTS_WANTED = 80
# An idea a customer posted again in other words: the themes page flags it for merging.
DUPLICATE_IDEA = ("Oat milk option at the café", "Please add oat milk at the café bar for lattes.")


def _comment(rng: random.Random, score: int, used: dict[str, int]) -> str:
    """A comment that fits the score, the least used of its kind first (people rarely
    write the very same sentence)."""
    bank = DETRACTOR if score <= 6 else PASSIVE if score <= 8 else PROMOTER
    fewest = min(used.get(text, 0) for text in bank)
    text = rng.choice([t for t in bank if used.get(t, 0) == fewest])
    used[text] = used.get(text, 0) + 1
    return text


def _demo_clock() -> dt.datetime:
    """The demo's "now": the end of its history (a demo may be built as of a past day and
    nothing it records may come after it), never later than the real now."""
    last = (
        Order.objects.aggregate(last=Max("ordered_at"))["last"]
        or Activity.objects.aggregate(last=Max("occurred_at"))["last"]
    )
    now = timezone.now()
    return min(last, now) if last else now


def seed_demo(owner: Any = None) -> int:
    """Comments on some demo NPS answers, the duplicate idea and a first themes run
    (idempotent: nothing is added once a run exists). Returns the messages read."""
    if ThemeRun.objects.exists():
        return 0
    rng = random.Random(19)  # noqa: S311 - demo data, not security
    clock = _demo_clock()
    answers = list(
        SurveyResponse.objects.filter(comment="").order_by("-answered_at", "-pk")
        .values_list("pk", "score")[:600]
    )  # fmt: skip
    share = min(1.0, COMMENTS_WANTED / max(len(answers), 1))
    chosen = [a for a in answers if rng.random() < share]
    used: dict[str, int] = {}
    for pk, score in chosen:
        SurveyResponse.objects.filter(pk=pk).update(comment=_comment(rng, score, used))
    original = Idea.objects.filter(Q(title__icontains="oat milk"), merged_into__isnull=True).first()
    if original is not None and not Idea.objects.filter(title=DUPLICATE_IDEA[0]).exists():
        # A voter of the first idea who did not see it and asked again in other words.
        voter = Vote.objects.filter(idea=original).exclude(person=original.author).first()
        if voter is not None:
            at = clock - dt.timedelta(days=6)
            idea = Idea.objects.create(title=DUPLICATE_IDEA[0], body=DUPLICATE_IDEA[1],
                                       author=voter.person, created_at=at)  # fmt: skip
            Vote.objects.create(idea=idea, person=voter.person, created_at=at)
            # On the customer's timeline, as the idea board writes it.
            Activity.objects.create(
                person=voter.person, kind=ActivityKind.IDEA_VOTE, occurred_at=at,
                channel=ActivityChannel.WEB, direction=Direction.INBOUND,
                subject=f"Suggested “{idea.title}”"[:255],
                data={"idea": idea.pk, "action": "submitted", "importance": "nice"},
                ref=f"idea:{idea.pk}",
            )  # fmt: skip
    run = ThemeRun.objects.create()
    return compute_themes(run.pk, now=clock).message_count
