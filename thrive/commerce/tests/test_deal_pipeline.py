"""Working deals on the pipeline: moves on the timeline, lost reasons, next steps as the
owner's tasks, the owner's stages, won deals into orders, and the stuck and no-next-step
lists."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from thrive.commerce import deal_board, deal_pipeline, services
from thrive.commerce.models import Deal, DealStage, DealStageChange, Order, OrderStatus
from thrive.contacts.models import Activity, ActivityKind
from thrive.core import business
from thrive.tasks.models import Task, TaskStatus
from thrive.testing.factories import AssociateFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stages():
    make = DealStage.objects.create
    return {
        "lead": make(name="Lead", position=1, probability=Decimal("0.1")),
        "proposal": make(name="Proposal", position=2, probability=Decimal("0.5")),
        "won": make(name="Won", position=3, probability=Decimal("1"), is_won=True),
        "lost": make(name="Lost", position=4, probability=Decimal("0"), is_lost=True),
    }


def new_deal(stage, *, actor=None, person=None, **fields):
    return services.save_deal(
        None, actor=actor, title=fields.pop("title", "Office coffee"),
        person=person or PersonFactory(), stage=stage, value=fields.pop("value", "2400"),
        currency="USD", **fields,
    )  # fmt: skip


def test_a_move_is_a_stage_change_and_an_entry_on_the_persons_timeline(member, stages):
    deal = new_deal(stages["lead"], actor=member)
    deal_pipeline.move_deal(deal, stages["proposal"], actor=member)
    changes = list(DealStageChange.objects.order_by("id").values_list("from_stage", "to_stage"))
    assert changes == [(None, stages["lead"].pk), (stages["lead"].pk, stages["proposal"].pk)]
    entry = Activity.objects.filter(person=deal.person, kind=ActivityKind.DEAL).latest("id")
    assert entry.subject == "Deal “Office coffee” moved from Lead to Proposal"
    assert entry.associate == member
    assert entry.data["from"] == stages["lead"].pk and entry.data["to"] == stages["proposal"].pk


def test_moving_to_a_lost_stage_needs_a_reason_and_writes_nothing_without_one(member, stages):
    deal = new_deal(stages["proposal"], actor=member)
    before = Activity.objects.count()
    with pytest.raises(ValidationError) as caught:
        deal_pipeline.move_deal(deal, stages["lost"], actor=member, lost_reason="  ")
    assert "Say why the deal was lost" in str(caught.value.message_dict["lost_reason"])
    deal.refresh_from_db()
    assert deal.stage == stages["proposal"] and deal.closed_at is None
    assert Activity.objects.count() == before and DealStageChange.objects.count() == 1
    deal_pipeline.move_deal(
        deal, stages["lost"], actor=member, lost_reason="Chose a cheaper roaster"
    )
    deal.refresh_from_db()
    assert deal.closed_at is not None and deal.lost_reason == "Chose a cheaper roaster"
    entry = Activity.objects.filter(kind=ActivityKind.DEAL).latest("id")
    assert entry.data["lost"] is True and entry.data["reason"] == "Chose a cheaper roaster"


def test_a_next_step_is_a_task_for_the_deals_owner_due_that_morning(member, stages):
    tom = AssociateFactory(username="tom")
    deal = new_deal(stages["lead"], actor=member, owner=tom)
    deal_pipeline.set_next_step(deal, actor=member, text="Call about the tasting",
                                due=dt.date(2027, 1, 12))  # fmt: skip
    task = Task.objects.get()
    assert (task.title, task.assignee, task.person) == ("Call about the tasting", tom, deal.person)
    local = task.due_at.astimezone(business.zone())
    assert (local.date(), local.time()) == (dt.date(2027, 1, 12), dt.time(9, 0))
    deal.refresh_from_db()
    assert deal.next_step_task == task
    # A new next step replaces the old task.
    deal_pipeline.set_next_step(deal, actor=member, text="Send the proposal",
                                due=dt.date(2027, 1, 14))  # fmt: skip
    task.refresh_from_db()
    assert task.status == TaskStatus.DISMISSED
    assert Task.objects.filter(status=TaskStatus.OPEN).get().title == "Send the proposal"


def test_a_next_step_needs_both_words_and_a_date(member, stages):
    deal = new_deal(stages["lead"], actor=member)
    with pytest.raises(ValidationError) as caught:
        deal_pipeline.set_next_step(deal, actor=member, text="Call", due=None)
    assert caught.value.message_dict == {"next_step_due": ["Give the next step a due date."]}
    assert not Task.objects.exists()


def test_a_won_deal_becomes_one_pending_order_and_never_twice(member, stages):
    deal = new_deal(stages["proposal"], actor=member, value="1850.50")
    with pytest.raises(ValidationError, match="Only a won deal"):
        deal_pipeline.order_from_deal(deal, actor=member)
    deal = deal_pipeline.move_deal(deal, stages["won"], actor=member)
    order = deal_pipeline.order_from_deal(deal, actor=member)
    assert (order.status, order.total, order.person) == (
        OrderStatus.PENDING, Decimal("1850.50"), deal.person
    )  # fmt: skip
    deal.refresh_from_db()
    assert deal.order == order
    with pytest.raises(ValidationError, match="already an order"):
        deal_pipeline.order_from_deal(deal, actor=member)
    assert Order.objects.count() == 1


def test_the_owner_defines_stages_with_a_probability_in_percent(owner, member, stages):
    stage = deal_pipeline.save_stage(None, actor=owner, name="Tasting done", probability="35%")
    assert (stage.probability, stage.position) == (Decimal("0.350"), 5)
    deal_pipeline.shift_stage(stage, actor=owner, step=-1)
    assert list(DealStage.objects.values_list("name", flat=True)) == [
        "Lead", "Proposal", "Won", "Tasting done", "Lost"
    ]  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        deal_pipeline.save_stage(None, actor=owner, name="lead", probability="120",
                                 is_won=True, is_lost=True)  # fmt: skip
    assert set(caught.value.message_dict) == {"name", "probability", "is_lost"}
    with pytest.raises(PermissionDenied):
        deal_pipeline.save_stage(None, actor=member, name="Other", probability="10")


def test_a_stage_with_deals_or_history_cannot_be_removed(owner, stages):
    new_deal(stages["lead"])
    with pytest.raises(ValidationError, match="move them to another stage"):
        deal_pipeline.delete_stage(stages["lead"], actor=owner)
    deal_pipeline.delete_stage(stages["proposal"], actor=owner)
    assert not DealStage.objects.filter(name="Proposal").exists()


def _history(deal, *moves):
    DealStageChange.objects.filter(deal=deal).delete()
    for stage, at in moves:
        DealStageChange.objects.create(deal=deal, to_stage=stage, changed_at=at)


def test_a_deal_in_its_stage_longer_than_one_and_a_half_medians_is_stuck(stages):
    now = timezone.now()
    day = dt.timedelta(days=1)
    # Three finished stays in Lead of 2, 4 and 10 days: the usual limit is 6 days.
    for stay in (2, 4, 10):
        done = new_deal(stages["lead"])
        Deal.objects.filter(pk=done.pk).update(stage=stages["proposal"])
        _history(
            done, (stages["lead"], now - 40 * day), (stages["proposal"], now - (40 - stay) * day)
        )
    stuck = new_deal(stages["lead"], title="Waiting seven days")
    _history(stuck, (stages["lead"], now - 7 * day))
    fresh = new_deal(stages["lead"], title="Waiting five days")
    _history(fresh, (stages["lead"], now - 5 * day))
    found = deal_board.stuck(now)
    assert [s.deal.title for s in found] == ["Waiting seven days"]
    assert found[0].usual_days == pytest.approx(6.0)


def test_open_deals_without_a_next_step_or_with_a_finished_one_are_listed(member, stages):
    bare = new_deal(stages["lead"], title="Nothing planned")
    planned = new_deal(stages["lead"], title="Call planned")
    deal_pipeline.set_next_step(planned, actor=member, text="Call", due=dt.date(2027, 1, 5))
    done = new_deal(stages["lead"], title="Call made")
    deal_pipeline.set_next_step(done, actor=member, text="Call", due=dt.date(2027, 1, 5))
    done.refresh_from_db()
    from thrive.tasks.services import finish_task

    finish_task(done.next_step_task, actor=member)
    new_deal(stages["won"], title="Already won")
    assert [d.title for d in deal_board.without_next_step()] == [bare.title, done.title]


def test_the_historical_forecast_reads_the_stage_history(stages):
    won = new_deal(stages["lead"], value="100")
    deal_pipeline.move_deal(won, stages["won"], actor=None)
    lost = new_deal(stages["lead"], value="100")
    deal_pipeline.move_deal(lost, stages["lost"], actor=None, lost_reason="Timing")
    new_deal(stages["lead"], value="1000", expected_close=dt.date(2027, 5, 20))
    rates = deal_board.stage_rates()
    # Two closed deals reached Lead, one was won; the open one does not count.
    assert (rates[stages["lead"].pk].won, rates[stages["lead"].pk].closed) == (1, 2)
    rows, _ = deal_board.forecast()
    assert [(r.month, r.weighted, r.historical) for r in rows] == [
        (dt.date(2027, 5, 1), Decimal("100.00"), Decimal("500.00"))
    ]
