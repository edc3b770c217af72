"""`thrive demo` builds a believable, consistent business, the same one for the same seed."""

from __future__ import annotations

import datetime as dt
import io
import ipaddress
import stat
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Min, Sum
from django.test import override_settings

from thrive.accounts.models import Associate, Business
from thrive.analytics.models import CustomerScore
from thrive.commerce.models import (
    Deal,
    DealStage,
    MarketingSpend,
    Order,
    OrderStatus,
    Subscription,
)
from thrive.contacts.models import (
    AcquisitionChannel,
    Activity,
    Consent,
    Person,
    PersonRole,
    PersonTag,
    Referral,
    StageChange,
    Tag,
    validate_custom_fields,
)
from thrive.demo import build, catalog
from thrive.prospects.demo import REFERRALS

PEOPLE, SEED, AS_OF = 600, 7, "2026-06-30"
END = dt.datetime(2026, 6, 30, tzinfo=dt.UTC)
DOC_NETWORKS = [
    ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
]


@dataclass
class Demo:
    data_dir: Path
    first_output: str
    second_output: str
    first: dict[str, Any]
    second: dict[str, Any]


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Demo]:
    """Build, fingerprint, rebuild from scratch with --reset, fingerprint again."""
    data_dir = tmp_path_factory.mktemp("demo-data")
    args = [f"--people={PEOPLE}", f"--seed={SEED}", f"--as-of={AS_OF}", "--no-progress"]
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as the shared conftest does
    with django_db_blocker.unblock(), override_settings(DATA_DIR=data_dir, PASSWORD_HASHERS=fast):
        first_output = _run(*args)
        first = build.fingerprint()
        second_output = _run(*args, "--reset")
        second = build.fingerprint()
        yield Demo(data_dir, first_output, second_output, first, second)
        build.flush_business_data()
        Business.objects.all().delete()
        with connection.cursor() as cursor:  # the ORM delete would visit every related app
            table = Associate._meta.db_table
            marks = ", ".join(["%s"] * len(build.DEMO_USERNAMES))
            cursor.execute(
                f"DELETE FROM {table} WHERE username IN ({marks})",  # noqa: S608
                build.DEMO_USERNAMES,
            )


pytestmark = pytest.mark.django_db


def test_the_same_seed_and_date_build_the_same_business(demo: Demo) -> None:
    # The generated population plus the people the partner café introduced via its portal.
    assert demo.first["counts"]["contacts.Person"] == PEOPLE + len(REFERRALS)
    assert demo.first["counts"]["commerce.Order"] > PEOPLE // 2
    assert demo.first == demo.second


def test_the_owner_gets_a_fresh_password_saved_for_them_alone(demo: Demo) -> None:
    path = demo.data_dir / "demo-signin.txt"
    line = path.read_text().strip()
    assert line in demo.second_output
    assert line.startswith("Sign in as maya / ")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    password = line.rsplit(" ", 1)[1]
    assert password not in demo.first_output  # the rebuild chose a new one
    assert authenticate(username="maya", password=password) is not None
    others = Associate.objects.filter(username__in=build.DEMO_USERNAMES).exclude(username="maya")
    assert not any(a.has_usable_password() for a in others)


def test_running_again_prints_the_saved_sign_in_and_builds_nothing(demo: Demo) -> None:
    before = Activity.objects.count()
    started = time.monotonic()
    with override_settings(DATA_DIR=demo.data_dir):
        output = _run(f"--people={PEOPLE}")
    assert time.monotonic() - started < 5
    assert (demo.data_dir / "demo-signin.txt").read_text().strip() in output
    assert Activity.objects.count() == before


def test_staff_are_people_with_linked_accounts_in_their_roles(demo: Demo) -> None:
    accounts = {a.username: a for a in Associate.objects.filter(username__in=build.DEMO_USERNAMES)}
    assert len(accounts) == 8
    assert (accounts["maya"].role, accounts["tom"].role, accounts["sam"].role) == (
        "owner",
        "member",
        "read_only",
    )
    assert (accounts["maya"].first_name, accounts["maya"].last_name) == ("Maya", "Okafor")
    for account in accounts.values():
        assert account.person is not None
        assert account.person.roles.filter(role="associate").exists()


