"""Reads of the help centre: the public list, search and suggestions.

Search ranks published articles by TF-IDF cosine similarity over title and body,
computed in Python with scikit-learn, so it ranks the same on SQLite and PostgreSQL
(SQLite's FTS5 is not always compiled in, and PostgreSQL's full-text would rank
differently). A help centre holds tens or hundreds of articles: fitting takes
milliseconds, and the fitted index is kept per process until an article changes.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.db.models import Count, Max
from django.urls import reverse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from thrive.core import business
from thrive.core.article_suggestions import SuggestedArticle
from thrive.insights.text_terms import terms

from .models import Article

# Bounded work per request: the articles indexed, and the words of a query read.
MAX_ARTICLES = 2000
QUERY_MAX_CHARS = 2000
# The title says what an article is about: it counts as much as this many bodies.
TITLE_WEIGHT = 3
MIN_SCORE = 0.02


def tokens(text: str) -> list[str]:
    return terms(text)


@dataclass(frozen=True)
class Hit:
    pk: int
    title: str
    slug: str
    category: str
    score: float
    excerpt: str


class _Index:
    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.vectorizer = TfidfVectorizer(
            tokenizer=tokens, lowercase=False, token_pattern=None, sublinear_tf=True,
            ngram_range=(1, 2),
        )  # fmt: skip
        corpus = [f"{(r['title'] + ' ') * TITLE_WEIGHT}{r['category']} {r['body']}" for r in rows]
        try:
            self.matrix = self.vectorizer.fit_transform(corpus) if rows else None
        except ValueError:  # every article is only stop words
            self.matrix = None


_cache: dict[str, Any] = {}
_lock = threading.Lock()


def _index() -> _Index:
    published = Article.objects.filter(published=True)
    stamp = published.aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id"))
    key = f"{stamp['n']}:{stamp['last']}:{stamp['top']}"
    with _lock:
        if _cache.get("key") == key:
            cached: _Index = _cache["index"]
            return cached
    newest = published.order_by("-updated_at", "-id")
    rows: list[dict[str, Any]] = [
        dict(row) for row in newest.values("pk", "title", "slug", "category", "body")[:MAX_ARTICLES]
    ]
    index = _Index(rows)
    with _lock:
        _cache.update(key=key, index=index)
    return index


def _excerpt(body: str, words: int = 28) -> str:
    plain = re.sub(r"[#*_`>\[\]()-]+", " ", body)
    parts = plain.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def search(text: str, limit: int = 10) -> list[Hit]:
    """Published articles most relevant to ``text``, best first; empty for no match."""
    text = (text or "")[:QUERY_MAX_CHARS]
    limit = max(1, min(int(limit), 50))
    if not tokens(text):
        return []
    index = _index()
    if index.matrix is None:
        return []
    scores = linear_kernel(index.vectorizer.transform([text]), index.matrix).ravel()
    order = scores.argsort()[::-1][:limit]
    return [
        Hit(
            pk=r["pk"],
            title=r["title"],
            slug=r["slug"],
            category=r["category"],
            score=round(float(scores[i]), 4),
            excerpt=_excerpt(r["body"]),
        )  # fmt: skip
        for i in order
        if scores[i] >= MIN_SCORE
        for r in [index.rows[i]]
    ]


def suggest(text: str, limit: int = 3) -> list[Hit]:
    """The articles most likely to answer a customer's message (a conversation page asks
    ``/help/suggest?q=`` for these): the search ranking, fewer results."""
    return search(text, limit=limit)


def published_by_category() -> list[tuple[str, list[Article]]]:
    articles = Article.objects.filter(published=True).order_by("category", "title", "id")
    return [
        (category or "General", list(group))
        for category, group in groupby(articles[:MAX_ARTICLES], key=lambda a: a.category)
    ]


def categories() -> list[str]:
    return sorted(
        set(Article.objects.exclude(category="").values_list("category", flat=True).distinct())
    )


def suggested_articles(text: str, limit: int = 3) -> list[SuggestedArticle]:
    """The suggestions as core's registry hands them on: full links on the public address
    (the inbox, which may not import the help centre, emails them)."""
    base = business.public_url().rstrip("/")
    return [
        SuggestedArticle(
            title=h.title, url=base + reverse("help_article", args=[h.slug]), score=h.score
        )
        for h in suggest(text, limit=limit)
    ]
