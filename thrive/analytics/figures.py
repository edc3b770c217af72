"""The people each dashboard figure counts, one query per figure.

The dashboard counts these querysets to make its figures, and the people list shows the
same querysets (``/people/?metric=<key>&as_of=<day>``, registered in ``AppConfig.ready``),
so a figure and the list it opens cannot disagree. Every function takes the snapshot's
``as_of`` (a day in the business's time zone, excluded: the figures run up to the day
before) and derives its window exactly as the dashboard does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractMonth, ExtractYear, TruncDate

from thrive.commerce import queries as commerce_queries
from thrive.commerce.models import MarketingSpend
from thrive.contacts.models import (
    HUMAN_CONTACT_KINDS,
    Activity,
    ActivityKind,
    Person,
    PersonRole,
    RelationshipRole,
    Stage,
    StageChange,
)
from thrive.core import business

WINDOW = dt.timedelta(days=90)
# What counts as taking part in the ecosystem: the customer side (votes, answers,
# referrals, forms, meetings) and partnerships (a partner, vendor or referral partner the
# business worked with in the window).
PARTICIPATION_KINDS = [
    ActivityKind.IDEA_VOTE, ActivityKind.SURVEY_ANSWER, ActivityKind.REFERRAL,
    ActivityKind.FORM_SUBMISSION, ActivityKind.STRATEGY_SESSION, ActivityKind.MEETING,
]  # fmt: skip
CUSTOMER_STAGES = [Stage.PROSPECT, Stage.CLIENT, Stage.ADVOCATE]
PARTNER_ROLES = [
    RelationshipRole.PARTNER, RelationshipRole.REFERRAL_PARTNER, RelationshipRole.VENDOR,
]  # fmt: skip
FUNNEL_LADDER = [Stage.SUSPECT, Stage.PROSPECT, Stage.CLIENT, Stage.ADVOCATE]


def window(as_of: dt.date, back: int = 0) -> tuple[dt.datetime, dt.datetime]:
    """The 90 days before ``as_of`` (``back`` windows earlier), in the business's zone."""
    end = commerce_queries.day_start(as_of) - back * WINDOW
    return end - WINDOW, end


