"""Reads about the ecosystem used by several views."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from .models import (
    AcquisitionChannel,
    Activity,
    ChurnRisk,
    Organization,
    Person,
    PersonRole,
    PersonTag,
    RelationshipRole,
    Stage,
    Tag,
)


def ecosystem_counts() -> dict[str, int]:
    """People per lifecycle stage and per relationship role, every key present (0 if none)."""
    counts = {stage.value: 0 for stage in Stage}
    counts.update({role.value: 0 for role in RelationshipRole})
    # Staff (the associate role) are counted as associates, not as customers in a stage:
    # everyone per stage, less the staff per stage (one query). Filtering the staff out
    # instead made PostgreSQL test each of 1,000,000 people against them, half again the
    # cost of the count itself (bench/WORKSPACE.md).
    everyone = Person.objects.order_by().annotate(staff=Value(False)).values("staff", "stage")
    staff = (
        Person.objects.order_by()
        .filter(roles__role=RelationshipRole.ASSOCIATE)
        .annotate(staff=Value(True))
        .values("staff", "stage")
    )
    per_stage = everyone.annotate(n=Count("id")).union(staff.annotate(n=Count("id")), all=True)
    for row in per_stage.order_by():
        counts[row["stage"]] += -row["n"] if row["staff"] else row["n"]
    for role_row in PersonRole.objects.order_by().values("role").annotate(n=Count("id")):
        counts[role_row["role"]] = role_row["n"]
    return counts


def channel_names() -> dict[str, str]:
    """Each acquisition channel's key (slug) and the name people read, the one mapping every
    page, legend and report uses (Reach and the charts read the same ``name`` column)."""
    return dict(AcquisitionChannel.objects.values_list("slug", "name"))


def channel_label(slug: str, names: dict[str, str]) -> str:
    """The channel's name; a key with no channel row (deleted since) in words."""
    return names.get(slug) or slug.replace("_", " ").capitalize()


def person_in(related: QuerySet[Any]) -> Q:
    """People with at least one row in ``related``, a query on a table with a person key.

    PostgreSQL gets ``EXISTS`` keyed on the person, which it plans as a semi-join or,
    under OR, as a choice between a hashed and a probing subplan. SQLite runs a correlated
    EXISTS once per person (100,000 index probes, about 100 ms) but ``id IN (SELECT
    person_id …)`` only once, into a temporary index: 6 to 8 times faster for tag, role
    and score conditions at 100,000 people (bench/WORKSPACE.md). PostgreSQL is not given
    the IN form: under OR it is hashed only while the ids fit in work_mem, and is
    rescanned for every person beyond that.
    """
    if connection.vendor == "sqlite":
        return Q(pk__in=related.values("person"))
    return Q(Exists(related.filter(person=OuterRef("pk"))))


