"""Help articles that may answer a customer's words, for apps that cannot import the help
centre (the shared inbox sits in the same layer).

The help centre registers its search here when it starts (``register_article_suggester``);
the inbox asks ``suggest_articles``. Without a help centre installed the answer is empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SuggestedArticle:
    title: str
    url: str  # a full link on the business's public address
    score: float  # the search's relevance, 0 (unrelated) to 1


Suggester = Callable[[str, int], list[SuggestedArticle]]
_suggester: Suggester | None = None


def register_article_suggester(fn: Suggester) -> None:
    """``fn(text, limit)``: the published articles most relevant to ``text``, best first."""
    global _suggester
    _suggester = fn


def suggest_articles(text: str, limit: int = 3) -> list[SuggestedArticle]:
    if _suggester is None:
        return []
    return _suggester(text, limit)
