"""What customers say, grouped: the computation behind ``/voice/themes/``, with no
database and no outside service.

- Themes: TF-IDF over stemmed content words (``thrive.insights.text_terms``), factorised
  by NMF into k themes, k = √(n/2) clamped to 2–10 (a rule of thumb: the labelled sample's
  80 comments give 6). Each message goes to its strongest theme; a message sharing no
  word with the others is "Other". The label is the theme's top three terms.
- Sentiment: the VADER lexicon (it ships inside the ``vaderSentiment`` package), with a
  few words of a small business's service VADER does not know ("late", "stale",
  "expensive"), and questions and requests read as neutral unless strongly worded (VADER
  counts "please" and "love to have" as praise).
- Likely duplicates: cosine similarity of TF-IDF vectors of idea titles and bodies, at
  or above ``DUPLICATE_THRESHOLD``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

import numpy as np
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from thrive.insights.text_terms import stem, terms

OTHER = -1
MIN_K, MAX_K = 2, 10
POSITIVE_AT, NEGATIVE_AT = 0.05, -0.05
# A request keeps a neutral reading unless its words are stronger than this.
REQUEST_STRENGTH = 0.6
DUPLICATE_THRESHOLD = 0.5

# Words of deliveries, products and service that VADER's general lexicon does not score
# (valence on VADER's -4..4 scale).
DOMAIN_WORDS = {
    "late": -1.5, "slow": -1.5, "stale": -2.0, "flat": -1.0, "lost": -1.5, "torn": -1.5,
    "crushed": -1.5, "broke": -1.5, "broken": -1.5, "spilled": -1.5, "burnt": -2.0,
    "sour": -1.5, "weak": -1.2, "dull": -1.2, "bitter": -1.2, "expensive": -1.5,
    "pricey": -1.5, "overcharged": -2.0, "charged": -0.8, "unhelpful": -2.0, "ignored": -2.0,
    "rude": -2.0, "never": -0.5, "fast": 1.5, "quick": 1.5, "quickly": 1.2, "fresh": 1.5,
    "delicious": 2.5, "smooth": 1.2, "friendly": 2.0,
}  # fmt: skip
_REQUEST = re.compile(
    r"^\s*(could|can|would|will|please|is there|are there|do you|how do|how can|"
    r"i want|i would like|i'd like|any chance)\b|\?\s*$",
    re.IGNORECASE,
)


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(DOMAIN_WORDS)
    return analyzer


def sentiment(text: str) -> tuple[float, str]:
    """(compound score in −1..1, "positive" | "neutral" | "negative")."""
    compound = float(_analyzer().polarity_scores(text[:2000])["compound"])
    if _REQUEST.search(text) and abs(compound) < REQUEST_STRENGTH:
        return compound, "neutral"
    if compound >= POSITIVE_AT:
        return compound, "positive"
    if compound <= NEGATIVE_AT:
        return compound, "negative"
    return compound, "neutral"


def choose_k(n: int) -> int:
    return max(MIN_K, min(MAX_K, round(math.sqrt(n / 2))))


@dataclass(frozen=True)
class Grouping:
    labels: list[int]  # the theme of each text, OTHER when none
    themes: list[list[str]]  # each theme's top terms, strongest first


def _vectorizer(min_df: int) -> TfidfVectorizer:
    return TfidfVectorizer(tokenizer=terms, lowercase=False, token_pattern=None,
                           sublinear_tf=True, min_df=min_df)  # fmt: skip


def _surface_words(texts: list[str]) -> dict[str, str]:
    """Each stem's most used written form, for labels people read ("pause", not "paus")."""
    seen: dict[str, Counter[str]] = {}
    for text in texts:
        for word in re.findall(r"[^\W\d_]{2,}", text.lower()):
            seen.setdefault(stem(word), Counter())[word] += 1
    return {key: words.most_common(1)[0][0] for key, words in seen.items()}


def group(texts: list[str], k: int | None = None, top_terms: int = 3) -> Grouping:
    """Themes of ``texts`` (deterministic: NMF's nndsvda start has no randomness).

    The same sentence said many times (a copied complaint, a template) is fitted once, so
    it cannot become a theme of its own; every copy still joins the theme and counts."""
    keys = [" ".join(text.lower().split()) for text in texts]
    unique = list(dict.fromkeys(keys))
    if len(unique) < 4:
        return Grouping([OTHER] * len(texts), [])
    vectorizer = _vectorizer(min_df=2)
    try:
        matrix = vectorizer.fit_transform(unique)
    except ValueError:  # no word appears twice
        return Grouping([OTHER] * len(texts), [])
    k = min(k or choose_k(len(unique)), matrix.shape[1], len(unique) - 1)
    if k < MIN_K:
        return Grouping([OTHER] * len(texts), [])
    model = NMF(n_components=k, init="nndsvda", max_iter=400, random_state=0)
    weights = model.fit_transform(matrix)
    vocabulary = vectorizer.get_feature_names_out()
    shown = _surface_words(texts)
    themes = [
        [shown.get(str(vocabulary[i]), str(vocabulary[i]))
         for i in np.argsort(row)[::-1][:top_terms] if row[i] > 0]
        for row in model.components_
    ]  # fmt: skip
    by_key = {
        key: int(row.argmax()) if row.max() > 1e-9 else OTHER
        for key, row in zip(unique, weights, strict=True)
    }
    return Grouping([by_key[key] for key in keys], themes)


def likely_duplicates(
    items: list[tuple[int, str]], threshold: float = DUPLICATE_THRESHOLD
) -> list[tuple[int, int, float]]:
    """(id, id, similarity) of pairs of texts that probably say the same, most similar
    first; each pair once, the lower id first."""
    if len(items) < 2:
        return []
    try:
        matrix = _vectorizer(min_df=1).fit_transform([text for _, text in items])
    except ValueError:
        return []
    similarity = cosine_similarity(matrix)
    pairs = []
    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            if similarity[i, j] >= threshold:
                a, b = sorted((items[i][0], items[j][0]))
                pairs.append((a, b, round(float(similarity[i, j]), 3)))
    return sorted(pairs, key=lambda p: (-p[2], p[0], p[1]))
