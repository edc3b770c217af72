"""The only tags and filters a sandboxed email template may use.

Registered by copying Django's own implementations, so nothing here runs new code. Left
out on purpose: ``load``, ``include``, ``extends``, ``debug``, ``autoescape`` and
``safe``/``safeseq`` (they would reach files or internals, or let a merge field inject
HTML), and anything that loops or caches.
"""

from __future__ import annotations

from django.template import Library, defaultfilters, defaulttags

SAFE_TAGS = ("if", "firstof", "comment")
SAFE_FILTERS = (
    "default",
    "default_if_none",
    "upper",
    "lower",
    "title",
    "capfirst",
    "floatformat",
    "truncatechars",
    "truncatewords",
    "date",
    "yesno",
    "pluralize",
    "length",
    "linebreaksbr",
    "urlencode",
    "cut",
)

register = Library()
for _name in SAFE_TAGS:
    register.tags[_name] = defaulttags.register.tags[_name]
for _name in SAFE_FILTERS:
    register.filters[_name] = defaultfilters.register.filters[_name]
