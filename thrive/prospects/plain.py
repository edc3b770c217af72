"""The ideal-client profile in sentences a partner reads without statistics.

Staff see each lift with its ratio and interval (thrive.insights.lifts); a partner only
needs to know who to introduce, so the portal says it in words: "Our best clients are
most often wholesale buyers." No ratio, share or interval leaves this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# How each profile attribute (thrive.prospects.clients) reads in a sentence.
_SENTENCES = {
    "acquisition channel": "Many of our best clients found us through {value}.",
    "first product": "Our best clients often start with {value}.",
    "first product's category": "Our best clients are most often {lower} buyers.",
    "region": "Many of our best clients are in {value}.",
    "country": "Many of our best clients are in {value}.",
    "company size": "Our best clients are often companies of {value}.",
    "company industry": "Our best clients often work in {lower}.",
}
_OTHER = "Our best clients often have “{value}” as their {attribute}."


def plain_sentence(attribute: str, value: str) -> str:
    """One profile highlight as a plain sentence."""
    template = _SENTENCES.get(attribute, _OTHER)
    return template.format(value=value, lower=value.lower(), attribute=attribute)


def plain_highlights(highlights: Iterable[Mapping[str, Any]], *, limit: int = 4) -> list[str]:
    """The strongest highlights (the profile lists them strongest first) in words, one
    per attribute so the list does not repeat itself."""
    seen: set[str] = set()
    sentences: list[str] = []
    for row in highlights:
        attribute, value = str(row.get("attribute", "")), str(row.get("value", "")).strip()
        if not attribute or not value or attribute in seen:
            continue
        seen.add(attribute)
        sentences.append(plain_sentence(attribute, value))
        if len(sentences) == limit:
            break
    return sentences