def people_matching(filters: dict[str, Any]) -> QuerySet[Person]:
    """The people list's query for validated ``PeopleFilterForm`` data, in SQL only.

    Search matches name, email, company and tag. Unknown segment ids give no people.
    """
    people: QuerySet[Person] = Person.objects.all()
    q = (filters.get("q") or "").strip()
    if q and connection.vendor == "postgresql":
        for word in q.split()[:5]:
            people = people.filter(pk__in=search_ids(word))
    elif q:
        terms = Q()
        for word in q.split()[:5]:
            terms &= search_q(word)
        people = people.filter(terms)
    if filters.get("stage"):
        people = people.filter(stage=filters["stage"])
    if filters.get("role"):
        people = people.filter(
            Exists(PersonRole.objects.filter(person=OuterRef("pk"), role=filters["role"]))
        )
    if filters.get("tag"):
        people = people.filter(
            Exists(
                PersonTag.objects.filter(person=OuterRef("pk"), tag__name__iexact=filters["tag"])
            )
        )
    if filters.get("segment"):
        people = _in_segment(people, filters["segment"])
    if filters.get("metric"):
        people = _in_metric(people, filters["metric"], filters.get("as_of"))
    if filters.get("rfm"):
        people = people.filter(score__rfm_segment=filters["rfm"])
    if filters.get("risk") == ChurnRisk.LOST:
        people = people.filter(stage=Stage.LOST, score__isnull=False)
    elif filters.get("risk"):
        # Whoever was marked Lost since the last scoring is not "at risk" either.
        people = people.filter(score__churn_risk=filters["risk"]).exclude(stage=Stage.LOST)
        if filters["risk"] == ChurnRisk.HIGH:
            # At risk means worth winning back: predicted value above nothing.
            people = people.filter(score__predicted_clv__gt=0)
    if filters.get("clv_min") is not None:
        people = people.filter(score__predicted_clv__gte=filters["clv_min"])
    if filters.get("clv_max") is not None:
        people = people.filter(score__predicted_clv__lte=filters["clv_max"])
    if filters.get("channel"):
        people = people.filter(acquisition_channel__slug=filters["channel"])
    if filters.get("organization"):
        people = people.filter(organization_id=filters["organization"])
    window = filters.get("activity") or ""
    if window:
        days = int(window)
        since = timezone.now() - dt.timedelta(days=abs(days))
        recent = Exists(Activity.objects.filter(person=OuterRef("pk"), occurred_at__gte=since))
        people = people.filter(recent if days > 0 else ~recent)
    if q and connection.vendor == "sqlite":
        # SQLite answers "ORDER BY name LIMIT 50" by walking the name index and reading
        # every person until 50 match, which for a rare word means all of them, row by
        # row (0.6 s at 100,000 people). Collecting the matches first bounds a search
        # to one scan plus a sort of the matches. PostgreSQL plans the plain form better.
        people = Person.objects.filter(pk__in=people.values("pk"))
    return people


def search_q(word: str) -> Q:
    """The people one search word matches: name, email, company or tag (SQLite's form)."""
    # Companies are matched once, in a subquery, rather than joined to every person;
    # tags as person_in() explains (bench/WORKSPACE.md).
    return (
        Q(first_name__icontains=word)
        | Q(last_name__icontains=word)
        | Q(email__icontains=word)
        | Q(organization__in=Organization.objects.filter(name__icontains=word))
        | person_in(PersonTag.objects.filter(tag__name__iexact=word))
    )


def search_ids(word: str) -> QuerySet[Any]:
    """PostgreSQL: the ids of the people one search word matches, the same people as
    :func:`search_q`, as a ``UNION`` of one query per place it may match.

    Each name and email arm is answered by its trigram index (migration
    ``contacts/0011``); an ``OR`` of them with the company and tag tests could not use
    any index and read all the people (1,000,000 at the size bench/WORKSPACE.md measures).

    The tags and companies the word names are read first (one query on two small
    tables) and given to the UNION as ids, and an arm with nothing to match is left out.
    With a subquery there PostgreSQL cannot know how many people a tag holds, assumed
    the average (34,000 at 1,000,000 people), and fetched a page of a 5,580-person
    search by reading all the people: 450 ms against 28 ms (bench/WORKSPACE.md).
    """
    named = list(
        Tag.objects.order_by()
        .filter(name__iexact=word)
        .annotate(kind=Value("tag"))
        .values_list("kind", "pk")
        .union(
            Organization.objects.order_by()
            .filter(name__icontains=word)
            .annotate(kind=Value("company"))
            .values_list("kind", "pk"),
            all=True,
        )
        .order_by()
    )
    tag_ids = [pk for kind, pk in named if kind == "tag"]
    company_ids = [pk for kind, pk in named if kind == "company"]
    by = Person.objects.order_by()
    arms: list[QuerySet[Any]] = [
        by.filter(last_name__icontains=word).values("pk"),
        by.filter(email__icontains=word).values("pk"),
    ]
    if company_ids:
        arms.append(by.filter(organization__in=company_ids).values("pk"))
    if tag_ids:
        arms.append(PersonTag.objects.order_by().filter(tag__in=tag_ids).values("person_id"))
    return by.filter(first_name__icontains=word).values("pk").union(*arms)


