"""The finishing touches of the demo: the business's name, a few useful segments, the
first scores and the ready-made automations of journey step 5 (see :mod:`.journey`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from importlib import import_module
from zoneinfo import ZoneInfo

from thrive.accounts.models import Business
from thrive.analytics.models import CustomerScore, DashboardSnapshot
from thrive.analytics.refresh import run_refresh
from thrive.automations.engine import CURSOR
from thrive.automations.models import EngineCursor
from thrive.contacts.models import Activity
from thrive.core.bulk import analyze_after_bulk_write
from thrive.segments.models import Segment
from thrive.segments.services import create_segment

from . import catalog
from .proof import seed_proof

# Saved segments a roaster would keep; they show what segments are for on the first visit.
SEGMENTS = [
    (
        "Valuable customers slipping away",
        "Spent over $300 and are unlikely to buy again without a personal nudge.",
        {"match": "all", "rules": [
            {"field": "orders_amount", "op": "gte", "value": 300},
            {"field": "churn_risk", "op": "in", "value": ["high", "medium"]},
        ]},
    ),
    (
        "Champions",
        "Bought recently, buy often and spend the most.",
        {"match": "all", "rules": [{"field": "rfm_segment", "op": "in", "value": ["champions"]}]},
    ),
    (
        "Subscribers and wholesale",
        "Everyone on a subscription or buying wholesale.",
        {"match": "any", "rules": [
            {"field": "tag", "op": "has", "value": "subscriber"},
            {"field": "tag", "op": "has", "value": "wholesale"},
        ]},
    ),
]  # fmt: skip


# Apps with a ``demo.seed_demo(owner_username)`` run after the journey is built.
DEMO_APPS = (
    "growth",
    "bookings",
    "prospects",
    "webhooks",
    "commerce",
    "leadforms",
    "digests",
    "helpcentre",
    "service",
    # After the inbox, so the themes read its customers' emails too.
    "voice",
)


def _quiet(line: str) -> None:
    pass


def finish_demo(owner: str = "maya", say: Callable[[str], None] = _quiet) -> None:
    """Name the business, save the demo's segments, start the automation engine's
    reading after the demo's history, score the customers and switch on the demo's
    automations (idempotent). ``say`` hears a line as each stage starts (seconds each)."""
    started = time.monotonic()

    def stage(text: str) -> None:
        say(f"  {text}… ({time.monotonic() - started:.0f} s)")

    business = Business.objects.order_by("pk").first() or Business()
    business.name = catalog.BUSINESS_NAME
    business.website = f"https://{catalog.BUSINESS_DOMAIN}"
    # What the owner would set on the settings page first (the environment still wins
    # where it sets them): the zone, the currency, a colour and who emails come from. The
    # public address is left to the owner (it follows the served address until then).
    business.time_zone = catalog.BUSINESS_TIME_ZONE
    business.currency = "USD"
    business.brand_colour = business.brand_colour or "#7c4a2d"
    business.sender_name = business.sender_name or catalog.BUSINESS_NAME
    business.sender_email = business.sender_email or f"hello@{catalog.BUSINESS_DOMAIN}"
    business.save()

    for name, description, rules in SEGMENTS:
        if not Segment.objects.filter(name=name).exists():
            create_segment(actor=None, name=name, rules=rules, description=description)

    # Scores (with the dashboard, as the worker computes them on the first visit): the
    # win-back workflow's segment reads them, and its first check must see who is
    # already slipping away, or the first scoring would enrol all of them at once.

    if not DashboardSnapshot.objects.exists():
        stage("Scoring the customers and computing the dashboard")
        run_refresh()
        # The win-back segment below reads the scores just written.
        analyze_after_bulk_write(CustomerScore)

    from .journey import build_journey

    before = Activity.objects.order_by("-id").values_list("id", flat=True).first() or 0
    stage("Writing the journey: workflows, emails, tasks and first win-backs")
    build_journey(owner)
    stage("Writing what the journey already did: ideas, a sent campaign, follow-ups")
    seed_proof(owner, ZoneInfo(catalog.BUSINESS_TIME_ZONE))
    # Each app that shows something in the demo seeds it itself (goals, partners, …).
    stage("Adding goals, strategy sessions, partners and webhooks")
    for app in DEMO_APPS:
        import_module(f"thrive.{app}.demo").seed_demo(owner)

    last = Activity.objects.order_by("-id").values_list("id", flat=True).first() or 0
    if last != before:
        # The dashboard the owner first sees includes what the seeds added (NPS answers,
        # the partner café's clients); finishing again adds nothing and refreshes nothing.
        stage("Refreshing the dashboard with what they added")
        run_refresh()

    # The history (the apps' seeds included) is what already happened; workflows react to
    # what happens next.
    EngineCursor.objects.update_or_create(name=CURSOR, defaults={"last_activity_id": last})