def last_complete_month(as_of: dt.date) -> dt.date:
    """The first day of the last calendar month wholly before ``as_of`` (excluded)."""
    return (as_of.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def month_after(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


def _people(ids: QuerySet[Any]) -> QuerySet[Person]:
    return Person.objects.filter(pk__in=ids)


def new_clients(as_of: dt.date, back: int = 0) -> QuerySet[Person]:
    """People whose stage history first reaches "client" in the window."""
    start, end = window(as_of, back)
    firsts = (
        StageChange.objects.order_by()
        .filter(to_stage=Stage.CLIENT)
        .values("person_id")
        .annotate(first=Min("changed_at"))
        .filter(first__gte=start, first__lt=end)
        .values("person_id")
    )
    return _people(firsts)


def customers(as_of: dt.date) -> QuerySet[Person]:
    """People with at least one revenue order (business currency) before ``as_of``."""
    return _people(commerce_queries.revenue_orders(before=as_of).values("person_id"))


def repeat_customers(as_of: dt.date) -> QuerySet[Person]:
    """Customers who bought on more than one day (days in the business's time zone)."""
    days = (
        commerce_queries.revenue_orders(before=as_of)
        .annotate(day=TruncDate("ordered_at", tzinfo=commerce_queries.business_zone()))
        .values("person_id")
        .annotate(days=Count("day", distinct=True))
        .filter(days__gt=1)
        .values("person_id")
    )
    return _people(days)


def _paid_channels() -> QuerySet[Any]:
    return (
        MarketingSpend.objects.filter(currency=business.currency(), amount__gt=0)
        .values("channel_id")
        .distinct()
    )


def acquired_customers(as_of: dt.date) -> QuerySet[Person]:
    """Customers with a recorded acquisition channel: blended CAC's denominator."""
    return customers(as_of).filter(acquisition_channel__isnull=False)


def paid_channel_customers(as_of: dt.date) -> QuerySet[Person]:
    """Customers acquired through a channel the business spent money on."""
    return acquired_customers(as_of).filter(acquisition_channel__in=_paid_channels())


def free_channel_customers(as_of: dt.date) -> QuerySet[Person]:
    """Customers acquired through a channel with no recorded spend (referrals, organic)."""
    return acquired_customers(as_of).exclude(acquisition_channel__in=_paid_channels())


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _cohort_people(as_of: dt.date, offset: int, *, active: bool) -> QuerySet[Person]:
    """Customers whose first month (of revenue, complete months only) is at least
    ``offset`` months before the last complete month; with ``active``, only those who also
    bought ``offset`` months after their first. One pass over the orders in SQL: months
    are numbered (year × 12 + month) so both databases compare them the same way."""
    zone = commerce_queries.business_zone()
    last = last_complete_month(as_of)
    months = (
        commerce_queries.revenue_orders(before=month_after(last))
        .annotate(
            idx=ExtractYear("ordered_at", tzinfo=zone) * 12
            + ExtractMonth("ordered_at", tzinfo=zone)
            - 1
        )
        .values("person_id", "idx")
        .distinct()
    )
    inner, params = months.query.sql_with_params()
    # Only Django's own SQL and fixed text are joined; every value is a parameter.
    wanted = "t.idx = t.first + %s" if active else "t.idx = t.first"
    head = "SELECT t.person_id FROM (SELECT m.person_id, m.idx, "
    window_sql = "MIN(m.idx) OVER (PARTITION BY m.person_id) AS first "
    sql = f"{head}{window_sql}FROM ({inner}) m) t WHERE {wanted} AND t.first <= %s"  # noqa: S608
    extra = (offset,) if active else ()
    return Person.objects.filter(
        pk__in=RawSQL(sql, (*params, *extra, _month_index(last) - offset))  # noqa: S611
    )


def retention_cohort(as_of: dt.date, offset: int = 3) -> QuerySet[Person]:
    """Customers whose first month is at least ``offset`` complete months old."""
    return _cohort_people(as_of, offset, active=False)


def retained(as_of: dt.date, offset: int = 3) -> QuerySet[Person]:
    """Of ``retention_cohort``, those who bought in the ``offset``-th month after their first."""
    return _cohort_people(as_of, offset, active=True)


def funnel_entered(as_of: dt.date) -> QuerySet[Person]:
    """People whose stage history shows them anywhere on the ladder (suspect or beyond)."""
    return _reached(as_of, FUNNEL_LADDER)


def funnel_clients(as_of: dt.date) -> QuerySet[Person]:
    """People whose stage history shows them a client or an advocate at some point."""
    return _reached(as_of, [Stage.CLIENT, Stage.ADVOCATE])


def _reached(as_of: dt.date, stages: list[Stage]) -> QuerySet[Person]:
    changes = (
        StageChange.objects.order_by()
        .filter(
            Q(from_stage__in=stages) | Q(to_stage__in=stages),
            changed_at__lt=commerce_queries.day_start(as_of),
        )
        # Staff are associates, not customers moving through the funnel (as in the
        # dashboard's funnel chart).
        .exclude(
            person__in=PersonRole.objects.filter(role=RelationshipRole.ASSOCIATE).values("person")
        )
    )
    return _people(changes.values("person_id"))


def associates(as_of: dt.date) -> QuerySet[Person]:  # noqa: ARG001 - every lookup takes as_of
    """The people recorded as associates (the team)."""
    return _people(PersonRole.objects.filter(role=RelationshipRole.ASSOCIATE).values("person_id"))


def participation_base(as_of: dt.date) -> QuerySet[Person]:  # noqa: ARG001
    """Prospects, clients and advocates, and every partner, vendor and referral partner."""
    partners = PersonRole.objects.filter(role__in=PARTNER_ROLES).values("person_id")
    return Person.objects.filter(Q(stage__in=CUSTOMER_STAGES) | Q(pk__in=partners))


def participants(as_of: dt.date) -> QuerySet[Person]:
    """Of the base, those who took part in the window: customers who voted, answered,
    referred, submitted a form or met the team; partners with any touchpoint."""
    start, end = window(as_of)
    recent = Activity.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    customer_side = recent.filter(
        kind__in=PARTICIPATION_KINDS, person__stage__in=CUSTOMER_STAGES
    ).values("person_id")
    partners = PersonRole.objects.filter(role__in=PARTNER_ROLES).values("person_id")
    partner_side = recent.filter(person_id__in=partners).values("person_id")
    return Person.objects.filter(Q(pk__in=customer_side) | Q(pk__in=partner_side))


def contacted(as_of: dt.date, back: int = 0) -> QuerySet[Person]:
    """People an associate spent logged time with (calls, meetings, sessions, support)."""
    start, end = window(as_of, back)
    return _people(
        Activity.objects.filter(
            kind__in=list(HUMAN_CONTACT_KINDS),
            occurred_at__gte=start,
            occurred_at__lt=end,
            duration_minutes__isnull=False,
        ).values("person_id")  # fmt: skip
    )


# key -> (what the list shows, in words; the lookup), registered with the people list.
PEOPLE: dict[str, tuple[str, Callable[[dt.date], QuerySet[Person]]]] = {
    "new_clients": ("people who first became clients in the 90 days", new_clients),
    "customers": ("every customer with an order", customers),
    "repeat_customers": ("customers who bought on more than one day", repeat_customers),
    "acquired_customers": ("customers with a recorded acquisition channel", acquired_customers),
    "paid_channel_customers": ("customers from channels with spend", paid_channel_customers),
    "free_channel_customers": ("customers from channels that cost nothing", free_channel_customers),
    "retention_cohort": ("customers first buying 3+ complete months ago", retention_cohort),
    "retained": ("of those, customers who bought again in their 3rd month", retained),
    "funnel_entered": ("everyone who entered the funnel", funnel_entered),
    "funnel_clients": ("everyone who reached client or advocate", funnel_clients),
    "associates": ("the team (associates)", associates),
    "participation_base": ("prospects, clients, advocates and partners", participation_base),
    "participants": ("people who took part in the 90 days", participants),
    "contacted": ("people the team spent logged time with in the 90 days", contacted),
}  # fmt: skip


def register() -> None:
    from thrive.contacts.queries import register_metric_people

    for key, (words, lookup) in PEOPLE.items():
        register_metric_people(key, words, lookup)


def people_link(key: str, as_of: dt.date) -> str:
    return f"/people/?metric={key}&as_of={as_of.isoformat()}"


def orders_link(start: dt.date, end: dt.date, currency: str) -> str:
    """The orders counted as revenue from ``start`` to ``end`` (both days included)."""
    return (
        f"/orders/?status=revenue&currency={currency}"
        f"&start={start.isoformat()}&end={end.isoformat()}"
    )