def test_every_relationship_role_is_present(demo: Demo) -> None:
    roles = dict(PersonRole.objects.values_list("role").annotate(n=Count("id")))
    assert roles["associate"] == 8 and roles["vendor"] >= 6 and roles["partner"] >= 6
    assert roles["referral_partner"] >= 3
    stages = dict(Person.objects.values_list("stage").annotate(n=Count("id")))
    assert set(stages) == {"suspect", "prospect", "client", "advocate", "lost"}
    assert not Person.objects.filter(roles__role__in=["vendor", "partner"], organization=None)


def test_no_order_comes_before_the_first_contact(demo: Demo) -> None:
    for ordered_at, first_seen in Order.objects.values_list("ordered_at", "person__first_seen_at"):
        assert ordered_at >= first_seen


def test_nothing_happens_after_the_as_of_date(demo: Demo) -> None:
    assert Order.objects.aggregate(m=Min("ordered_at"))["m"] >= END - dt.timedelta(days=914)
    for model, field in (
        (Order, "ordered_at"),
        (Activity, "occurred_at"),
        (StageChange, "changed_at"),
        (Person, "first_seen_at"),
    ):
        assert not model.objects.filter(**{f"{field}__gte": END}).exists()


def test_everyone_with_an_order_is_a_client_an_advocate_or_lost(demo: Demo) -> None:
    buyers = Person.objects.filter(orders__isnull=False).distinct()
    assert buyers.count() > 100
    assert not buyers.exclude(stage__in=["client", "advocate", "lost"]).exists()


def test_nobody_is_a_client_or_advocate_without_an_order(demo: Demo) -> None:
    assert not Person.objects.filter(stage__in=["client", "advocate"], orders__isnull=True)


def _histories() -> dict[int, list[StageChange]]:
    histories: dict[int, list[StageChange]] = defaultdict(list)
    for change in StageChange.objects.order_by("person_id", "changed_at", "id"):
        histories[change.person_id].append(change)
    return histories


def test_stage_history_is_a_chain_ending_in_the_current_stage(demo: Demo) -> None:
    histories = _histories()
    people = Person.objects.exclude(roles__role="associate")  # staff have no funnel history
    for person_id, stage, first_seen in people.values_list("id", "stage", "first_seen_at"):
        history = histories[person_id]
        assert history[0].from_stage == "" and history[0].changed_at == first_seen
        for before, after in zip(history, history[1:], strict=False):
            assert after.from_stage == before.to_stage != after.to_stage
        assert history[-1].to_stage == stage


def test_stage_history_reaches_client_at_or_before_the_first_order(demo: Demo) -> None:
    histories = _histories()
    first_orders = Order.objects.values("person_id").annotate(first=Min("ordered_at"))
    for row in first_orders:
        history = histories[row["person_id"]]
        became = [c for c in history if c.to_stage == "client"]
        assert became and became[0].changed_at <= row["first"]
        assert became[0].cause == "order"
        lost = [c for c in history if c.to_stage == "lost"]
        assert all(c.changed_at > row["first"] for c in lost)


def test_every_stage_change_has_its_timeline_entry(demo: Demo) -> None:
    changes = StageChange.objects.values_list("person_id", "changed_at", "to_stage", "cause")
    entries = Activity.objects.filter(kind="stage_change").values_list(
        "person_id", "occurred_at", "data__to", "data__cause"
    )
    assert sorted(changes) == sorted(entries)
    automated = Activity.objects.filter(kind="stage_change", automated=True).count()
    assert automated == StageChange.objects.filter(cause="automation").count()


def test_every_order_is_on_the_timeline_and_adds_up(demo: Demo) -> None:
    refs = set(
        Activity.objects.filter(kind="order", direction="inbound").values_list("ref", flat=True)
    )
    orders = Order.objects.annotate(lines_total=Sum("lines__line_total"))
    assert orders.exists()
    for order in orders:
        assert f"order:{order.pk}" in refs
        assert order.total == order.lines_total > 0
        assert Decimal(0) <= order.refunded <= order.total
        if order.status == OrderStatus.REFUNDED:
            assert order.refunded == order.total
        elif order.status == OrderStatus.PARTIALLY_REFUNDED:
            assert 0 < order.refunded < order.total
        else:
            assert order.refunded == 0
    assert {"online", "in_store", "wholesale", "subscription"} <= set(
        Order.objects.values_list("channel", flat=True)
    )
    assert set(Order.objects.values_list("currency", flat=True)) == {"USD", "CAD"}