# Segments sit above contacts: the segments app tells the people list who is in a saved
# segment (segment id -> its people, None when there is no such segment) at start-up.
_segment_members: list[Callable[[int], QuerySet[Person] | None]] = []


def register_segment_members(lookup: Callable[[int], QuerySet[Person] | None]) -> None:
    _segment_members[:] = [lookup]


def _in_segment(people: QuerySet[Person], segment_id: int) -> QuerySet[Person]:
    members = _segment_members[0](segment_id) if _segment_members else None
    if members is None:
        return people.none()
    # The segment's conditions joined to the list's own, not "id IN (its people)": that
    # made PostgreSQL read every person twice, once for each query (bench/WORKSPACE.md).
    return people & members


# A figure computed above contacts (the dashboard's) registers the query that picks the
# people it counted, so "?metric=<key>" lists exactly them: key -> (words, lookup(as_of)).
MetricPeople = Callable[[dt.date], QuerySet[Person]]
_metric_people: dict[str, tuple[str, MetricPeople]] = {}


def register_metric_people(key: str, words: str, lookup: MetricPeople) -> None:
    """Let the people list show ``lookup(as_of)`` for ``?metric=key&as_of=YYYY-MM-DD``."""
    _metric_people[key] = (words, lookup)


def metric_words(key: str) -> str:
    """What a metric's people are, in words ("" for an unknown key)."""
    return _metric_people[key][0] if key in _metric_people else ""


def metric_people(key: str, as_of: dt.date | None = None) -> QuerySet[Person] | None:
    """The people a figure counts as of ``as_of`` (excluded; default: through today), or
    None for an unknown key."""
    if key not in _metric_people:
        return None
    day = as_of or timezone.localdate() + dt.timedelta(days=1)
    return _metric_people[key][1](day)


def _in_metric(people: QuerySet[Person], key: str, as_of: dt.date | None) -> QuerySet[Person]:
    members = metric_people(key, as_of)
    if members is None:
        return people.none()
    return people.filter(pk__in=members.values("pk"))


