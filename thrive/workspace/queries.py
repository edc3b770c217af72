"""Reads the workspace composes from several apps: the command palette's search."""

from __future__ import annotations

from typing import Any, TypedDict

from django.db.models import Q
from django.urls import reverse

from thrive.automations.models import Workflow
from thrive.contacts.models import Organization, Person
from thrive.outreach.models import Campaign
from thrive.segments.models import Segment
from thrive.voice.models import Idea

from .navigation import pages_for

# Enough to pick from without scrolling; the People list holds the rest.
PER_KIND = 5
MAX_QUERY = 100


class Hit(TypedDict):
    kind: str
    label: str
    detail: str
    url: str


def _words(q: str) -> list[str]:
    return [w for w in q.split() if w][:5]


def _people(words: list[str]) -> list[Hit]:
    # Every word must be found in the first name, last name or email: "maya lin" finds Maya Lin.
    match = Q()
    for word in words:
        match &= (
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    rows = (
        Person.objects.filter(match)
        .order_by("last_name", "first_name", "id")
        .values("id", "first_name", "last_name", "email")[:PER_KIND]
    )
    return [
        {
            "kind": "Person",
            "label": f"{r['first_name']} {r['last_name']}".strip() or r["email"] or f"#{r['id']}",
            "detail": r["email"] or "",
            "url": reverse("person", args=[r["id"]]),
        }
        for r in rows
    ]


def _named(model: Any, kind: str, url_name: str, field: str, words: list[str]) -> list[Hit]:
    match = Q()
    for word in words:
        match &= Q(**{f"{field}__icontains": word})
    queryset = model.objects.filter(match)
    if model is Idea:
        queryset = queryset.filter(merged_into__isnull=True)  # a merged duplicate leads nowhere new
    rows = queryset.order_by(field, "id").values("id", field)[:PER_KIND]
    return [
        {"kind": kind, "label": r[field], "detail": "", "url": reverse(url_name, args=[r["id"]])}
        for r in rows
    ]


def _pages(user: Any, q: str) -> list[Hit]:
    needle = q.casefold()
    hits: list[Hit] = []
    for item, section in pages_for(user):
        haystack = f"{item.label} {section} {item.keywords}".casefold()
        if all(word in haystack for word in needle.split()):
            hits.append({"kind": "Page", "label": item.label, "detail": section, "url": item.href})
    # Pages whose name starts with the words first.
    hits.sort(key=lambda h: not h["label"].casefold().startswith(needle))
    return hits[: PER_KIND + 1]


def palette_search(user: Any, q: str) -> list[Hit]:
    """What the command palette offers for ``q``: pages first, then people, organizations,
    segments, campaigns, workflows and ideas, at most ``PER_KIND`` of each.

    Every associate may open every list and record found here (read-only associates look
    but do not change); pages a role may not open (an owner's settings) are left out.
    """
    q = q.strip()[:MAX_QUERY]
    words = _words(q)
    if not words:
        return []
    return [
        *_pages(user, q),
        *_people(words),
        *_named(Organization, "Organization", "organization", "name", words),
        *_named(Segment, "Segment", "segment", "name", words),
        *_named(Campaign, "Campaign", "campaign", "name", words),
        *_named(Workflow, "Workflow", "workflow", "name", words),
        *_named(Idea, "Idea", "voice_staff_idea", "title", words),
    ]