def test_referrers_were_clients_or_referral_partners_when_they_referred(demo: Demo) -> None:
    histories = _histories()
    partners = dict(
        PersonRole.objects.filter(role="referral_partner").values_list("person_id", "since")
    )
    referrals = list(Referral.objects.all())
    assert len(referrals) > 20
    for referral in referrals:
        if referral.referrer_id in partners:
            assert partners[referral.referrer_id] <= referral.referred_at.date()
            continue
        before = [c for c in histories[referral.referrer_id] if c.changed_at < referral.referred_at]
        assert before and before[-1].to_stage in {"client", "advocate"}
        referred = Person.objects.get(pk=referral.referred_id)
        assert referred.acquisition_channel.slug == "referral"
        assert referred.first_seen_at == referral.referred_at


def test_marketing_spend_is_booked_per_paid_channel_per_month(demo: Demo) -> None:
    paid = list(AcquisitionChannel.objects.filter(is_paid=True))
    assert {c.slug for c in paid} == {"paid_search", "social_ads", "events"}
    start = dt.date(2023, 12, 30)
    months = {
        dt.date(start.year + (start.month - 1 + k) // 12, (start.month - 1 + k) % 12 + 1, 1)
        for k in range(31)
    }
    months = {m for m in months if m < dt.date(2026, 7, 1)}
    for channel in paid:
        booked = set(MarketingSpend.objects.filter(channel=channel).values_list("month", flat=True))
        assert booked == months
    assert not MarketingSpend.objects.filter(amount__lte=0).exists()
    assert not MarketingSpend.objects.exclude(channel__is_paid=True).exists()


def test_consents_carry_their_evidence(demo: Demo) -> None:
    # One regular customer declined profiling by phone: no score anywhere for them.
    [refusal] = Consent.objects.filter(purpose="profiling")
    assert refusal.method == "verbal" and refusal.withdrawn_at == refusal.granted_at
    assert not CustomerScore.objects.filter(person=refusal.person_id).exists()
    assert refusal.person.orders.exists()
    consents = list(Consent.objects.exclude(purpose="profiling"))
    assert consents
    for consent in consents:
        assert consent.purpose == "email_marketing"
        assert consent.method in {"web_form", "checkout"} and consent.source_text
        assert any(ipaddress.ip_address(consent.ip_address) in net for net in DOC_NETWORKS)
        if consent.withdrawn_at is not None:
            assert consent.withdrawn_at >= consent.granted_at
            assert consent.withdrawal_method in {"unsubscribe", "preference_center"}
    assert Consent.objects.filter(method="checkout").exists()
    # Customers become prospects by signing up; partner cafés by opening a wholesale deal.
    unsigned = Person.objects.filter(stage="prospect", consents__isnull=True)
    assert not unsigned.exclude(roles__role="partner").exists()


def test_custom_fields_and_tags_are_valid(demo: Demo) -> None:
    with_fields = Person.objects.exclude(custom_fields={})
    assert with_fields.count() > 20
    for values in with_fields.values_list("custom_fields", flat=True):
        assert validate_custom_fields("person", values) == values
    assert set(Tag.objects.values_list("name", flat=True)) >= {n for n, _ in catalog.TAGS}
    tagged = dict(PersonTag.objects.values_list("tag__name").annotate(n=Count("id")))
    assert {"subscriber", "farmers market", "gift buyer", "espresso lover"} <= set(tagged)
    wholesale = PersonTag.objects.filter(tag__name="wholesale").values_list("person", flat=True)
    assert set(wholesale) <= set(
        PersonRole.objects.filter(role="partner").values_list("person", flat=True)
    )


def test_subscriptions_renew_monthly_until_they_end(demo: Demo) -> None:
    subscriptions = list(Subscription.objects.all())
    assert subscriptions
    for sub in subscriptions:
        assert sub.ended_on is None or sub.ended_on >= sub.started_on
        renewals = Order.objects.filter(person=sub.person, channel="subscription")
        assert renewals.exists()
        for ordered_at in renewals.values_list("ordered_at", flat=True):
            assert ordered_at.date() >= sub.started_on - dt.timedelta(days=1)
            assert sub.ended_on is None or ordered_at.date() <= sub.ended_on + dt.timedelta(days=1)


def test_the_wholesale_pipeline_has_deals_in_every_stage(demo: Demo) -> None:
    assert list(DealStage.objects.values_list("name", flat=True)) == [
        name for name, *_ in catalog.DEAL_STAGES
    ]
    deals = list(Deal.objects.select_related("stage", "person"))
    assert len(deals) >= 4
    for deal in deals:
        assert deal.person.roles.filter(role="partner").exists()
        assert deal.organization_id == deal.person.organization_id
        if deal.stage.is_won or deal.stage.is_lost:
            assert deal.closed_at is not None and deal.closed_at < END
        else:
            assert deal.closed_at is None and deal.expected_close > END.date()
    won = [d for d in deals if d.stage.is_won]
    for deal in won:
        first = Order.objects.filter(person=deal.person).aggregate(m=Min("ordered_at"))["m"]
        assert first is None or first > deal.closed_at


def test_associates_spend_time_with_people(demo: Demo) -> None:
    human = Activity.objects.filter(kind__in=["call", "meeting", "strategy_session", "support"])
    assert human.exists()
    assert not human.filter(associate=None).exists()
    assert not human.filter(duration_minutes=None).exists()
    assert Activity.objects.filter(kind="email", automated=True, associate=None).exists()
    # Moderate volume: about one extra entry per person beyond orders and stage changes
    # (two campaigns' sends, opens and clicks included).
    extra = Activity.objects.exclude(kind__in=["order", "stage_change"]).count()
    assert extra < 2.25 * PEOPLE


def test_the_first_dashboard_includes_the_apps_seeds(demo: Demo) -> None:
    from thrive.analytics.models import DashboardSnapshot

    snapshot = DashboardSnapshot.objects.order_by("-computed_at", "-id").first()
    nps = next(kpi for kpi in snapshot.payload["kpis"] if kpi["key"] == "nps")
    # The demo's survey answers are seeded after the journey; their months are in it.
    assert len([score for score in nps["spark"] if score is not None]) >= 6


def test_the_demo_names_the_business_and_saves_working_segments(demo: Demo) -> None:
    from thrive.segments.models import Segment

    assert Business.objects.get().name == "Kettle & Crow Coffee Roasters"
    names = set(Segment.objects.values_list("name", flat=True))
    assert {"Valuable customers slipping away", "Champions", "Subscribers and wholesale"} <= names
    subscribers = Segment.objects.get(name="Subscribers and wholesale").people().count()
    assert subscribers > 0


def test_workflows_start_after_the_demo_history(demo: Demo) -> None:
    from thrive.automations.engine import CURSOR
    from thrive.automations.models import EngineCursor
    from thrive.contacts.models import Activity

    last = Activity.objects.order_by("-id").values_list("id", flat=True).first()
    assert EngineCursor.objects.get(name=CURSOR).last_activity_id == last


def test_mayas_board_shows_a_week_of_deals_with_their_paths_and_reasons(demo: Demo) -> None:
    from thrive.commerce.models import DealStageChange, LostReason

    assert LostReason.objects.count() >= 4
    week = Deal.objects.filter(stage_history__changed_at__gte=END - dt.timedelta(days=7))
    week = week.distinct().select_related("stage")
    # The small test business has few wholesale contacts: at least the first few deals.
    assert {d.stage.name for d in week} >= {"Won", "Lost", "Proposal"}
    assert all(d.lost_reason for d in Deal.objects.filter(stage__is_lost=True))
    open_deals = Deal.objects.filter(closed_at__isnull=True)
    assert open_deals.filter(next_step="").exists() and open_deals.exclude(next_step="").exists()
    for deal in Deal.objects.all():
        path = list(DealStageChange.objects.filter(deal=deal).order_by("changed_at", "id"))
        assert path and path[-1].to_stage_id == deal.stage_id
        assert all(a.to_stage_id == b.from_stage_id for a, b in zip(path, path[1:], strict=False))
    assert Activity.objects.filter(
        kind="deal", occurred_at__gte=END - dt.timedelta(days=7)
    ).exists()
