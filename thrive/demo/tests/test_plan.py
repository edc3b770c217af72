"""The planner on its own (numpy, no database): plausible, seasonal and deterministic."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from thrive.demo import catalog
from thrive.demo import plan as plan_module
from thrive.demo.events import VOIDED, ChunkEvents, chunk_events
from thrive.demo.plan import MAX_PEOPLE, MIN_PEOPLE, Config, Plan, make_plan
from thrive.demo.population import CH, Group
from thrive.demo.timeline import local_today, make_calendar

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return make_plan(Config(seed=11, people=20_000, as_of=AS_OF))


@pytest.fixture(scope="module")
def events(plan: Plan) -> list[ChunkEvents]:
    return [chunk_events(plan, chunk) for chunk in range(plan.n_chunks)]


def _customers(plan: Plan) -> np.ndarray:
    return plan.people.group == Group.CUSTOMER


def test_a_plausible_share_of_customers_buy_again(plan: Plan) -> None:
    customers = _customers(plan)
    buyers = customers & (plan.n_orders > 0)
    assert 0.25 < buyers.sum() / customers.sum() < 0.5
    assert 0.4 < (plan.n_orders[buyers] > 1).mean() < 0.8


def _monthly_revenue(plan: Plan, events: list[ChunkEvents]) -> dict[tuple[int, int], int]:
    revenue: dict[tuple[int, int], int] = {}
    for ev in events:
        kept = ev.o_status != VOIDED
        for t, cents in zip(ev.o_t[kept], (ev.o_total - ev.o_refunded)[kept], strict=True):
            day = plan.cal.date_of(t)
            revenue[day.year, day.month] = revenue.get((day.year, day.month), 0) + int(cents)
    return revenue


def test_december_sells_more_than_an_average_month(plan: Plan, events: list[ChunkEvents]) -> None:
    revenue = _monthly_revenue(plan, events)
    for year in (2024, 2025):
        months = [revenue[year, m] for m in range(1, 13)]
        assert revenue[year, 12] > np.mean(months)
        assert revenue[year, 1] < revenue[year, 12]


def test_the_business_grows(plan: Plan, events: list[ChunkEvents]) -> None:
    revenue = _monthly_revenue(plan, events)
    assert sum(revenue[2025, m] for m in range(1, 13)) > sum(revenue[2024, m] for m in range(1, 13))


def test_referred_customers_buy_more_often_than_social_ad_customers(plan: Plan) -> None:
    buyers = np.flatnonzero(_customers(plan) & (plan.n_orders > 1))
    rate = np.zeros(plan.n)
    span = plan.last_order[buyers] - plan.first_order[buyers]
    rate[buyers] = (plan.n_orders[buyers] - 1) / np.maximum(span, 1.0)
    buyers = np.isin(np.arange(plan.n), buyers)
    by = {
        slug: rate[buyers & (plan.people.channel == CH[slug])].mean()
        for slug in ("referral", "social_ads")
    }
    assert by["referral"] > by["social_ads"]


def test_cost_per_new_customer_follows_each_paid_channel(plan: Plan) -> None:
    new = _customers(plan) & np.isfinite(plan.client_at)
    for channel in catalog.CHANNELS:
        spent = sum(cents for slug, _, cents in plan.spend if slug == channel.slug)
        if not channel.is_paid:
            assert spent == 0
            continue
        customers = (new & (plan.people.channel == CH[channel.slug])).sum()
        assert channel.cac_cents * 0.9 < spent / customers < channel.cac_cents * 1.6
        months = {month for slug, month, _ in plan.spend if slug == channel.slug}
        assert len(months) == len(plan.cal.months)


def test_lifecycle_steps_come_in_order(plan: Plan) -> None:
    steps = [
        plan.people.first_seen,
        plan.prospect_at,
        plan.client_at,
        plan.advocate_at,
        plan.lost_at,
    ]
    for earlier_index, later in enumerate(steps[1:]):
        for earlier in steps[: earlier_index + 1]:
            both = np.isfinite(earlier) & np.isfinite(later)
            assert (earlier[both] <= later[both]).all()
    assert (plan.client_at[plan.n_orders > 0] == plan.first_order[plan.n_orders > 0]).all()
    assert (plan.lost_at[np.isfinite(plan.lost_at)] < plan.cal.days).all()


def test_referrers_were_clients_before_the_friend_arrived(plan: Plan) -> None:
    friends = np.flatnonzero((plan.referrer >= 0) & (plan.people.channel == CH["referral"]))
    assert friends.size > 100
    referrer, t = plan.referrer[friends], plan.people.first_seen[friends]
    assert (plan.client_at[referrer] < t).all() and (plan.lost_at[referrer] > t).all()
    assert (plan.advocate_at[referrer] <= t + 0.01).all()
    chains = np.isin(friends, plan.referrer)  # people referred who went on to refer others
    assert chains.any()


def test_baskets_hold_cross_sell_patterns(events: list[ChunkEvents]) -> None:
    sku = catalog.SKU_INDEX
    whole_bean = np.array([p.kind == "coffee" and p.whole_bean for p in catalog.PRODUCTS])
    orders_with: dict[str, set[tuple[int, int]]] = {
        "dripper": set(),
        "filters": set(),
        "grinder": set(),
        "beans": set(),
    }
    n_orders = 0
    for c, ev in enumerate(events):
        n_orders += ev.o_person.size
        for key, mask in (
            ("dripper", ev.l_product == sku["KC-DR-CER"]),
            ("filters", ev.l_product == sku["KC-FL-100"]),
            ("grinder", np.isin(ev.l_product, [sku["KC-GR-HND"], sku["KC-GR-ELC"]])),
            ("beans", whole_bean[ev.l_product]),
        ):
            orders_with[key] |= {(c, int(o)) for o in ev.l_order[mask]}
    filters_share = len(orders_with["filters"]) / n_orders
    with_dripper = len(orders_with["dripper"] & orders_with["filters"]) / len(
        orders_with["dripper"]
    )
    assert with_dripper > 3 * filters_share  # lift above 3
    grinder_with_beans = orders_with["grinder"] & orders_with["beans"]
    assert len(grinder_with_beans) / len(orders_with["grinder"]) > 0.8


def test_the_plan_depends_on_the_seed_alone() -> None:
    a, b = (make_plan(Config(seed=3, people=1500, as_of=AS_OF)) for _ in range(2))
    c = make_plan(Config(seed=4, people=1500, as_of=AS_OF))
    assert np.array_equal(a.people.first_seen, b.people.first_seen)
    for name in ("n_orders", "client_at", "lost_at", "referrer"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert not np.array_equal(a.n_orders, c.n_orders)
    ea, eb = chunk_events(a, 0), chunk_events(b, 0)
    for f in dataclasses.fields(ChunkEvents):
        left, right = getattr(ea, f.name), getattr(eb, f.name)
        assert np.array_equal(np.asarray(left), np.asarray(right)), f.name


def test_per_person_parameters_do_not_depend_on_chunking(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = Config(seed=5, people=2000, as_of=AS_OF)
    before = make_plan(cfg).people
    monkeypatch.setattr(plan_module, "CHUNK", 300)
    after = make_plan(cfg).people
    for f in dataclasses.fields(before):
        assert np.array_equal(getattr(before, f.name), getattr(after, f.name)), f.name


def test_nothing_is_planned_after_the_end(plan: Plan, events: list[ChunkEvents]) -> None:
    end = plan.cal.days
    for ev in events:
        for times in (ev.o_t, ev.sc_t, ev.a_t, ev.c_t, ev.g_t, ev.r_t):
            assert (times < end).all()
        assert (ev.o_refund_t[np.isfinite(ev.o_refund_t)] < end).all()
    assert plan.cal.start_utc + dt.timedelta(
        seconds=int(plan.cal.seconds(np.array([end - 1e-9]))[0])
    ) < dt.datetime(2026, 6, 30, tzinfo=dt.UTC)


def test_every_email_is_unique(plan: Plan) -> None:
    from thrive.demo.rows import ChunkWriter

    writer = ChunkWriter(plan, None, None)  # type: ignore[arg-type]
    emails = [writer.email(i) for i in range(plan.n)]
    assert len(set(emails)) == plan.n
    assert all(
        e.split("@")[1].endswith("example") or e.split("@")[1].startswith("example.")
        for e in emails
    )


def test_the_smallest_demo_still_has_everyone() -> None:
    small = make_plan(Config(seed=1, people=MIN_PEOPLE, as_of=AS_OF))
    assert small.sizes[:3] == (8, 6, 6)
    assert set(small.stage_now().tolist()) == {0, 1, 2, 3, 4}
    ev = chunk_events(small, 0)
    assert ev.o_person.size and ev.sc_person.size == np.isfinite(
        np.stack([small.people.first_seen, small.prospect_at, small.client_at,
                  small.advocate_at, small.lost_at])
    ).sum() - small.sizes[0]  # fmt: skip
    # (staff are associates: no stage history)


@pytest.mark.parametrize("people", [MIN_PEOPLE - 1, MAX_PEOPLE + 1])
def test_sizes_outside_the_supported_range_are_refused(people: int) -> None:
    with pytest.raises(ValueError, match="people must be between"):
        Config(seed=1, people=people, as_of=AS_OF)


@pytest.mark.parametrize("hour", [0, 3, 7, 8, 12, 23])
def test_the_default_date_keeps_every_event_in_the_past(hour: int) -> None:
    now = dt.datetime(2026, 6, 30, hour, 59, 59, tzinfo=dt.UTC)
    cal = make_calendar(local_today(now))
    latest = cal.start_utc + dt.timedelta(seconds=int(cal.seconds(np.array([cal.days - 1e-9]))[0]))
    assert latest < now
