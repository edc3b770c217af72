"""Writes of the help centre: articles (owners and members) and readers' votes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.text import slugify

from thrive.core.ratelimit import Limit
from thrive.core.roles import check_actor

from .models import Article

# Paths under /help/ that are pages, not articles.
RESERVED_SLUGS = frozenset({"manage", "suggest", "new"})
# A reader may answer "Was this helpful?" a few times an hour per article, and the
# whole help centre gets a bounded number of answers from one address.
FEEDBACK_PER_IP_ARTICLE = Limit(3, dt.timedelta(hours=1), "help_feedback_per_ip_article")
FEEDBACK_PER_IP = Limit(60, dt.timedelta(hours=1), "help_feedback_per_ip")


def _unique_slug(wanted: str, title: str, *, exclude: int | None = None) -> str:
    base = slugify(wanted or title)[:70].strip("-")
    if not base:
        raise ValidationError({"slug": "Give the article a title or an address made of letters."})
    if base in RESERVED_SLUGS:
        raise ValidationError({"slug": f"“{base}” is used by the help centre; choose another."})
    others = Article.objects.all() if exclude is None else Article.objects.exclude(pk=exclude)
    if wanted and others.filter(slug=base).exists():
        raise ValidationError({"slug": "Another article already has this address."})
    slug, n = base, 2
    while others.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    title = (data.get("title") or "").strip()
    body = (data.get("body") or "").strip()
    errors = {}
    if not title:
        errors["title"] = "An article needs a title."
    if not body:
        errors["body"] = "An article needs some text."
    if errors:
        raise ValidationError(errors)
    return {"title": title, "body": body, "category": (data.get("category") or "").strip(),
            "published": bool(data.get("published"))}  # fmt: skip


@transaction.atomic
def create_article(*, actor: Any, **data: Any) -> Article:
    check_actor(actor)
    fields = _fields(data)
    slug = _unique_slug((data.get("slug") or "").strip(), fields["title"])
    return Article.objects.create(slug=slug, updated_by=actor, **fields)


@transaction.atomic
def update_article(article: Article, *, actor: Any, **data: Any) -> Article:
    check_actor(actor)
    fields = _fields(data)
    wanted = (data.get("slug") or "").strip()
    if wanted != article.slug:
        fields["slug"] = _unique_slug(wanted, fields["title"], exclude=article.pk)
    for name, value in fields.items():
        setattr(article, name, value)
    article.updated_by = actor
    article.save()
    return article


def delete_article(article: Article, *, actor: Any) -> None:
    check_actor(actor)
    article.delete()


def record_feedback(article: Article, *, helpful: bool) -> None:
    """Count a reader's answer (the view has checked the rate limits and CSRF)."""
    field = "helpful_yes" if helpful else "helpful_no"
    Article.objects.filter(pk=article.pk).update(**{field: F(field) + 1})
