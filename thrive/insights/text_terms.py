"""Words of short customer texts for TF-IDF: lower-cased, English stop words dropped and a
light stem, so "grinding", "grinds" and "ground" count as one term. Framework-free."""

from __future__ import annotations

import re

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

_WORD = re.compile(r"[^\W\d_]{2,}|\d+")
# Irregular forms customers use for the words a small business's FAQ is about.
_IRREGULAR = {"ground": "grind", "shipped": "ship", "refunded": "refund", "brewed": "brew",
              "tasted": "taste", "paid": "pay", "sent": "send", "bought": "buy"}  # fmt: skip
# Words that say little about the topic of a customer's message.
EXTRA_STOP_WORDS = frozenset({
    "just", "really", "thank", "thanks", "please", "like", "did", "does", "don", "im", "ive",
    "dont", "time", "got", "get",
})  # fmt: skip


def stem(word: str) -> str:
    """A light English stemmer: plurals and -ing/-ed forms (not Porter: enough here)."""
    word = _IRREGULAR.get(word, word)
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    else:
        for suffix in ("ing", "ed", "s"):
            if word.endswith(suffix) and not word.endswith("ss") and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]  # shipp -> ship, stopp -> stop
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]  # pause, paused -> paus
    return word


def terms(text: str) -> list[str]:
    """The stemmed content words of ``text`` in order."""
    return [
        stem(w)
        for w in _WORD.findall(text.lower())
        if w not in ENGLISH_STOP_WORDS and w not in EXTRA_STOP_WORDS
    ]