def with_list_columns(people: QuerySet[Person]) -> QuerySet[Person]:
    """Add what each row of the people list shows, in a constant number of queries."""
    latest = (
        Activity.objects.filter(person=OuterRef("pk"))
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    return (
        people.select_related("organization", "score", "acquisition_channel")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .annotate(last_activity_at=Subquery(latest))
    )


class _ListPaginator(Paginator):
    """Pages of the people list: a page's people are picked by id first, and only those
    are read with the list's columns.

    Reading the columns in the paged query itself made the database compute each row's
    latest activity and joins for every row it skipped: page 100 is OFFSET 4,950, and
    the query cost 240 ms at 1,000,000 people against 4 ms for the ids
    (bench/WORKSPACE.md). The count is of the same query without the columns.
    """

    def _get_page(self, *args: Any, **kwargs: Any) -> Page:
        object_list, number, paginator = args
        ids = list(object_list.values_list("pk", flat=True))
        rows = with_list_columns(Person.objects.filter(pk__in=ids).order_by())
        by_id = {person.pk: person for person in rows}
        # In the list's order; someone deleted between the two reads is left out.
        people = [by_id[pk] for pk in ids if pk in by_id]
        return Page(people, number, paginator)


def people_page(people: QuerySet[Person], per_page: int, number: Any) -> Page:
    """Page ``number`` of the ordered ``people`` (the last for a number past the end,
    the first for anything that is not a number), each with the list's columns."""
    return _ListPaginator(people, per_page).get_page(number)


def role_activity(*, limit: int = 8) -> dict[str, list[Person]]:
    """Associates, vendors and partners with their latest activity, most recent first.

    For associates that is the last thing they did with anyone (as the associate on an
    activity); for everyone else the last touchpoint with them.
    """
    with_them = (
        Activity.objects.filter(person=OuterRef("pk"))
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    # Keyed on the associate's id (joined once in the outer query) so both databases walk
    # the activity index for that one associate, instead of joining every activity to
    # its associate per row (PostgreSQL: 90 ms → 12 ms at 500,000 activities).
    by_them = (
        Activity.objects.filter(associate_id=OuterRef("associate_account__id"))
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    out: dict[str, list[Person]] = {}
    for role in (RelationshipRole.ASSOCIATE, RelationshipRole.VENDOR, RelationshipRole.PARTNER,
                 RelationshipRole.REFERRAL_PARTNER):  # fmt: skip
        if role != RelationshipRole.ASSOCIATE:
            found = _latest_touched(role, limit)
            if found is not None:
                out[role.value] = found
                continue
        latest = by_them if role == RelationshipRole.ASSOCIATE else with_them
        people = (
            Person.objects.filter(roles__role=role)
            .select_related("organization")
            .annotate(last_activity_at=Subquery(latest))
            .order_by(F("last_activity_at").desc(nulls_last=True), "id")[:limit]
        )
        out[role.value] = list(people)
    return out


# How many of the newest activities with a role's holders are read to find the most
# recently touched ones.
TOUCH_WINDOW = 64


def _latest_touched(role: str, limit: int) -> list[Person] | None:
    """The ``limit`` holders of ``role`` touched most recently, then those never touched,
    by id, each with ``last_activity_at``; or None when the newest activities cannot
    tell (the caller then asks for every holder's latest activity).

    Asking each holder for their latest activity cost 10,000 index probes for the
    vendors at 1,000,000 people (bench/WORKSPACE.md); the newest few activities with any
    holder, read from the timeline's date index, usually name the first eight. A
    person's first row in that window is their latest; everyone outside it was touched
    no later than its last row, so only holders seen strictly after that row are sure.
    """
    holds = PersonRole.objects.filter(person=OuterRef("person_id"), role=role)
    window = list(
        Activity.objects.filter(Exists(holds))
        .order_by("-occurred_at")
        .values_list("person_id", "occurred_at")[:TOUCH_WINDOW]
    )
    latest: dict[int, dt.datetime] = {}
    for pid, at in window:
        latest.setdefault(pid, at)
    holders = Person.objects.filter(roles__role=role).select_related("organization")
    if len(window) == TOUCH_WINDOW:
        edge = window[-1][1]
        sure = [pid for pid, at in latest.items() if at > edge]
        if len(sure) < limit:
            return None
        top = sorted(sure, key=lambda pid: (-latest[pid].timestamp(), pid))[:limit]
        rows = list(holders.filter(pk__in=top))
    else:
        # Every holder ever touched is in the window; the rest follow by id.
        top = sorted(latest, key=lambda pid: (-latest[pid].timestamp(), pid))[:limit]
        first = Case(When(pk__in=top, then=Value(0)), default=Value(1))
        rows = list(
            holders.filter(Q(pk__in=top) | ~Q(pk__in=list(latest))).order_by(first, "id")[:limit]
        )
    rank = {pid: i for i, pid in enumerate(top)}
    rows.sort(key=lambda p: (rank.get(p.pk, len(rank)), p.pk))
    for person in rows:
        person.last_activity_at = latest.get(person.pk)  # type: ignore[attr-defined]
    return rows[:limit]


def activity_versions(activity: Activity) -> list[Activity]:
    """Every version of a timeline entry, newest first: the standing one (or its
    retraction), then each one it replaced, back to what was first logged."""
    chain = [activity]
    # The latest successor first: follow "superseded_by" forward, then "supersedes" back.
    head = activity
    while True:
        nxt = (
            Activity.log.select_related("associate", "recorded_by").filter(supersedes=head).first()
        )
        if nxt is None:
            break
        chain.insert(0, nxt)
        head = nxt
    tail = activity
    while tail.supersedes_id is not None:
        tail = Activity.log.select_related("associate", "recorded_by").get(pk=tail.supersedes_id)
        chain.append(tail)
    return chain


def person_activity(person: Person, pk: int) -> Activity | None:
    """One of ``person``'s timeline rows by id, whether it still stands or not."""
    return (
        Activity.log.select_related("associate", "recorded_by").filter(person=person, pk=pk).first()
    )
