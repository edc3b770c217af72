"""The demo roaster's FAQ: the questions its customers ask most, as published articles."""

from __future__ import annotations

from typing import Any

from .models import Article
from .services import create_article

# (title, category, body)
ARTICLES: list[tuple[str, str, str]] = [
    (
        "How long does shipping take?",
        "Shipping",
        """
We roast on Monday, Wednesday and Friday and ship the same afternoon, so your coffee
leaves us at most two days after it is roasted.

- **Standard shipping** (free over $35): 2–4 business days.
- **Express shipping**: next business day if you order before noon.
- **Local pickup** at the café: ready from 2 pm on roast days.

Every order gets a tracking link by email when the label is printed. If your parcel has
not moved for three business days, reply to that email and we will chase the carrier or
send a new bag.
""",
    ),
    (
        "Which grind size should I choose?",
        "Brewing",
        """
Grind for the way you brew. When in doubt, buy whole beans and grind just before
brewing: ground coffee loses its aroma within days.

| Brewer | Grind |
|---|---|
| Espresso | Fine, like powdered sugar |
| AeroPress, moka pot | Fine to medium |
| Pour-over (V60, Chemex) | Medium, like sea salt |
| Drip machine | Medium |
| Cafetière (French press), cold brew | Coarse, like breadcrumbs |

If your coffee tastes sour or thin, grind finer; bitter or harsh, grind coarser.
""",
    ),
    (
        "How do I pause or skip my subscription?",
        "Subscriptions",
        """
You can skip a delivery or pause your subscription at any time, without a fee.

1. Open the link in any delivery email, or sign in at our shop.
2. Choose **Manage subscription**.
3. Pick **Skip next delivery** (one shipment) or **Pause** (choose a date to restart).

Changes made before 9 am on a roast day apply to that day's shipment. To change the
roast, the grind or the bag size, use the same page. Cancelling is one click too, and we
will ask (once) what we could do better.
""",
    ),
    (
        "Returns and refunds",
        "Orders",
        """
If something is wrong with your order — a damaged bag, the wrong grind, or a coffee you
simply did not enjoy — tell us within 30 days and we will replace it or refund you.

- Coffee does not need to be sent back; a photo of a damaged parcel helps.
- Equipment (grinders, brewers) can be returned unused within 30 days for a full refund.
- Refunds go back to the original payment method within 5 business days.

Reply to your order confirmation email, or write to us, and a person will answer the
same day.
""",
    ),
    (
        "Brewing ratios: how much coffee for how much water?",
        "Brewing",
        """
A good starting point is **1 gram of coffee to 16 grams of water** (1:16).

- One mug (250 ml): 15–16 g of coffee, about 3 tablespoons.
- A 1 litre cafetière: 60–65 g of coffee.
- Espresso: 18 g in, about 36 g out, in 25–30 seconds.
- Cold brew concentrate: 1:8, steeped 16–18 hours in the fridge, then diluted 1:1.

Use water just off the boil (92–96 °C). For a stronger cup use more coffee rather than a
longer brew.
""",
    ),
    (
        "Wholesale coffee for cafés and offices",
        "Wholesale",
        """
We supply cafés, restaurants and offices with freshly roasted coffee in 1 kg and 5 lb bags.

- Wholesale prices from 5 kg a month, with free delivery over 10 kg.
- A house espresso blend, a seasonal single origin and Swiss-water decaf.
- Barista training for your team when you start, and equipment advice.

Ask for a wholesale account and a free sample box: tell us roughly how many cups you
serve a week and how you brew.
""",
    ),
    (
        "How should I store my coffee?",
        "Brewing",
        """
Keep beans in their bag (the one-way valve lets gas out and keeps air out), sealed, at room
temperature and away from light. Do not keep coffee in the fridge: it picks up moisture
and smells.

Coffee is at its best from 4 to 30 days after roasting; every bag shows its roast date.
If you buy in bulk, freeze unopened bags and thaw one at a time.
""",
    ),
]


def seed_demo(owner: Any = None) -> int:
    """Publish the FAQ once (idempotent); returns the number of articles made."""
    if Article.objects.exists():
        return 0
    for title, category, body in ARTICLES:
        create_article(actor=None, title=title, category=category, body=body.strip(),
                       published=True)  # fmt: skip
    return len(ARTICLES)
